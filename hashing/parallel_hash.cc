#include "hashing/parallel_hash.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <exception>
#include <memory>
#include <mutex>
#include <numeric>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>

namespace sigmount::hashing {

namespace {

// A read-only descriptor, closed on scope exit.
class OpenFile {
 public:
  explicit OpenFile(const std::filesystem::path& path)
      : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "open");
  }
  ~OpenFile() { ::close(fd_); }
  OpenFile(const OpenFile&) = delete;
  OpenFile& operator=(const OpenFile&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

// Re-throws a system_error with the file name in front, so a user knows which file failed.
[[noreturn]] void rethrow_naming(const std::filesystem::path& path, const std::system_error& e) {
  std::string detail = e.what();
  const std::string suffix = ": " + e.code().message();
  if (detail.size() >= suffix.size() && detail.ends_with(suffix)) {
    detail.resize(detail.size() - suffix.size());
  }
  throw std::system_error(e.code(), path.string() + ": " + detail);
}

std::uint64_t range_size(const FileRange& range) {
  return range.end - range.start;
}

// What one worker owns: its reader (an io_uring ring is single-issuer), a hasher it reuses,
// and two buffers so the next read can run while the current buffer is hashed.
class RangeHasher {
 public:
  RangeHasher(const HashOptions& options, std::size_t buffer_size)
      : buffer_size_(std::max<std::size_t>(buffer_size, 1)),
        buffers_{std::make_unique_for_overwrite<std::uint8_t[]>(buffer_size_),
                 std::make_unique_for_overwrite<std::uint8_t[]>(buffer_size_)},
        reader_(make_file_reader(options.backend)),
        hasher_(options.algorithm),
        progress_(options.progress) {}

  Digest hash(const FileRange& range) {
    try {
      const OpenFile file(range.path);
      hash_open_file(file.fd(), range.start, range.end);
      return hasher_.finish();
    } catch (const std::system_error& e) {
      hasher_ = Hasher(hasher_.algorithm());  // drop partial state
      rethrow_naming(range.path, e);
    }
  }

  Digest finish() { return hasher_.finish(); }

  void hash_open_file(int fd, std::uint64_t start, std::uint64_t end) {
    if (end > start) ::posix_fadvise(fd, static_cast<off_t>(start), 0, POSIX_FADV_SEQUENTIAL);
    auto piece_at = [&](std::uint64_t offset, int which) {
      const auto len =
          static_cast<std::size_t>(std::min<std::uint64_t>(end - offset, buffer_size_));
      return std::span<std::uint8_t>(buffers_[which].get(), len);
    };
    std::uint64_t offset = start;
    int current = 0;
    if (offset < end) reader_->begin_read(fd, offset, piece_at(offset, current));
    while (offset < end) {
      const std::span<std::uint8_t> piece = piece_at(offset, current);
      reader_->complete_read();
      const std::uint64_t next = offset + piece.size();
      if (next < end) reader_->begin_read(fd, next, piece_at(next, 1 - current));
      hasher_.update(piece);
      if (progress_) progress_(piece.size());
      offset = next;
      current = 1 - current;
    }
  }

 private:
  std::size_t buffer_size_;
  // Declared before the reader: an outstanding io_uring read targets these buffers, and the
  // reader waits for it when destroyed, which must happen while the buffers still exist.
  std::unique_ptr<std::uint8_t[]> buffers_[2];
  std::unique_ptr<FileReader> reader_;
  Hasher hasher_;
  const std::function<void(std::uint64_t)>& progress_;
};

unsigned worker_count(const HashOptions& options, std::size_t jobs) {
  unsigned workers = options.workers;
  if (workers == 0) workers = std::max(1u, std::thread::hardware_concurrency());
  return static_cast<unsigned>(std::min<std::size_t>(workers, std::max<std::size_t>(jobs, 1)));
}

}  // namespace

std::vector<Digest> hash_ranges(std::span<const FileRange> ranges, const HashOptions& options) {
  std::uint64_t largest = 0;
  for (const FileRange& range : ranges) {
    if (range.start > range.end) {
      throw std::invalid_argument(range.path.string() + ": range start " +
                                  std::to_string(range.start) + " is after its end " +
                                  std::to_string(range.end));
    }
    largest = std::max(largest, range_size(range));
  }
  const auto buffer_size = static_cast<std::size_t>(
      std::min<std::uint64_t>(largest, std::max<std::size_t>(options.read_size, 1)));
  std::vector<Digest> digests(ranges.size());
  if (ranges.empty()) return digests;

  // Largest first, so a big shard does not start last and leave the other cores idle.
  std::vector<std::size_t> order(ranges.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return range_size(ranges[a]) > range_size(ranges[b]);
  });

  std::atomic<std::size_t> next_job{0};
  std::atomic<bool> failed{false};
  std::exception_ptr first_error;
  std::mutex error_mutex;

  auto work = [&] {
    try {
      RangeHasher hasher(options, buffer_size);
      while (!failed.load(std::memory_order_relaxed)) {
        const std::size_t job = next_job.fetch_add(1, std::memory_order_relaxed);
        if (job >= order.size()) break;
        digests[order[job]] = hasher.hash(ranges[order[job]]);
      }
    } catch (...) {
      const std::lock_guard lock(error_mutex);
      if (!first_error) first_error = std::current_exception();
      failed.store(true, std::memory_order_relaxed);
    }
  };

  const unsigned workers = worker_count(options, ranges.size());
  if (workers == 1) {
    work();
  } else {
    std::vector<std::jthread> threads;
    threads.reserve(workers - 1);
    for (unsigned i = 1; i < workers; ++i) threads.emplace_back(work);
    work();
    threads.clear();  // joins
  }
  if (first_error) std::rethrow_exception(first_error);
  return digests;
}

Digest hash_file(const std::filesystem::path& path, HashAlgorithm algorithm,
                 ReaderBackend backend) {
  try {
    const OpenFile file(path);
    struct stat st {};
    if (::fstat(file.fd(), &st) != 0)
      throw std::system_error(errno, std::generic_category(), "fstat");
    const auto size = static_cast<std::uint64_t>(st.st_size);
    HashOptions options;
    options.algorithm = algorithm;
    options.backend = backend;
    RangeHasher hasher(options,
                       static_cast<std::size_t>(std::min<std::uint64_t>(size, kHashChunkSize)));
    hasher.hash_open_file(file.fd(), 0, size);
    return hasher.finish();
  } catch (const std::system_error& e) {
    rethrow_naming(path, e);
  }
}

}  // namespace sigmount::hashing
