#include "verifier/model/model_walk.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "tests/model/model_test_util.h"
#include "verifier/errors.h"

namespace sigmount::verifier {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::TempDir;
using testing::write_file;

std::vector<std::string> names_of(const std::vector<ModelFile>& files) {
  std::vector<std::string> names;
  names.reserve(files.size());
  for (const auto& file : files) names.push_back(file.name);
  return names;
}

std::vector<std::string> list_names(const fs::path& root, const ModelOptions& options = {}) {
  return names_of(list_model_files(root, options));
}

// The VerificationError message of listing `root`, or "" if it lists.
std::string walk_refusal(const fs::path& root, const ModelOptions& options = {}) {
  try {
    list_model_files(root, options);
  } catch (const VerificationError& error) {
    return error.what();
  }
  return "";
}

// Restores the working directory at scope exit (tests of CWD-relative ignore paths).
class ScopedCwd {
 public:
  explicit ScopedCwd(const fs::path& dir) : saved_(fs::current_path()) { fs::current_path(dir); }
  ~ScopedCwd() { fs::current_path(saved_); }
  ScopedCwd(const ScopedCwd&) = delete;
  ScopedCwd& operator=(const ScopedCwd&) = delete;

 private:
  fs::path saved_;
};

TEST(ModelWalk, ListsEveryFileRelativeSortedLikeModelSigning) {
  TempDir dir;
  const fs::path model = dir / "model";
  write_file(model / "a.txt", "1");
  write_file(model / "a-b", "22");
  write_file(model / "a" / "b", "333");
  write_file(model / ".hidden", "");
  write_file(model / "d0" / "d1" / "d2" / "deep", "x");
  write_file(model / "模型" / "权重.bin", "weights");
  fs::create_directories(model / "empty_dir");
  const auto files = list_model_files(model, {});
  EXPECT_THAT(names_of(files),
              ElementsAre(".hidden", "a/b", "a-b", "a.txt", "d0/d1/d2/deep", "模型/权重.bin"));
  EXPECT_EQ(files[1].size, 3u);
  EXPECT_EQ(files[1].path, model / "a" / "b");
  EXPECT_EQ(files[5].size, 7u);
}

TEST(ModelWalk, SingleFileModelIsNamedDot) {
  TempDir dir;
  write_file(dir / "model.bin", "abc");
  const auto files = list_model_files(dir / "model.bin", {});
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].name, ".");
  EXPECT_EQ(files[0].size, 3u);
  EXPECT_EQ(files[0].path, dir / "model.bin");
}

TEST(ModelWalk, EmptyDirectoryHasNoFiles) {
  TempDir dir;
  EXPECT_TRUE(list_model_files(dir.path(), {}).empty());
}

TEST(ModelWalk, MissingModelIsAnIoError) {
  TempDir dir;
  EXPECT_THROW(list_model_files(dir / "nope", {}), std::system_error);
}

TEST(ModelWalk, GitPathsAreIgnoredAtTheRootOnly) {
  TempDir dir;
  for (const char* name :
       {".git/config", ".git/objects/ab/cd", ".gitattributes", ".github/ci.yml", ".gitignore",
        "sub/.git/config", "sub/.gitignore", ".gitmodules", "weights"}) {
    write_file(dir / name, "x");
  }
  EXPECT_THAT(list_names(dir.path()),
              ElementsAre(".gitmodules", "sub/.git/config", "sub/.gitignore", "weights"));
  ModelOptions keep_git;
  keep_git.ignore_git_paths = false;
  EXPECT_EQ(list_names(dir.path(), keep_git).size(), 9u);
}

TEST(ModelWalk, UserIgnorePathsAreRelativeToTheWorkingDirectory) {
  TempDir dir;
  const fs::path model = dir / "model";
  for (const char* name : {"a/x", "a/y/z", "ab", "b", "c/keep", "c/skip"})
    write_file(model / name, "x");
  write_file(dir / "outside", "x");
  ScopedCwd cwd(dir.path());
  ModelOptions options;
  options.ignore_paths = {"model/a", "./model/c/../c/skip", dir / "outside",
                          "model/does-not-exist"};
  EXPECT_THAT(list_names("model", options), ElementsAre("ab", "b", "c/keep"));
  // Outside the model: not ignored and not recorded.
  EXPECT_THAT(recorded_ignore_paths("model", options),
              ElementsAre(".git", ".gitattributes", ".github", ".gitignore", "a", "c/skip",
                          "does-not-exist"));
}

// ".." after a symlink goes where the kernel takes it, through the link: here out of the
// model, so nothing is ignored (a lexical reading made it "weights" and hid that file).
TEST(ModelWalk, AnIgnorePathThroughASymlinkIsResolvedBeforeItsDotDots) {
  TempDir dir;
  write_file(dir / "model" / "weights", "w");
  write_file(dir / "elsewhere" / "deep" / "x", "x");
  fs::create_directories(dir / "model" / "sub");
  fs::create_directory_symlink(dir / "elsewhere" / "deep", dir / "model" / "sub" / "link");
  ScopedCwd cwd(dir.path());
  ModelOptions options;
  options.ignore_paths = {"model/sub/link/../../weights"};
  EXPECT_THAT(recorded_ignore_paths("model", options),
              ElementsAre(".git", ".gitattributes", ".github", ".gitignore"));
}

TEST(ModelWalk, SignatureFileInsideTheModelIsIgnoredAndRecorded) {
  TempDir dir;
  write_file(dir / "model" / "weights", "w");
  write_file(dir / "model" / "model.sig", "{}");
  ModelOptions options;
  options.ignore_git_paths = false;
  options.signature_path = dir / "model" / "model.sig";
  EXPECT_THAT(list_names(dir / "model", options), ElementsAre("weights"));
  EXPECT_THAT(recorded_ignore_paths(dir / "model", options), ElementsAre("model.sig"));
  options.signature_path = dir / "model.sig";  // outside: nothing to record
  EXPECT_TRUE(recorded_ignore_paths(dir / "model", options).empty());
}

TEST(ModelWalk, RecordedIgnorePathsAreModelRelative) {
  TempDir dir;
  for (const char* name : {"d0/f", "d1/f", "d2/f", "ignore-me", "keep"})
    write_file(dir / name, "x");
  ModelOptions options;
  options.model_relative_ignore_paths = {"d0",      "./d1/", "ignore-me",
                                         "../keep", "/keep", "d2/../keep"};
  EXPECT_THAT(list_names(dir.path(), options), ElementsAre("d2/f", "keep"));
  // "" and "." name the model itself, as Path(model) / "" does in model_signing.
  options.model_relative_ignore_paths = {"."};
  EXPECT_TRUE(list_names(dir.path(), options).empty());
}

TEST(ModelWalk, IgnoredSymlinksAreNotRefused) {
  TempDir dir;
  write_file(dir / "model" / "weights", "w");
  fs::create_symlink("weights", dir / "model" / "link");
  fs::create_symlink("/nonexistent", dir / "model" / "broken");
  ModelOptions options;
  options.ignore_paths = {dir / "model" / "link", dir / "model" / "broken"};
  EXPECT_THAT(list_names(dir / "model", options), ElementsAre("weights"));
}

TEST(ModelWalk, SymlinksAreRefusedUnlessAllowed) {
  TempDir dir;
  write_file(dir / "outside", "outside content");
  write_file(dir / "model" / "weights", "w");
  fs::create_symlink(dir / "outside", dir / "model" / "link");
  EXPECT_THAT(walk_refusal(dir / "model"), HasSubstr("\"link\" in the model: it is a symlink"));

  ModelOptions allow;
  allow.allow_symlinks = true;
  // A symlinked file counts under the link's name with its target's content, even outside.
  const auto files = list_model_files(dir / "model", allow);
  ASSERT_THAT(names_of(files), ElementsAre("link", "weights"));
  EXPECT_EQ(files[0].size, 15u);
  EXPECT_EQ(testing::read_file(files[0].path), "outside content");
}

// /proc/PID/cmdline reports size 0 and holds what its process chose: hashing 0 bytes of it
// let it pass as a signed empty file, and in the shards serialization as an unnoticed extra.
TEST(ModelWalk, AFileThatReportsSizeZeroButHoldsBytesIsRefused) {
  TempDir dir;
  write_file(dir / "model" / "weights", "w");
  fs::create_symlink("/proc/self/cmdline", dir / "model" / "__init__.py");
  ModelOptions allow;
  allow.allow_symlinks = true;
  try {
    list_model_files(dir / "model", allow);
    FAIL() << "walked a file whose bytes the hash would not see";
  } catch (const VerificationError& e) {
    EXPECT_THAT(e.what(), HasSubstr("reports a size of 0 but holds bytes"));
  }
  fs::remove(dir / "model" / "__init__.py");
  write_file(dir / "model" / "__init__.py", "");
  EXPECT_THAT(list_names(dir / "model", allow), ElementsAre("__init__.py", "weights"));
}

TEST(ModelWalk, SymlinkedDirectoriesAreNotDescended) {
  TempDir dir;
  write_file(dir / "model" / "real" / "f", "x");
  fs::create_directory_symlink("real", dir / "model" / "alias");
  EXPECT_THAT(walk_refusal(dir / "model"), HasSubstr("symlink"));
  ModelOptions allow;
  allow.allow_symlinks = true;
  EXPECT_THAT(list_names(dir / "model", allow), ElementsAre("real/f"));
}

TEST(ModelWalk, SymlinkedRootIsRefusedUnlessAllowedThenWalked) {
  TempDir dir;
  write_file(dir / "real" / "f", "x");
  fs::create_directory_symlink(dir / "real", dir / "model");
  EXPECT_THAT(walk_refusal(dir / "model"), HasSubstr("symlink"));
  ModelOptions allow;
  allow.allow_symlinks = true;
  EXPECT_THAT(list_names(dir / "model", allow), ElementsAre("f"));
}

TEST(ModelWalk, BrokenSymlinksAreRefusedEvenWhenAllowed) {
  TempDir dir;
  fs::create_directories(dir / "model");
  fs::create_symlink("missing", dir / "model" / "broken");
  ModelOptions allow;
  allow.allow_symlinks = true;
  EXPECT_THAT(walk_refusal(dir / "model", allow), HasSubstr("broken symlink"));
}

TEST(ModelWalk, SpecialFilesAreRefused) {
  TempDir dir;
  fs::create_directories(dir / "model");
  ASSERT_EQ(::mkfifo((dir / "model" / "fifo").c_str(), 0600), 0);
  EXPECT_THAT(walk_refusal(dir / "model"),
              HasSubstr("\"fifo\" in the model: it is neither a regular file nor a directory"));
  fs::remove(dir / "model" / "fifo");

  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::string socket_path = (dir / "model" / "sock").string();
  ASSERT_LT(socket_path.size(), sizeof(address.sun_path));
  std::memcpy(address.sun_path, socket_path.c_str(), socket_path.size() + 1);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  EXPECT_THAT(walk_refusal(dir / "model"), HasSubstr("neither a regular file nor a directory"));
  ::close(fd);
}

TEST(ModelWalk, NamesWeCouldNotVerifyAreRefused) {
  for (const char* bad : {"new\nline", "back\\slash", "bad\xff"}) {
    TempDir dir;
    write_file(dir / "model" / bad, "x");
    EXPECT_THAT(walk_refusal(dir / "model"), HasSubstr("Cannot use")) << bad;
  }
}

TEST(ModelWalk, ModelNameIsTheLastComponent) {
  TempDir dir;
  fs::create_directories(dir / "my-model");
  EXPECT_EQ(model_name(dir / "my-model"), "my-model");
  EXPECT_EQ(model_name((dir / "my-model").string() + "/"), "my-model");
  ScopedCwd cwd(dir / "my-model");
  EXPECT_EQ(model_name("."), "my-model");
}

// --- resolve_inside_model: the mount's guard against manifests naming paths outside ---

std::string resolve_refusal(const fs::path& root, std::string_view name, bool allow_symlinks) {
  try {
    resolve_inside_model(root, name, allow_symlinks);
  } catch (const VerificationError& error) {
    return error.what();
  }
  return "";
}

TEST(ResolveInsideModel, ResolvesPlainFiles) {
  TempDir dir;
  write_file(dir / "model" / "d" / "f", "x");
  const auto canonical_model = fs::canonical(dir / "model");
  EXPECT_EQ(resolve_inside_model(dir / "model", "d/f", false), canonical_model / "d" / "f");
  // A missing file resolves lexically inside the model (opening it gives ENOENT).
  EXPECT_EQ(resolve_inside_model(dir / "model", "d/missing/x", false),
            canonical_model / "d" / "missing" / "x");
  write_file(dir / "single", "x");
  EXPECT_EQ(resolve_inside_model(dir / "single", ".", false), fs::canonical(dir / "single"));
}

TEST(ResolveInsideModel, RefusesNamesThatLeaveTheModel) {
  TempDir dir;
  write_file(dir / "model" / "f", "x");
  write_file(dir / "secret", "s");
  EXPECT_THAT(resolve_refusal(dir / "model", "../secret", true),
              HasSubstr("\"..\" path component"));
  EXPECT_THAT(resolve_refusal(dir / "model", "a/../../secret", true), HasSubstr("\"..\""));
  EXPECT_THAT(resolve_refusal(dir / "model", (dir / "secret").string(), true),
              HasSubstr("absolute path"));
  EXPECT_THAT(resolve_refusal(dir / "model", "", true), HasSubstr("empty name"));
  EXPECT_THAT(resolve_refusal(dir / "model", "a\\..\\..\\secret", true), HasSubstr("backslash"));
  EXPECT_THAT(resolve_refusal(dir / "model", ".", true), HasSubstr("not a single regular file"));
}

TEST(ResolveInsideModel, RefusesSymlinksUnlessAllowedAndInside) {
  TempDir dir;
  write_file(dir / "model" / "real" / "f", "x");
  write_file(dir / "secret" / "f", "s");
  fs::create_symlink("real/f", dir / "model" / "inner-link");
  fs::create_directory_symlink("real", dir / "model" / "inner-dir");
  fs::create_symlink(dir / "secret" / "f", dir / "model" / "outer-link");
  fs::create_directory_symlink("../secret", dir / "model" / "outer-dir");
  fs::create_symlink("missing", dir / "model" / "broken");
  const auto canonical_model = fs::canonical(dir / "model");

  EXPECT_THAT(resolve_refusal(dir / "model", "inner-link", false),
              HasSubstr("symlinks are not allowed"));
  EXPECT_THAT(resolve_refusal(dir / "model", "inner-dir/f", false),
              HasSubstr("symlinks are not allowed"));
  EXPECT_EQ(resolve_inside_model(dir / "model", "inner-link", true),
            canonical_model / "real" / "f");
  // No walk of a whole model descends into a symlinked directory, so no signed name passes
  // through one, even where symlinks are allowed and it stays inside.
  EXPECT_THAT(resolve_refusal(dir / "model", "inner-dir/f", true),
              HasSubstr("a parent directory is a symlink"));

  EXPECT_THAT(resolve_refusal(dir / "model", "outer-link", true),
              HasSubstr("leading out of the model"));
  EXPECT_THAT(resolve_refusal(dir / "model", "outer-dir/f", true),
              HasSubstr("a parent directory is a symlink"));
  EXPECT_THAT(resolve_refusal(dir / "model", "broken", true), HasSubstr("broken symlink"));
}

TEST(ResolveInsideModel, RefusesNonFilesAndNonDirectoryParents) {
  TempDir dir;
  write_file(dir / "model" / "f", "x");
  fs::create_directories(dir / "model" / "d");
  EXPECT_THAT(resolve_refusal(dir / "model", "d", false), HasSubstr("not a regular file"));
  EXPECT_THAT(resolve_refusal(dir / "model", "f/x", false), HasSubstr("parent is not a directory"));
}

TEST(ListNamedFiles, ResolvesSignedNamesAndLeavesOutMissingAndIgnored) {
  TempDir dir;
  write_file(dir / "model" / "a", "1");
  write_file(dir / "model" / "b", "22");
  write_file(dir / "model" / "unsigned", "x");
  ModelOptions options;
  options.model_relative_ignore_paths = {"b"};
  const std::vector<std::string> names{"missing", "b", "a"};
  const auto files = list_named_files(dir / "model", options, names);
  ASSERT_THAT(names_of(files), ElementsAre("a"));
  EXPECT_EQ(files[0].size, 1u);
}

}  // namespace
}  // namespace sigmount::verifier
