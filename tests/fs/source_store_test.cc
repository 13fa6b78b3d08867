// The real store opens only what the manifest names, strictly inside SOURCE, at mount time.
#include "fs/source_store.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <system_error>

#include "fs/verified_file_core.h"
#include "tests/fs/signed_model.h"
#include "verifier/errors.h"

namespace sigmount::fs {
namespace {

using ::testing::HasSubstr;
using testing::TempDir;

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

std::string open_problem(const std::filesystem::path& root, std::vector<std::string> names,
                         bool allow_symlinks = false) {
  try {
    SourceStore store(root, files_named(std::move(names)), allow_symlinks,
                      hashing::ReaderBackend::pread);
  } catch (const verifier::VerificationError& error) {
    return error.what();
  }
  return "";
}

TEST(SourceStore, ReadsTheSignedFilesAndTheirSizes) {
  TempDir dir;
  auto content = testing::write_random_model(dir.path(), {{"a", 1000}, {"d/b", 70000}});
  for (auto backend : {hashing::ReaderBackend::pread, hashing::ReaderBackend::automatic}) {
    SourceStore store(dir.path(), files_named({"a", "d/b"}), false, backend);
    ASSERT_EQ(store.file_count(), 2u);
    EXPECT_EQ(store.size(1), 70000u);
    Bytes out(500);
    ASSERT_EQ(store.read(1, 69000, out), 500u);
    EXPECT_TRUE(std::equal(out.begin(), out.end(), content["d/b"].begin() + 69000));
  }
}

TEST(SourceStore, MissingOrIrregularFilesFailTheMountNamingEachOne) {
  TempDir dir;
  testing::write_random_model(dir.path(), {{"present", 10}});
  std::filesystem::create_directory(dir / "a_dir");
  ASSERT_EQ(mkfifo((dir / "fifo").c_str(), 0600), 0);
  const std::string problem = open_problem(dir.path(), {"present", "gone", "a_dir", "fifo"});
  EXPECT_THAT(problem, HasSubstr("\"gone\": missing"));
  EXPECT_THAT(problem, HasSubstr("\"a_dir\": not a regular file"));
  EXPECT_THAT(problem, HasSubstr("\"fifo\": not a regular file"));
  EXPECT_THAT(problem, ::testing::Not(HasSubstr("present")));
}

// "f<i>", built by appending: gcc 12 warns (-Wrestrict, a false positive) on "f" + to_string.
std::string numbered_name(int i) {
  std::string name(1, 'f');
  name += std::to_string(i);
  return name;
}

// Runs in a child (death-test machinery): lowers RLIMIT_NOFILE to `limit` (soft and hard),
// keeps all but `free_left` descriptors below it busy when that is set, then opens `count`
// signed files. Exits 0 after printing the one error the store threw, 1 on any other outcome.
[[noreturn]] void open_with_descriptor_limit(const std::filesystem::path& root, int count,
                                             rlim_t limit, int free_left = -1) {
  std::vector<std::string> names;
  names.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) names.push_back(numbered_name(i));
  // UBSan checks a virtual call's target type the first time it meets it, with a pipe (two
  // descriptors) to probe memory; with none left it reports a bad vptr. So fail one open
  // first, while descriptors are left: the error types of that path are met (and the checks
  // cached) before the descriptors run out.
  try {
    SourceStore warm_up(root, files_named({"missing"}), false, hashing::ReaderBackend::pread);
  } catch (const verifier::VerificationError&) {  // expected: "missing"
  }
  const rlimit lowered{.rlim_cur = limit, .rlim_max = limit};
  if (setrlimit(RLIMIT_NOFILE, &lowered) != 0) std::_Exit(2);
  if (free_left >= 0) {
    while (true) {
      const int fd = ::open("/", O_RDONLY | O_DIRECTORY);
      if (fd < 0) std::_Exit(2);
      if (fd >= static_cast<int>(limit) - free_left) break;
    }
  }
  try {
    SourceStore store(root, files_named(names), false, hashing::ReaderBackend::pread);
  } catch (const verifier::VerificationError& error) {
    std::fprintf(stderr, "per-file problems: %zu\n", error.problems().size());
    std::_Exit(1);
  } catch (const std::system_error& error) {
    std::fprintf(stderr, "%s\n", error.what());
    std::_Exit(error.code().value() == EMFILE ? 0 : 1);
  }
  std::_Exit(1);
}

// Too few descriptors is the host's limit, not a problem of each file: one message naming the
// limit and what it must be, before anything is opened (not one "Too many open files" line per
// file, as a mount of 10,000 files under a 2,048 limit printed 8,000 of).
TEST(SourceStoreDeathTest, TooLowADescriptorLimitFailsTheMountWithOneMessage) {
  // "fast": the child is forked here and uses the parent's model, which the parent removes
  // ("threadsafe" re-ran the test in the child, whose model _Exit left behind in /tmp).
  GTEST_FLAG_SET(death_test_style, "fast");
  TempDir dir;
  std::map<std::string, std::size_t> sizes;
  for (int i = 0; i < 300; ++i) sizes[numbered_name(i)] = 1;
  testing::write_random_model(dir.path(), sizes);
  EXPECT_EXIT(open_with_descriptor_limit(dir.path(), 300, 256), ::testing::ExitedWithCode(0),
              "cannot keep the 300 signed files open .*the open-file limit \\(RLIMIT_NOFILE\\) "
              "is 256; it needs to be at least 364");
  // Enough by count, but other descriptors of the process use up the rest while opening.
  EXPECT_EXIT(open_with_descriptor_limit(dir.path(), 300, 400, 20), ::testing::ExitedWithCode(0),
              "cannot keep the 300 signed files open .*is 400, and descriptors the process held "
              "already left too few");
}

TEST(SourceStore, NothingOutsideSourceIsEverOpened) {
  TempDir outside;
  testing::write_random_model(outside.path(), {{"secret", 10}});
  TempDir dir;
  testing::write_random_model(dir.path(), {{"real", 10}});
  std::filesystem::create_symlink(outside / "secret", dir / "escape");
  std::filesystem::create_symlink("../" + outside.path().filename().string() + "/secret",
                                  dir / "relative_escape");
  std::filesystem::create_directory_symlink(outside.path(), dir / "dirlink");
  std::filesystem::create_symlink("real", dir / "inside");

  EXPECT_THAT(open_problem(dir.path(), {"escape"}, true), HasSubstr("resolves outside SOURCE"));
  EXPECT_THAT(open_problem(dir.path(), {"relative_escape"}, true),
              HasSubstr("resolves outside SOURCE"));
  EXPECT_THAT(open_problem(dir.path(), {"dirlink/secret"}, true),
              HasSubstr("a parent directory is a symlink"));
  EXPECT_THAT(
      open_problem(dir.path(), {"../" + outside.path().filename().string() + "/secret"}, true),
      HasSubstr("resolves outside SOURCE"));
  // A symlinked file inside the model is fine only when the signature allows symlinks; a
  // symlinked directory never is (no walk of a model descends into one, so a signed name
  // through it was not made by signing the model).
  std::filesystem::create_directory(dir / "sub");
  testing::write_file(dir / "sub" / "f", as_bytes("in sub"));
  std::filesystem::create_directory_symlink("sub", dir / "sublink");
  EXPECT_EQ(open_problem(dir.path(), {"sub/f"}, true), "");
  EXPECT_THAT(open_problem(dir.path(), {"sublink/f"}, true),
              HasSubstr("\"sublink/f\": a parent directory is a symlink"));
  EXPECT_EQ(open_problem(dir.path(), {"inside"}, true), "");
  EXPECT_THAT(open_problem(dir.path(), {"inside"}, false), HasSubstr("symlink"));
  EXPECT_THAT(open_problem(dir.path(), {"escape"}, false), HasSubstr("symlink"));
}

TEST(SourceStore, RenamingOrReplacingAfterOpenDoesNotChangeWhatIsRead) {
  TempDir dir;
  auto content = testing::write_random_model(dir.path(), {{"f", 4096}});
  SourceStore store(dir.path(), files_named({"f"}), false, hashing::ReaderBackend::pread);
  std::filesystem::rename(dir / "f", dir / "moved");
  testing::write_file(dir / "f", Bytes(4096, 0));
  Bytes out(4096);
  ASSERT_EQ(store.read(0, 0, out), 4096u);
  EXPECT_EQ(out, content["f"]) << "the inode opened at mount is the one read";
}

TEST(SourceStore, ANameThatNoLongerLeadsToTheOpenedFileIsReported) {
  TempDir dir;
  testing::write_random_model(dir.path(), {{"a", 100}, {"d/b", 100}, {"c", 100}, {"target", 9}});
  std::filesystem::create_symlink("target", dir / "link");
  SourceStore store(dir.path(), files_named({"a", "d/b", "c", "link"}), /*allow_symlinks=*/true,
                    hashing::ReaderBackend::pread);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(store.replaced(i), std::nullopt) << i;

  testing::write_file(dir / "new", Bytes(100, 0));
  std::filesystem::rename(dir / "new", dir / "a");
  std::filesystem::rename(dir / "d", dir / "moved");
  // Written in place: the same file (what changed is for the hash to find).
  testing::write_file(dir / "c", Bytes(100, 1));
  // A symlink the signature allows is followed: the same file behind a new link is fine.
  std::filesystem::remove(dir / "link");
  std::filesystem::create_symlink("./target", dir / "link");

  EXPECT_EQ(store.replaced(0), "a different file (replaced)");
  EXPECT_EQ(store.replaced(1), "nothing (renamed away or deleted)");
  EXPECT_EQ(store.replaced(2), std::nullopt);
  EXPECT_EQ(store.replaced(3), std::nullopt);
  std::filesystem::rename(dir / "moved", dir / "d");
  EXPECT_EQ(store.replaced(1), std::nullopt) << "back where it was signed";
}

// SOURCE given as the signed file itself, or as a symlink to it (a "current" link): opened,
// and looked at, by the real file's name, so an untouched model is not "replaced".
TEST(SourceStore, AReplacedSingleFileModelIsReportedByItsRealName) {
  for (const std::string source : {"real.gguf", "current.gguf"}) {
    TempDir dir;
    testing::write_random_model(dir.path(), {{"real.gguf", 300}});
    std::filesystem::create_symlink("real.gguf", dir / "current.gguf");
    SourceStore store(dir / source, files_named({"."}), false, hashing::ReaderBackend::pread);
    EXPECT_EQ(store.replaced(0), std::nullopt) << source;
    testing::write_file(dir / "other", Bytes(300, 0));
    std::filesystem::rename(dir / "other", dir / "real.gguf");
    EXPECT_EQ(store.replaced(0), "a different file (replaced)") << source;
  }
}

// The look follows the rules of the open at mount: a parent directory swapped for a symlink
// (to a copy holding the same names) is refused, not followed.
TEST(SourceStore, AParentSwappedForASymlinkIsReportedNotFollowed) {
  TempDir dir;
  testing::write_random_model(dir.path(), {{"d/b", 100}});
  SourceStore store(dir.path(), files_named({"d/b"}), false, hashing::ReaderBackend::pread);
  std::filesystem::rename(dir / "d", dir / "elsewhere");
  std::filesystem::create_directory_symlink("elsewhere", dir / "d");
  EXPECT_THAT(store.replaced(0).value_or(""), HasSubstr("symlink"));
}

// A MOUNTPOINT inside SOURCE put this very mount on the path of a look from a daemon thread
// (a signed directory renamed away and the mount point's parent renamed in its place): 12
// readers deadlocked the daemon. Neither the open at mount nor the later look crosses a mount
// point.
TEST(SourceStore, NoLookCrossesAMountPointInsideSource) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to mount a tmpfs (CI runs as root)";
  TempDir dir;
  testing::write_random_model(dir.path(), {{"d/s/b", 100}});
  std::filesystem::create_directories(dir / "p" / "s");
  std::string mounted = (dir / "p" / "s").string();  // where to unmount, kept up to date
  ASSERT_EQ(::mount("sigmount-test", mounted.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, nullptr), 0)
      << std::strerror(errno);
  const std::unique_ptr<const std::string, void (*)(const std::string*)> unmount(
      &mounted, [](const std::string* path) { ::umount2(path->c_str(), MNT_DETACH); });
  testing::write_file(dir / "p" / "s" / "b", Bytes(100, 7));
  EXPECT_THAT(open_problem(dir.path(), {"p/s/b"}),
              HasSubstr("\"p/s/b\": resolves outside SOURCE or through a mount point inside it"));

  SourceStore store(dir.path(), files_named({"d/s/b"}), false, hashing::ReaderBackend::pread);
  std::filesystem::rename(dir / "d", dir / "d.old");
  std::filesystem::rename(dir / "p", dir / "d");  // d/s/b now leads into the tmpfs
  mounted = (dir / "d" / "s").string();
  EXPECT_THAT(store.replaced(0).value_or(""), HasSubstr("through a mount point"));
}

TEST(SourceStore, TruncationShowsAsAShortRead) {
  TempDir dir;
  testing::write_random_model(dir.path(), {{"f", 8192}});
  SourceStore store(dir.path(), files_named({"f"}), false, hashing::ReaderBackend::pread);
  std::filesystem::resize_file(dir / "f", 100);
  Bytes out(4096);
  EXPECT_LT(store.read(0, 4096, out), out.size());
  EXPECT_EQ(store.size(0), 8192u) << "the size seen at mount does not change";
}

TEST(SourceStore, SingleFileModel) {
  TempDir dir;
  auto content = testing::write_random_model(dir.path(), {{"model.gguf", 3000}});
  SourceStore store(dir / "model.gguf", files_named({"."}), false, hashing::ReaderBackend::pread);
  Bytes out(3000);
  ASSERT_EQ(store.read(0, 0, out), 3000u);
  EXPECT_EQ(out, content["model.gguf"]);
}

TEST(SourceStore, ReaderThreadsDoNotLeaveReadersBehind) {
  TempDir dir;
  std::map<std::string, std::size_t> sizes;
  std::vector<std::string> names;
  for (int i = 0; i < 6; ++i) {
    names.emplace_back(1, 'f');
    names.back() += std::to_string(i);
    sizes[names.back()] = 40 * kBlockSize;  // large enough for a reader thread each
  }
  auto content = testing::write_random_model(dir.path(), sizes);
  auto signed_model = testing::sign_model(dir.path(), names);
  SourceStore store(dir.path(), signed_model.manifest.files(), false,
                    hashing::ReaderBackend::automatic);
  CoreOptions options;
  options.verify_ahead = false;
  VerifiedFileCore core(signed_model.manifest, store, options, nullptr);
  for (std::size_t file = 0; file < names.size(); ++file) {
    const auto read = core.read(file, 0, 10);
    ASSERT_TRUE(read.ok());
  }
  EXPECT_EQ(core.counters().shards_verified, names.size());
  // Each first read streamed its file on a thread of its own; none left its reader behind.
  EXPECT_EQ(store.thread_readers(), 0u);
}

TEST(SourceStore, WithTheCoreATamperedSourceNeverServesTamperedBytes) {
  TempDir dir;
  auto content = testing::write_random_model(dir.path(), {{"w", 300000}});
  auto signed_model = testing::sign_model(dir.path(), {"w"});
  SourceStore store(dir.path(), signed_model.manifest.files(), false,
                    hashing::ReaderBackend::automatic);
  VerifiedFileCore core(signed_model.manifest, store, CoreOptions{0, false}, nullptr);
  auto read = core.read(0, 0, 300000);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read.concatenate(), content["w"]);
  // Flip one byte in place (same inode).
  const int fd = ::open((dir / "w").c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  const std::uint8_t flipped = content["w"][200000] ^ 0xff;
  ASSERT_EQ(::pwrite(fd, &flipped, 1, 200000), 1);
  ::close(fd);
  EXPECT_EQ(core.read(0, 199990, 20).error(), EIO);
  auto clean = core.read(0, 0, 1000);
  ASSERT_TRUE(clean.ok());
  EXPECT_EQ(clean.concatenate(), Bytes(content["w"].begin(), content["w"].begin() + 1000));
}

}  // namespace
}  // namespace sigmount::fs
