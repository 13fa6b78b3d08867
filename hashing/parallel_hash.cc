#include "hashing/parallel_hash.h"

#include <fcntl.h>
#include <sched.h>
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

#include "hashing/blake3.h"
#include "hashing/unique_fd.h"

namespace sigmount::hashing {

namespace {

struct RegularFile {
  UniqueFd fd;
  std::uint64_t size = 0;
};

// Only regular files are hashed. The walk checked that, but something else may have been put
// in a file's place since (a FIFO would have blocked the open forever).
RegularFile open_regular_file(const std::filesystem::path& path) {
  RegularFile file{open_for_reading(path)};
  if (file.fd.get() < 0) throw std::system_error(errno, std::generic_category(), "open");
  struct stat st {};
  if (::fstat(file.fd.get(), &st) != 0) {
    throw std::system_error(errno, std::generic_category(), "fstat");
  }
  if (!S_ISREG(st.st_mode)) {
    throw std::system_error(EINVAL, std::generic_category(), "not a regular file");
  }
  file.size = static_cast<std::uint64_t>(st.st_size);
  return file;
}

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

// BLAKE3 ranges longer than one piece are split into pieces of 2^kBlake3PieceLevel chunks
// (8 MiB), hashed as independent jobs and joined: one large file keeps every core busy.
constexpr unsigned kBlake3PieceLevel = 13;
constexpr std::uint64_t kBlake3PieceSize = std::uint64_t{Blake3::kChunkSize} << kBlake3PieceLevel;

// One unit of work: a whole range, or one piece of a split BLAKE3 range.
struct Job {
  enum class Kind : std::uint8_t { whole, complete_piece, last_piece };
  std::size_t range = 0;
  Kind kind = Kind::whole;
  std::size_t piece = 0;  // index of a complete piece within its range
  std::uint64_t start = 0;
  std::uint64_t end = 0;
};

// Results of a split range, filled by different workers (each slot by exactly one job).
struct SplitRange {
  std::vector<Blake3::ChainingValue> complete_pieces;
  std::unique_ptr<Blake3> last_piece;
};

// What one worker owns: its reader (an io_uring ring is single-issuer), hashers it reuses,
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

  // Opens the file (once per job) and runs `use` on its descriptor; a failure names the file.
  template <class UseFn>
  auto on_file(const std::filesystem::path& path, UseFn use) {
    try {
      const RegularFile file = open_regular_file(path);
      return use(file.fd.get());
    } catch (const std::system_error& e) {
      hasher_ = Hasher(hasher_.algorithm());  // drop partial state
      rethrow_naming(path, e);
    }
  }

  void run(const Job& job, std::span<const FileRange> ranges, std::vector<Digest>& digests,
           std::vector<std::unique_ptr<SplitRange>>& splits) {
    const FileRange& range = ranges[job.range];
    switch (job.kind) {
      case Job::Kind::whole:
        digests[job.range] = on_file(range.path, [&](int fd) {
          read_range(fd, job.start, job.end, [&](ByteView bytes) { hasher_.update(bytes); });
          return hasher_.finish();
        });
        return;
      case Job::Kind::complete_piece:
      case Job::Kind::last_piece: {
        auto piece_hasher = std::make_unique<Blake3>();
        piece_hasher->start_at_chunk((job.start - range.start) / Blake3::kChunkSize);
        on_file(range.path, [&](int fd) {
          read_range(fd, job.start, job.end, [&](ByteView bytes) { piece_hasher->update(bytes); });
          return 0;
        });
        SplitRange& split = *splits[job.range];
        if (job.kind == Job::Kind::complete_piece) {
          split.complete_pieces[job.piece] = piece_hasher->subtree_cv();
        } else {
          split.last_piece = std::move(piece_hasher);
        }
        return;
      }
    }
  }

  Digest hash_whole_file(int fd, std::uint64_t size) {
    read_range(fd, 0, size, [&](ByteView bytes) { hasher_.update(bytes); });
    return hasher_.finish();
  }

 private:
  // Reads [start, end) of `fd` in buffer-sized pieces, reading the next one (where the
  // backend is asynchronous) while `consume` hashes the current one.
  template <class Consume>
  void read_range(int fd, std::uint64_t start, std::uint64_t end, Consume consume) {
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
      consume(ByteView(piece));
      report_progress(piece.size(), next >= end);
      offset = next;
      current = 1 - current;
    }
  }

  // Calls the progress callback every kProgressStep bytes and at the end of each range, not
  // after every read: callers may take a lock in it.
  void report_progress(std::size_t bytes, bool range_done) {
    if (!progress_) return;
    unreported_ += bytes;
    if (unreported_ >= kProgressStep || (range_done && unreported_ > 0)) {
      progress_(unreported_);
      unreported_ = 0;
    }
  }
  static constexpr std::uint64_t kProgressStep = std::uint64_t{4} << 20;

  std::size_t buffer_size_;
  // Declared before the reader: an outstanding io_uring read targets these buffers, and the
  // reader waits for it when destroyed, which must happen while the buffers still exist.
  std::unique_ptr<std::uint8_t[]> buffers_[2];
  std::unique_ptr<FileReader> reader_;
  Hasher hasher_;
  const std::function<void(std::uint64_t)>& progress_;
  std::uint64_t unreported_ = 0;
};

// CPUs this process may run on (taskset, cpusets), which can be far fewer than the machine's
// (std::thread::hardware_concurrency counts those).
unsigned usable_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) == 0) {
    const int count = CPU_COUNT(&set);
    if (count > 0) return static_cast<unsigned>(count);
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

unsigned requested_workers(const HashOptions& options) {
  return options.workers != 0 ? options.workers : usable_cpus();
}

// The jobs for `ranges`, largest first so a big one does not start last and leave the other
// cores idle at the end.
std::vector<Job> plan_jobs(std::span<const FileRange> ranges, bool split_blake3,
                           std::vector<std::unique_ptr<SplitRange>>& splits) {
  std::vector<Job> jobs;
  jobs.reserve(ranges.size());
  for (std::size_t r = 0; r < ranges.size(); ++r) {
    const FileRange& range = ranges[r];
    if (!split_blake3 || range_size(range) <= kBlake3PieceSize) {
      jobs.push_back({r, Job::Kind::whole, 0, range.start, range.end});
      continue;
    }
    const std::uint64_t complete = (range_size(range) - 1) / kBlake3PieceSize;
    splits[r] = std::make_unique<SplitRange>();
    splits[r]->complete_pieces.resize(complete);
    for (std::uint64_t i = 0; i < complete; ++i) {
      const std::uint64_t start = range.start + i * kBlake3PieceSize;
      jobs.push_back({r, Job::Kind::complete_piece, i, start, start + kBlake3PieceSize});
    }
    jobs.push_back(
        {r, Job::Kind::last_piece, 0, range.start + complete * kBlake3PieceSize, range.end});
  }
  std::stable_sort(jobs.begin(), jobs.end(),
                   [](const Job& a, const Job& b) { return a.end - a.start > b.end - b.start; });
  return jobs;
}

}  // namespace

std::vector<Digest> hash_ranges(std::span<const FileRange> ranges, const HashOptions& options) {
  for (const FileRange& range : ranges) {
    if (range.start > range.end) {
      throw std::invalid_argument(range.path.string() + ": range start " +
                                  std::to_string(range.start) + " is after its end " +
                                  std::to_string(range.end));
    }
  }
  std::vector<Digest> digests(ranges.size());
  if (ranges.empty()) return digests;

  const unsigned wanted_workers = requested_workers(options);
  std::vector<std::unique_ptr<SplitRange>> splits(ranges.size());
  const std::vector<Job> jobs =
      plan_jobs(ranges, options.algorithm == HashAlgorithm::blake3 && wanted_workers > 1, splits);
  const std::uint64_t largest_job = jobs.front().end - jobs.front().start;
  const auto buffer_size = static_cast<std::size_t>(
      std::min<std::uint64_t>(largest_job, std::max<std::size_t>(options.read_size, 1)));

  std::atomic<std::size_t> next_job{0};
  std::atomic<bool> failed{false};
  std::exception_ptr first_error;
  std::mutex error_mutex;

  auto work = [&] {
    try {
      RangeHasher hasher(options, buffer_size);
      while (!failed.load(std::memory_order_relaxed)) {
        const std::size_t job = next_job.fetch_add(1, std::memory_order_relaxed);
        if (job >= jobs.size()) break;
        hasher.run(jobs[job], ranges, digests, splits);
      }
    } catch (...) {
      const std::lock_guard lock(error_mutex);
      if (!first_error) first_error = std::current_exception();
      failed.store(true, std::memory_order_relaxed);
    }
  };

  const auto workers = static_cast<unsigned>(std::min<std::size_t>(wanted_workers, jobs.size()));
  if (workers <= 1) {
    work();
  } else {
    std::vector<std::jthread> threads;
    threads.reserve(workers - 1);
    for (unsigned i = 1; i < workers; ++i) threads.emplace_back(work);
    work();
    threads.clear();  // joins
  }
  if (first_error) std::rethrow_exception(first_error);

  for (std::size_t r = 0; r < ranges.size(); ++r) {
    if (!splits[r]) continue;
    const Blake3 joined =
        Blake3::join(splits[r]->complete_pieces, kBlake3PieceLevel, *splits[r]->last_piece);
    digests[r] = Digest(joined.finalize());
  }
  return digests;
}

Digest hash_file(const std::filesystem::path& path, HashAlgorithm algorithm,
                 ReaderBackend backend) {
  try {
    const RegularFile file = open_regular_file(path);
    const std::uint64_t size = file.size;
    HashOptions options;
    options.algorithm = algorithm;
    options.backend = backend;
    RangeHasher hasher(options,
                       static_cast<std::size_t>(std::min<std::uint64_t>(size, options.read_size)));
    return hasher.hash_whole_file(file.fd.get(), size);
  } catch (const std::system_error& e) {
    rethrow_naming(path, e);
  }
}

}  // namespace sigmount::hashing
