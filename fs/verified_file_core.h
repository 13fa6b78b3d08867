// "Give me verified bytes of file F at [offset, offset+length)": the whole job of the mount,
// without FUSE, so it can be tested with stores that lie.
//
// How bytes become servable:
//  * First touch of a shard (in the files serialization the whole file is the one shard; its
//    length is the backing size at mount) streams the shard block by block (64 KiB, buffers
//    from a BlockPool; a reader thread reads and fingerprints ahead, see shard_stream.h) through
//    ShardHasher, which records each block's fingerprint and compares the shard digest with the
//    signed one. The blocks the caller asked for are always kept in the very buffers that were
//    hashed; the blocks after them are kept too while the cache has room (a cheap read-ahead);
//    everything else is dropped as streaming goes on, so a 1 GB shard never needs 1 GB of RAM.
//    On a match the kept blocks become VerifiedBytes and go to the cache.
//  * A block that is no longer held (never kept, or evicted) is read again on its own, checked
//    against its fingerprint and served from that buffer; the blocks of one read are re-checked
//    on all cores (WorkerPool). The core never remembers "verified" about bytes it does not
//    hold; it only remembers fingerprints.
//  * Any mismatch (shard digest or block fingerprint), short read or I/O error fails the read
//    with EIO: a read returns bytes only if every one of them is verified.
//  * Verify-ahead: the first read of a shard queues the next one (in manifest order) for a
//    background thread, which verifies it like a first touch with no bytes requested.
//
// Threads: any number may call read() at once. Readers of a shard that is being verified wait
// for that one verification (per-shard state + condition variable) instead of starting their
// own, whether a reader or the verify-ahead thread started it. Helper threads start on first
// use, never in the constructor: the daemon builds the core before it forks.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <span>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "fs/backing_store.h"
#include "fs/block_cache.h"
#include "fs/block_fingerprints.h"
#include "fs/block_pool.h"
#include "fs/fingerprint_budget.h"
#include "fs/repeat_throttle.h"
#include "fs/verified_bytes.h"
#include "fs/worker_pool.h"
#include "verifier/verified_manifest.h"

namespace sigmount::fs {

struct CoreOptions {
  std::uint64_t cache_size = 192ULL << 20;
  // Bytes of block fingerprints kept (fingerprint_budget.h); least recently used shards beyond
  // it lose theirs and are hashed again in full when next needed.
  std::uint64_t fingerprint_budget = 32ULL << 20;
  // After the first mismatch every read of every file fails.
  bool fail_closed = false;
  // Threads that help re-check the blocks of one read in parallel (besides the reading thread).
  unsigned verify_helpers = default_verify_helpers();
  // After the first read of a shard, verify the next one (the file's next shard, or the next
  // file's first) on a background thread, so that a loader reading the model in order finds it
  // verified: its digest is computed while the reader is still busy with the previous shard.
  // A mismatch found ahead counts like any other (and trips fail_closed).
  bool verify_ahead = true;
  // A mismatch or read error of the same kind (file, shard, check and what was found; for a
  // read error, file and errno) within this interval of the last one logged is held back, not
  // logged; the next line logged for that kind, or flush_held_log_lines(), accounts for it
  // with "suppressed" (repeat_throttle.h). Zero logs every one.
  std::chrono::steady_clock::duration repeat_log_interval = std::chrono::seconds(10);
  // The clock of that interval (tests replace it).
  std::function<std::chrono::steady_clock::time_point()> log_clock = std::chrono::steady_clock::now;

  static unsigned default_verify_helpers() {
    const unsigned cpus = std::thread::hardware_concurrency();
    return cpus > 1 ? cpus - 1 : 0;
  }
};

// What verify_all tells while it runs (a service manager waiting for a large model wants to know
// it is moving).
struct VerifyAllProgress {
  std::chrono::steady_clock::duration interval = std::chrono::seconds(5);
  // Every `interval` while hashing goes on, and once when the last worker is done: the bytes
  // hashed so far (of shards finished or still streaming) and the bytes of all shards. Called
  // on verify_all's own thread, never concurrently. Empty: no reports.
  std::function<void(std::uint64_t hashed, std::uint64_t total)> report;
};

// Receives one JSON object per line-worthy event (mismatches, read errors). Called from any
// thread; must be thread-safe.
using EventSink = std::function<void(const std::string& json_line)>;

// Who asked for a read, as FUSE tells it. pid 0: not known (a process outside the daemon's
// pid namespace, or no FUSE at all).
struct Reader {
  std::int32_t pid = 0;
};

// The last read the core refused (EIO): what an operator needs to find the cause of a reader's
// "Input/output error", or of the SIGBUS an mmap reader gets instead.
struct RefusedRead {
  std::string time;
  std::string file;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
  std::int32_t pid = 0;
  std::string process;  // the reader's /proc/PID/comm, "" if unknown
};

struct CounterSnapshot {
  std::uint64_t shards_verified = 0;
  std::uint64_t shards_verified_ahead = 0;  // of shards_verified, by the background thread
  std::uint64_t bytes_verified = 0;         // shard bytes hashed and matched on first touch
  std::uint64_t blocks_reverified = 0;
  std::uint64_t mismatches = 0;
  std::uint64_t read_errors = 0;
  std::uint64_t cache_hits = 0;    // blocks
  std::uint64_t cache_misses = 0;  // blocks
  std::uint64_t cache_evictions = 0;
  std::uint64_t cached_bytes = 0;
  std::uint64_t cache_capacity = 0;
  std::uint64_t fingerprint_bytes = 0;
  std::uint64_t fingerprints_dropped = 0;  // shards that lost theirs to the budget
  std::uint64_t pool_overflows = 0;        // block buffers the pool had no slot for
  std::uint64_t bytes_served = 0;
  std::uint64_t reads = 0;
  std::uint64_t refused_reads = 0;  // reads answered EIO
  bool failed_closed = false;
  std::optional<RefusedRead> last_refused_read;
};

// The "counters" object of `sigmount status` and of the daemon's last log line.
nlohmann::ordered_json counters_object(const CounterSnapshot& counters);
// {"time", "file", "offset", "length", "pid", "process"}.
nlohmann::ordered_json refused_read_object(const RefusedRead& refused);

// The result of read(): either an errno value, or pieces whose concatenation is the requested
// range (clipped at the end of the file). Every piece is VerifiedBytes.
class VerifiedRead {
 public:
  static VerifiedRead failure(int errno_value) {
    VerifiedRead out;
    out.error_ = errno_value;
    return out;
  }
  int error() const { return error_; }
  bool ok() const { return error_ == 0; }
  const std::vector<VerifiedBytes>& pieces() const { return pieces_; }
  std::uint64_t size() const;
  // Copies the pieces into one buffer (tests, small reads).
  Bytes concatenate() const;

 private:
  friend class VerifiedFileCore;
  int error_ = 0;
  std::vector<VerifiedBytes> pieces_;
};

class VerifiedFileCore {
 public:
  // Checks that the store holds the manifest's files (same count), that each sharded file's
  // size at mount is the signed size, and that a whole-file digest is that of no bytes exactly
  // when the file is empty. No file is read or hashed here. Throws verifier::VerificationError
  // listing the problems.
  VerifiedFileCore(const verifier::VerifiedManifest& manifest, BackingStore& store,
                   CoreOptions options, EventSink events);
  ~VerifiedFileCore();
  VerifiedFileCore(const VerifiedFileCore&) = delete;
  VerifiedFileCore& operator=(const VerifiedFileCore&) = delete;

  std::size_t file_count() const { return files_.size(); }
  const std::string& path(std::size_t file) const { return files_[file].path; }
  std::uint64_t size(std::size_t file) const { return files_[file].size; }

  // A read answered EIO is logged ("read_refused", naming the file, the range and `reader`) and
  // kept as the last refused read of counters().
  VerifiedRead read(std::size_t file, std::uint64_t offset, std::uint64_t length,
                    Reader reader = {}) noexcept;

  // Verifies every shard of every file on `workers` threads (0: one per CPU); records all
  // fingerprints, keeps no bytes. Throws verifier::VerificationError with one line per bad
  // shard. Meant for before serving: with readers at work, `progress` counts their hashing too.
  void verify_all(unsigned workers = 0, const VerifyAllProgress& progress = {});

  CounterSnapshot counters() const;

  // Waits until the background thread has verified everything queued so far (tests).
  void wait_for_verify_ahead();

  // With fail_closed: blocks until the first mismatch has failed the mount closed (true) or
  // `stop` is requested (false). The FUSE layer then drops what the kernel has cached, which
  // the core cannot refuse to serve.
  bool wait_until_failed_closed(const std::stop_token& stop);
  // Logs the lines held back by the repeat interval, each with "suppressed": the number of
  // others it stands for. The daemon calls this every interval and at unmount.
  void flush_held_log_lines();
  std::chrono::steady_clock::duration repeat_log_interval() const {
    return options_.repeat_log_interval;
  }

 private:
  struct ShardState;
  struct FileState {
    std::string path;
    std::uint64_t size = 0;
    std::vector<verifier::Shard> shards;  // ends resolved (never kToEndOfFile)
    std::vector<std::unique_ptr<ShardState>> states;
  };

  VerifiedRead read_blocks(std::size_t file, std::uint64_t offset, std::uint64_t length);
  // Verified blocks [first, last] of a shard, in order, or an errno.
  int shard_blocks(std::uint32_t file, std::uint32_t shard, std::uint64_t first, std::uint64_t last,
                   std::vector<VerifiedBytes>& out);
  // Ensures the shard's fingerprints exist (verifying it if nobody has), keeping blocks
  // [first, last] if this call is the one that streams it.
  // `background`: called by the verify-ahead thread, which stops early (ECANCELED) when asked.
  int ensure_verified(std::uint32_t file, std::uint32_t shard, std::uint64_t first,
                      std::uint64_t last, bool read_ahead,
                      std::shared_ptr<const BlockFingerprints>& fingerprints,
                      std::vector<std::optional<VerifiedBytes>>& kept,
                      const std::stop_token* background = nullptr);
  int stream_shard(std::uint32_t file, std::uint32_t shard, std::uint64_t first, std::uint64_t last,
                   bool read_ahead, bool& mismatched,
                   std::shared_ptr<const BlockFingerprints>& fingerprints,
                   std::vector<std::optional<VerifiedBytes>>& kept,
                   const std::stop_token* background);
  // Records a newly verified shard's fingerprints against the budget and drops those of the
  // shards that no longer fit. Called with no lock held.
  void admit_fingerprints(ShardKey key, const BlockFingerprints& fingerprints);
  int reverify_block(std::uint32_t file, std::uint32_t shard, std::uint64_t block,
                     const BlockFingerprints& fingerprints, VerifiedBytes& out);
  // Queues the shard after (file, shard) for background verification if nobody touched it yet.
  void queue_next_shard(std::uint32_t file, std::uint32_t shard);
  void verify_ahead_loop(const std::stop_token& stop);
  // How read_backing ended: `failed` is an I/O error (logged, retried by later reads);
  // `truncated`, the file ending inside signed bytes, is tampering (logged as a "length"
  // mismatch, final like a wrong digest).
  enum class BackingRead : std::uint8_t { complete, failed, truncated };
  // Before the backing file is read again, whether its signed name still leads to it
  // (BackingStore::replaced). `replaced` is logged as a "file" mismatch for [offset,
  // offset + length) and `failed` (could not tell) as a read error. Neither is final: the
  // file may be put back, and a later read looks again.
  enum class NameCheck : std::uint8_t { same, replaced, failed };
  NameCheck check_name(std::uint32_t file, std::uint32_t shard, std::uint64_t offset,
                       std::uint64_t length);
  void report_read_error(std::uint32_t file, std::uint64_t offset, std::uint64_t length,
                         const std::exception& error);
  // Reads exactly out.size() bytes of the backing file.
  BackingRead read_backing(std::uint32_t file, std::uint64_t offset, std::span<std::uint8_t> out);
  void report_mismatch(std::uint32_t file, std::uint32_t shard, const char* check,
                       std::uint64_t offset, std::uint64_t length, const std::string& expected,
                       const std::string& actual);
  void note_refused_read(std::size_t file, std::uint64_t offset, std::uint64_t length,
                         Reader reader);
  void emit(const std::string& json_line);
  // Emits `line` unless the repeat interval holds it back.
  void emit_unless_repeated(const std::string& kind, nlohmann::ordered_json& line);

  hashing::HashAlgorithm algorithm_;
  BackingStore& store_;
  CoreOptions options_;
  EventSink events_;
  RepeatThrottle repeats_;
  std::vector<FileState> files_;
  BlockCache cache_;
  // Blocks in the cache plus those of reads in flight (FUSE threads x 1 MiB requests, a shard
  // stream's scratch); more only borrow memory from the kernel for a moment.
  static constexpr std::size_t kInFlightBlocks = 512;
  std::shared_ptr<BlockPool> pool_;
  // The key of this mount's block fingerprints, drawn at start (hashing/block_mac.h).
  std::shared_ptr<const hashing::BlockMac> block_mac_;
  WorkerPool workers_;
  FingerprintBudget fingerprint_budget_;
  std::atomic<bool> failed_closed_{false};
  // Guards nothing but the wait in wait_until_failed_closed; never held with another lock.
  std::mutex failed_closed_mutex_;
  std::condition_variable_any failed_closed_changed_;

  // The verify-ahead queue. `ahead_mutex_` guards ahead_queue_ and ahead_busy_ only; it is
  // never held with another lock. ahead_idle_ is notified when the queue is empty and the
  // thread idle.
  std::mutex ahead_mutex_;
  std::condition_variable_any ahead_ready_;
  std::condition_variable ahead_idle_;
  std::deque<std::pair<std::uint32_t, std::uint32_t>> ahead_queue_;
  bool ahead_busy_ = false;

  struct Counters {
    std::atomic<std::uint64_t> shards_verified{0}, shards_verified_ahead{0}, bytes_verified{0},
        blocks_reverified{0}, mismatches{0}, read_errors{0}, cache_hits{0}, cache_misses{0},
        bytes_served{0}, reads{0}, refused_reads{0};
    // Streamed through a first-touch hash, whether the shard then matched or not (the progress
    // of verify_all).
    std::atomic<std::uint64_t> bytes_hashed{0};
  } counters_;

  // Guards last_refused_read_ only; never held with another lock.
  mutable std::mutex refused_mutex_;
  std::optional<RefusedRead> last_refused_read_;

  // Last members: the thread is stopped and joined first when the core goes, while everything
  // it uses lives.
  std::once_flag ahead_started_;
  std::jthread ahead_thread_;
};

// "2026-11-26T23:59:59.123Z"
std::string utc_timestamp();

}  // namespace sigmount::fs
