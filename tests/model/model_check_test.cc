#include "verifier/model/model_check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/model/model_test_util.h"
#include "verifier/errors.h"

namespace sigmount::verifier {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::TempDir;
using testing::write_file;

// A model signed (serialized) with `serialization`, to compare later states against.
struct SignedModel {
  Serialization serialization;
  std::vector<SignedFile> files;

  SignedModel(const fs::path& root, Serialization s, const ModelOptions& options = {})
      : serialization(std::move(s)),
        files(signed_files_from_resources(serialization,
                                          serialize_model(root, options, serialization))) {}

  std::vector<std::string> problems(const fs::path& root, const ModelOptions& options = {},
                                    const CheckOptions& check = {}) const {
    return compare_model_with_signed_files(serialization, files, root, options, check);
  }
};

Serialization shards(std::uint64_t size) {
  Serialization s;
  s.method = SerializationMethod::shards;
  s.shard_size = size;
  return s;
}

void make_model(const fs::path& root) {
  write_file(root / "config.json", "{}");
  write_file(root / "weights" / "part-1", std::string(20, 'a'));
  write_file(root / "weights" / "part-2", std::string(20, 'b'));
}

void flip_byte(const fs::path& path, std::size_t offset) {
  std::string content = testing::read_file(path);
  content[offset] = static_cast<char>(content[offset] ^ 0x01);
  write_file(path, content);
}

TEST(ModelCheck, UnchangedModelHasNoProblems) {
  TempDir dir;
  make_model(dir.path());
  EXPECT_THAT(SignedModel(dir.path(), Serialization{}).problems(dir.path()), IsEmpty());
  EXPECT_THAT(SignedModel(dir.path(), shards(8)).problems(dir.path()), IsEmpty());
}

TEST(ModelCheck, ReportsAFlippedByte) {
  TempDir dir;
  make_model(dir.path());
  const SignedModel signed_model(dir.path(), Serialization{});
  const std::string expected = signed_model.files[1].shards[0].digest.hex();
  flip_byte(dir / "weights" / "part-1", 5);
  const std::string actual =
      testing::sha256_of(testing::read_file(dir / "weights" / "part-1")).hex();
  EXPECT_THAT(
      signed_model.problems(dir.path()),
      ElementsAre("Hash mismatch for weights/part-1: expected " + expected + ", actual " + actual));
}

TEST(ModelCheck, ReportsTheFlippedShard) {
  TempDir dir;
  make_model(dir.path());
  const SignedModel signed_model(dir.path(), shards(8));
  flip_byte(dir / "weights" / "part-2", 9);
  const auto problems = signed_model.problems(dir.path());
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_THAT(problems[0], HasSubstr("Hash mismatch for weights/part-2 (shard 8:16): expected "));
}

TEST(ModelCheck, ReportsASizeChangeInShards) {
  TempDir dir;
  make_model(dir.path());
  const SignedModel signed_model(dir.path(), shards(8));
  write_file(dir / "weights" / "part-2", std::string(21, 'b'));
  EXPECT_THAT(signed_model.problems(dir.path()),
              ElementsAre("Size mismatch for weights/part-2: expected 20 bytes, actual 21 bytes"));
}

TEST(ModelCheck, ReportsAddedRemovedAndRenamedFiles) {
  TempDir dir;
  make_model(dir.path());
  const SignedModel signed_model(dir.path(), Serialization{});
  write_file(dir / "weights" / "part-3", "new");
  fs::remove(dir / "config.json");
  fs::rename(dir / "weights" / "part-1", dir / "weights" / "part-0");
  EXPECT_THAT(
      signed_model.problems(dir.path()),
      ElementsAre("Missing file in model: config.json", "Extra file in model: weights/part-0",
                  "Missing file in model: weights/part-1", "Extra file in model: weights/part-3"));
}

TEST(ModelCheck, IgnoreUnsignedFilesChecksOnlySignedFiles) {
  TempDir dir;
  make_model(dir.path());
  const SignedModel signed_model(dir.path(), Serialization{});
  write_file(dir / "README.md", "unsigned");
  // Even a symlink outside the signed files does not matter in this mode.
  fs::create_symlink("config.json", dir / "alias");
  CheckOptions only_signed;
  only_signed.ignore_unsigned_files = true;
  EXPECT_THAT(signed_model.problems(dir.path(), {}, only_signed), IsEmpty());
  fs::remove(dir / "config.json");
  EXPECT_THAT(signed_model.problems(dir.path(), {}, only_signed),
              ElementsAre("Missing file in model: config.json"));
}

TEST(ModelCheck, IgnoreUnsignedFilesRefusesSignedSymlinksLeavingTheModel) {
  TempDir dir;
  write_file(dir / "model" / "f", "secret");
  write_file(dir / "secret", "secret");
  ModelOptions allow;
  allow.allow_symlinks = true;
  const SignedModel signed_model(dir / "model", Serialization{}, allow);
  fs::remove(dir / "model" / "f");
  fs::create_symlink(dir / "secret", dir / "model" / "f");
  CheckOptions only_signed;
  only_signed.ignore_unsigned_files = true;
  EXPECT_THROW(signed_model.problems(dir / "model", allow, only_signed), VerificationError);
}

TEST(ModelCheck, RecordedIgnorePathsHideExtraFiles) {
  TempDir dir;
  make_model(dir.path());
  SignedModel signed_model(dir.path(), Serialization{});
  write_file(dir / "logs" / "run.txt", "x");
  EXPECT_THAT(signed_model.problems(dir.path()), ElementsAre("Extra file in model: logs/run.txt"));
  signed_model.serialization.ignore_paths = {"logs"};
  EXPECT_THAT(signed_model.problems(dir.path()), IsEmpty());
}

TEST(ModelCheck, SymlinksInTheModelAreRefusedUnlessAllowed) {
  TempDir dir;
  make_model(dir.path());
  const SignedModel signed_model(dir.path(), Serialization{});
  fs::create_symlink("config.json", dir / "alias");
  EXPECT_THROW(signed_model.problems(dir.path()), VerificationError);
  ModelOptions allow;
  allow.allow_symlinks = true;
  EXPECT_THAT(signed_model.problems(dir.path(), allow), ElementsAre("Extra file in model: alias"));
}

TEST(ModelCheck, SingleFileModel) {
  TempDir dir;
  write_file(dir / "model.bin", "weights");
  const SignedModel signed_model(dir / "model.bin", Serialization{});
  EXPECT_THAT(signed_model.problems(dir / "model.bin"), IsEmpty());
  flip_byte(dir / "model.bin", 0);
  ASSERT_EQ(signed_model.problems(dir / "model.bin").size(), 1u);
  EXPECT_THAT(signed_model.problems(dir / "model.bin")[0], HasSubstr("Hash mismatch for .: "));
}

}  // namespace
}  // namespace sigmount::verifier
