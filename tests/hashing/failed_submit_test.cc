// The io_uring reader after io_uring_submit fails: the read it had queued must never run, since
// the caller may by then have freed, hashed or served the buffer it named. This binary defines
// io_uring_submit itself, so that the reader's calls (linked into it) can be made to fail once;
// otherwise it forwards to liburing's. It is a binary of its own so that no other test runs over
// the stand-in.
#include <dlfcn.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <liburing.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <vector>

#include "hashing/file_reader.h"
#include "tests/common/random_bytes.h"
#include "tests/common/temp_dir.h"

namespace {

std::atomic<int> submits_to_fail{0};

}  // namespace

// No SQE reaches the kernel before a real submit: failing here leaves the read queued in the
// ring, exactly as a submit the kernel refused (ENOMEM, EBUSY) does.
extern "C" int io_uring_submit(struct io_uring* ring) {
  using Submit = int (*)(struct io_uring*);
  static const auto real = reinterpret_cast<Submit>(::dlsym(RTLD_NEXT, "io_uring_submit"));
  if (real == nullptr) std::abort();
  int left = submits_to_fail.load();
  while (left > 0 && !submits_to_fail.compare_exchange_weak(left, left - 1)) {
  }
  if (left > 0) return -ENOMEM;
  return real(ring);
}

namespace sigmount::hashing {
namespace {

TEST(FailedSubmit, TheQueuedReadNeverRunsOnceTheReadFailed) {
  if (!io_uring_available()) GTEST_SKIP() << "io_uring is not available to this process";
  const testing::TempDir dir;
  const Bytes content = testing::random_bytes(std::size_t{3} * 4096, 7);
  const auto path = dir.write("file", content);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  const auto reader = make_file_reader(ReaderBackend::io_uring);

  // The caller's buffer for the failed read, afterwards reused for something else.
  std::vector<std::uint8_t> failed(4096, 0);
  submits_to_fail = 1;
  EXPECT_THROW(reader->read_exact(fd, 0, failed), std::system_error);
  std::fill(failed.begin(), failed.end(), 0xAA);

  // Later reads through the same reader are right, and send nothing else with them.
  for (std::uint64_t offset : {4096u, 8192u, 4096u}) {
    std::vector<std::uint8_t> out(4096);
    reader->read_exact(fd, offset, out);
    EXPECT_TRUE(std::equal(out.begin(), out.end(), content.begin() + offset)) << offset;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // for a stray completion
  EXPECT_TRUE(std::all_of(failed.begin(), failed.end(), [](std::uint8_t b) { return b == 0xAA; }))
      << "the failed read ran after all and wrote into a buffer its caller had reused";
  ::close(fd);
}

}  // namespace
}  // namespace sigmount::hashing
