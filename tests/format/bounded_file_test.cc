#include "verifier/format/bounded_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <system_error>

#include "hashing/unique_fd.h"
#include "tests/common/temp_dir.h"
#include "verifier/errors.h"

namespace sigmount::verifier {
namespace {

TEST(BoundedFile, ReadsAFileUpToItsBoundExactly) {
  const testing::TempDir dir;
  const std::string content(100'000, 'x');  // more than one read chunk
  EXPECT_EQ(read_bounded_file(dir.write("at-bound", content), content.size(), "bundle"), content);
  EXPECT_EQ(read_bounded_file(dir.write("empty", ""), 10, "bundle"), "");
}

TEST(BoundedFile, RefusesAFileOneByteOverItsBound) {
  const testing::TempDir dir;
  const auto path = dir.write("over", std::string(1001, 'x'));
  try {
    read_bounded_file(path, 1000, "signature");
    FAIL() << "read a file over its bound";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("signature " + path.string() + ": larger than 1000"),
              std::string::npos)
        << e.what();
  }
}

// Files without a size: what a pipe holds is read; an endless device stops at the bound
// instead of filling memory.
TEST(BoundedFile, BoundsFilesWithoutASize) {
  int ends[2];
  ASSERT_EQ(::pipe(ends), 0);
  const UniqueFd read_end(ends[0]);
  {
    const UniqueFd write_end(ends[1]);
    ASSERT_EQ(::write(write_end.get(), "{}", 2), 2);
  }
  EXPECT_EQ(read_bounded_file("/proc/self/fd/" + std::to_string(read_end.get()), 10, "bundle"),
            "{}");
  EXPECT_THROW(read_bounded_file("/dev/zero", 1 << 20, "bundle"), FormatError);
}

// A FIFO planted where a signature is looked for must not hang verify or mount.
TEST(BoundedFile, ANamedPipeWithoutAWriterReadsAsEmpty) {
  const testing::TempDir dir;
  const auto fifo = dir / "model.sig";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(read_bounded_file(fifo, 10, "signature"), "");
}

TEST(BoundedFile, NamesWhatCouldNotBeOpened) {
  const testing::TempDir dir;
  try {
    read_bounded_file(dir / "missing.pub", 10, "public key");
    FAIL() << "opened a missing file";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code().value(), ENOENT);
    EXPECT_NE(std::string(e.what()).find("cannot open public key "), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace sigmount::verifier
