// The mounted tree shows exactly the signed files; hostile manifests never become a tree.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fs/model_tree.h"
#include "verifier/errors.h"

namespace sigmount::fs {
namespace {

using ::testing::HasSubstr;

std::vector<verifier::SignedFile> files_named(std::vector<std::string> names) {
  std::vector<verifier::SignedFile> files;
  for (auto& name : names) {
    verifier::SignedFile file;
    file.path = std::move(name);
    file.shards.push_back({0, verifier::Shard::kToEndOfFile, {}});
    files.push_back(std::move(file));
  }
  return files;
}

TEST(ModelTree, DirectoriesComeFromPathsAndInodesAreStable) {
  const auto files = files_named({"config.json", "a/b/weights.bin", "a/c.txt", "a/b/z"});
  const ModelTree tree = ModelTree::build(files, "unused");
  const auto* root = tree.node(ModelTree::kRootInode);
  ASSERT_NE(root, nullptr);
  ASSERT_TRUE(root->is_directory);
  ASSERT_EQ(root->children.size(), 2u);  // "a", "config.json"
  const auto* a = tree.lookup(ModelTree::kRootInode, "a");
  ASSERT_NE(a, nullptr);
  EXPECT_TRUE(a->is_directory);
  const auto* b = tree.lookup(a->inode, "b");
  ASSERT_NE(b, nullptr);
  const auto* weights = tree.lookup(b->inode, "weights.bin");
  ASSERT_NE(weights, nullptr);
  EXPECT_FALSE(weights->is_directory);
  EXPECT_EQ(weights->file, 1u);
  EXPECT_EQ(tree.lookup(b->inode, "z")->file, 3u);
  // A node's path beneath the model root: what its permissions are looked up by.
  EXPECT_EQ(tree.path(ModelTree::kRootInode), "");
  EXPECT_EQ(tree.path(b->inode), "a/b");
  EXPECT_EQ(tree.path(weights->inode), "a/b/weights.bin");
  EXPECT_EQ(tree.lookup(ModelTree::kRootInode, "config.json")->file, 0u);
  EXPECT_EQ(tree.lookup(ModelTree::kRootInode, "model.sig"), nullptr);
  EXPECT_EQ(tree.lookup(weights->inode, "x"), nullptr) << "a file has no children";
  EXPECT_EQ(tree.node(0), nullptr);
  EXPECT_EQ(tree.node(tree.size() + 1), nullptr);
  EXPECT_EQ(tree.directory_count(), 3u);
  // Same manifest, same numbers.
  const ModelTree again = ModelTree::build(files, "unused");
  EXPECT_EQ(again.lookup(b->inode, "weights.bin")->inode, weights->inode);
  // Children are listed sorted by name.
  const auto* a_node = tree.node(a->inode);
  ASSERT_EQ(a_node->children.size(), 2u);
  EXPECT_EQ(tree.node(a_node->children[0])->name, "b");
  EXPECT_EQ(tree.node(a_node->children[1])->name, "c.txt");
}

TEST(ModelTree, SingleFileModelIsShownUnderItsName) {
  const ModelTree tree = ModelTree::build(files_named({"."}), "model.gguf");
  const auto* file = tree.lookup(ModelTree::kRootInode, "model.gguf");
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(file->file, 0u);
  EXPECT_THROW(ModelTree::build(files_named({"."}), ".."), verifier::VerificationError);
}

TEST(ModelTree, HostileManifestsAreRefused) {
  const std::vector<std::vector<std::string>> hostile = {
      {"../etc/passwd"},
      {"a/../../x"},
      {"/etc/passwd"},
      {"a//b"},
      {"a/./b"},
      {""},
      {"a/"},
      {"dup", "dup"},
      {"a", "a/b"},
      {"a/b", "a"},
      {std::string("nul\0byte", 8)},
      {std::string(256, 'x')},
      {".", "other"},
  };
  for (const auto& names : hostile) {
    EXPECT_THROW(ModelTree::build(files_named(names), "x"), verifier::VerificationError)
        << names[0];
  }
  try {
    ModelTree::build(files_named({"ok", "../up", "dup", "dup"}), "x");
    FAIL();
  } catch (const verifier::VerificationError& error) {
    ASSERT_EQ(error.problems().size(), 2u) << "every problem is listed";
    EXPECT_THAT(error.problems()[0], HasSubstr("\"..\""));
    EXPECT_THAT(error.problems()[1], HasSubstr("listed twice"));
  }
}

// Distinct deep paths would make a directory node per component; a hostile signer must not be
// able to make the mount build millions of them.
TEST(ModelTree, DirectoryCountIsBounded) {
  const auto deep = [](std::size_t files, std::size_t depth) {
    std::vector<std::string> names;
    for (std::size_t f = 0; f < files; ++f) {
      std::string path = "f" + std::to_string(f);
      for (std::size_t d = 0; d < depth; ++d) path += "/d";
      names.push_back(path + "/file");
    }
    return files_named(names);
  };
  // Deep but sparse: fine (one file under 2,000 directories).
  EXPECT_NO_THROW(ModelTree::build(deep(1, 2000), "x"));
  // 40 files of 2,000 directories each: 80,040 directories, over 2 * 40 + 65,536.
  try {
    ModelTree::build(deep(40, 2000), "x");
    FAIL() << "built";
  } catch (const verifier::VerificationError& error) {
    EXPECT_THAT(error.what(), HasSubstr("more than 65616 directories"));
  }
}

}  // namespace
}  // namespace sigmount::fs
