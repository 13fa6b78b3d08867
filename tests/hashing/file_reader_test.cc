#include "hashing/file_reader.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <optional>
#include <random>
#include <string>
#include <system_error>

#include "tests/common/random_bytes.h"
#include "tests/common/scoped_env.h"
#include "tests/common/temp_dir.h"

namespace sigmount::hashing {
namespace {

using testing::random_bytes;
using testing::ScopedEnv;
using testing::TempDir;

class Fd {
 public:
  explicit Fd(const std::filesystem::path& path) : fd_(::open(path.c_str(), O_RDONLY)) {
    if (fd_ < 0) throw std::runtime_error("open " + path.string());
  }
  ~Fd() { ::close(fd_); }
  int get() const { return fd_; }

 private:
  int fd_;
};

// Backends to cover: pread always; io_uring where this machine allows it.
std::vector<ReaderBackend> backends() {
  std::vector<ReaderBackend> out{ReaderBackend::pread};
  if (io_uring_available()) out.push_back(ReaderBackend::io_uring);
  return out;
}

void expect_random_reads_match(FileReader& reader, const std::filesystem::path& file,
                               const Bytes& content) {
  const Fd fd(file);
  std::mt19937_64 rng(42);
  for (int i = 0; i < 200; ++i) {
    const std::size_t offset = rng() % content.size();
    const std::size_t len = rng() % (content.size() - offset + 1);
    Bytes out(len);
    reader.read_exact(fd.get(), offset, out);
    ASSERT_TRUE(std::equal(out.begin(), out.end(), content.begin() + static_cast<long>(offset)))
        << reader.backend_name() << " offset " << offset << " len " << len;
  }
  // Read-ahead API: the same bytes.
  Bytes out(content.size() / 3);
  reader.begin_read(fd.get(), 5, out);
  reader.complete_read();
  EXPECT_TRUE(std::equal(out.begin(), out.end(), content.begin() + 5)) << reader.backend_name();
}

TEST(FileReader, BackendsReturnTheFileBytes) {
  const TempDir dir;
  const Bytes content = random_bytes(3 * 1024 * 1024 + 17, 1);
  const auto file = dir.write("data", content);
  for (auto backend : backends()) {
    const auto reader = make_file_reader(backend);
    EXPECT_EQ(reader->backend_name(), backend == ReaderBackend::pread ? "pread" : "io_uring");
    expect_random_reads_match(*reader, file, content);
  }
}

TEST(FileReader, EnvironmentForcesTheBackend) {
  const TempDir dir;
  const Bytes content = random_bytes(100000, 2);
  const auto file = dir.write("data", content);
  {
    const ScopedEnv env("SIGMOUNT_READER", "pread");
    EXPECT_EQ(resolve_backend(ReaderBackend::automatic), ReaderBackend::pread);
    const auto reader = make_file_reader();
    EXPECT_EQ(reader->backend_name(), "pread");
    expect_random_reads_match(*reader, file, content);
    // An explicit request wins over the environment.
    EXPECT_EQ(resolve_backend(ReaderBackend::io_uring), ReaderBackend::io_uring);
  }
  if (io_uring_available()) {
    const ScopedEnv env("SIGMOUNT_READER", "io_uring");
    const auto reader = make_file_reader();
    EXPECT_EQ(reader->backend_name(), "io_uring");
    expect_random_reads_match(*reader, file, content);
  }
  {
    const ScopedEnv env("SIGMOUNT_READER", "mmap");
    EXPECT_THROW(make_file_reader(), std::invalid_argument);
  }
}

TEST(FileReader, AutomaticFollowsTheProbe) {
  const ScopedEnv env("SIGMOUNT_READER", "");
  EXPECT_EQ(resolve_backend(ReaderBackend::automatic),
            io_uring_available() ? ReaderBackend::io_uring : ReaderBackend::pread);
}

// Makes io_uring_setup fail with EPERM in this process, as container seccomp profiles do.
bool deny_io_uring_setup() {
#if defined(__NR_io_uring_setup)
  sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  sock_fprog program{static_cast<unsigned short>(std::size(filter)), filter};
  return ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
         ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) == 0;
#else
  return false;
#endif
}

// Under a seccomp filter that refuses io_uring, `automatic` falls back to pread and an
// explicit io_uring request fails loudly. Runs in a fresh process (death-test machinery) so
// the once-per-process probe has not run yet and the filter does not outlive the test.
TEST(FileReaderDeathTest, AutomaticFallsBackToPreadUnderSeccomp) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const ScopedEnv env("SIGMOUNT_READER", "");
  EXPECT_EXIT(
      {
        if (!deny_io_uring_setup()) std::_Exit(3);
        if (io_uring_available()) std::_Exit(4);
        if (make_file_reader()->backend_name() != "pread") std::_Exit(5);
        try {
          make_file_reader(ReaderBackend::io_uring);
          std::_Exit(6);
        } catch (const std::system_error& e) {
          if (e.code() != std::errc::operation_not_permitted) std::_Exit(7);
        }
        std::_Exit(0);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST(FileReader, ReadPastEndThrows) {
  const TempDir dir;
  const Bytes content = random_bytes(10000, 3);
  const auto file = dir.write("data", content);
  const Fd fd(file);
  for (auto backend : backends()) {
    const auto reader = make_file_reader(backend);
    Bytes out(100);
    EXPECT_THROW(reader->read_exact(fd.get(), 9950, out), std::system_error)
        << reader->backend_name();
    EXPECT_THROW(reader->read_exact(fd.get(), 20000, out), std::system_error)
        << reader->backend_name();
    // The reader is still usable afterwards, and an empty read at the end is fine.
    reader->read_exact(fd.get(), 9900, out);
    EXPECT_TRUE(std::equal(out.begin(), out.end(), content.begin() + 9900));
    reader->read_exact(fd.get(), 10000, {});
  }
}

TEST(FileReader, BadDescriptorThrows) {
  for (auto backend : backends()) {
    const auto reader = make_file_reader(backend);
    Bytes out(10);
    EXPECT_THROW(reader->read_exact(-1, 0, out), std::system_error) << reader->backend_name();
  }
}

}  // namespace
}  // namespace sigmount::hashing
