#include "fs/verified_file_core.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <exception>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <system_error>
#include <thread>

#include "fs/shard_stream.h"
#include "verifier/errors.h"

namespace sigmount::fs {

// One per shard. `mutex` guards `phase` and `fingerprints` and is held only to read or change
// them: never during I/O or hashing, and never together with another lock (the cache has its
// own mutex, taken only while no shard mutex is held). `changed` is notified whenever `phase`
// leaves `verifying`, so readers that found a verification under way wait for it instead of
// starting a second one.
struct VerifiedFileCore::ShardState {
  enum class Phase { unverified, verifying, verified, mismatched };
  std::mutex mutex;
  std::condition_variable changed;
  Phase phase = Phase::unverified;
  // Queued for background verification once; never again, so a shard that fails there (an I/O
  // error, say) is not re-streamed at every read of its neighbour.
  bool queued_ahead = false;
  // Set when phase becomes `verified`, reset when the budget drops it (phase back to
  // `unverified`). The fingerprints themselves are immutable; readers copy the pointer.
  std::shared_ptr<const BlockFingerprints> fingerprints;
};

std::uint64_t VerifiedRead::size() const {
  std::uint64_t total = 0;
  for (const VerifiedBytes& piece : pieces_) total += piece.size();
  return total;
}

Bytes VerifiedRead::concatenate() const {
  Bytes out;
  out.reserve(size());
  for (const VerifiedBytes& piece : pieces_) {
    out.insert(out.end(), piece.bytes().begin(), piece.bytes().end());
  }
  return out;
}

std::string utc_timestamp() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(millis));
  return text;
}

VerifiedFileCore::VerifiedFileCore(const verifier::VerifiedManifest& manifest, BackingStore& store,
                                   CoreOptions options, EventSink events)
    : algorithm_(manifest.serialization().hash),
      store_(store),
      options_(std::move(options)),
      events_(std::move(events)),
      repeats_(options_.repeat_log_interval),
      cache_(options_.cache_size),
      pool_(std::make_shared<BlockPool>(options_.cache_size / kBlockSize + kInFlightBlocks)),
      block_mac_(std::make_shared<const hashing::BlockMac>()),
      workers_(options_.verify_helpers),
      fingerprint_budget_(options_.fingerprint_budget) {
  const auto& signed_files = manifest.files();
  if (store.file_count() != signed_files.size()) {
    throw verifier::VerificationError("backing store holds " + std::to_string(store.file_count()) +
                                      " files, the manifest lists " +
                                      std::to_string(signed_files.size()));
  }
  // The kernel answers a read at the end of a file without asking the daemon, so nothing of an
  // empty file is ever read through the mount: whether empty is what was signed is settled
  // here, where it costs nothing (and a file whose digest is that of no bytes must be empty).
  const hashing::Digest empty_digest = hashing::hash_bytes(algorithm_, {});
  std::vector<std::string> problems;
  files_.reserve(signed_files.size());
  for (std::size_t i = 0; i < signed_files.size(); ++i) {
    const verifier::SignedFile& signed_file = signed_files[i];
    FileState file;
    file.path = signed_file.path;
    file.size = store.size(i);
    file.shards = signed_file.shards;
    std::uint64_t expected_start = 0;
    bool consistent = true;
    for (verifier::Shard& shard : file.shards) {
      if (shard.end == verifier::Shard::kToEndOfFile) {
        // The files serialization: the digest covers whatever the file holds, so its length is
        // the size seen now (a different length simply fails the digest).
        if (file.shards.size() != 1) consistent = false;
        shard.end = file.size;
        const bool signed_empty = shard.digest == empty_digest;
        if (file.size == 0 && !signed_empty) {
          problems.push_back("signed file " + file.path +
                             " is empty, but what was signed is not (digest " + shard.digest.hex() +
                             ")");
        } else if (file.size != 0 && signed_empty) {
          problems.push_back("signed file " + file.path + " holds " + std::to_string(file.size) +
                             " bytes, but was signed empty");
        }
      }
      if (shard.start != expected_start || shard.end < shard.start) consistent = false;
      expected_start = shard.end;
    }
    if (!consistent) {
      problems.push_back("signed file " + file.path + ": shards do not cover it contiguously");
    } else if (expected_start != file.size) {
      problems.push_back("signed file " + file.path + ": size " + std::to_string(file.size) +
                         " differs from the signed size " + std::to_string(expected_start));
    }
    for (std::size_t s = 0; s < file.shards.size(); ++s) {
      file.states.push_back(std::make_unique<ShardState>());
    }
    files_.push_back(std::move(file));
  }
  if (!problems.empty()) throw verifier::VerificationError(std::move(problems));
}

VerifiedFileCore::~VerifiedFileCore() = default;

void VerifiedFileCore::queue_next_shard(std::uint32_t file, std::uint32_t shard) {
  if (!options_.verify_ahead) return;
  if (shard + 1 < files_[file].shards.size()) {
    ++shard;
  } else {
    // The next file with something to verify (empty files have no shard).
    do {
      if (++file >= files_.size()) return;
    } while (files_[file].shards.empty());
    shard = 0;
  }
  ShardState& state = *files_[file].states[shard];
  {
    std::lock_guard lock(state.mutex);
    if (state.phase != ShardState::Phase::unverified || state.queued_ahead) return;
    state.queued_ahead = true;
  }
  // Started on first use, not in the constructor: the daemon builds the core before it forks.
  std::call_once(ahead_started_, [this] {
    try {
      ahead_thread_ =
          std::jthread([this](const std::stop_token& stop) { verify_ahead_loop(stop); });
    } catch (const std::system_error&) {
      // No thread to spare: verifying ahead is an optimization, readers verify on demand.
    }
  });
  if (!ahead_thread_.joinable()) return;
  {
    std::lock_guard lock(ahead_mutex_);
    ahead_queue_.emplace_back(file, shard);
  }
  ahead_ready_.notify_one();
}

void VerifiedFileCore::verify_ahead_loop(const std::stop_token& stop) {
  while (true) {
    std::pair<std::uint32_t, std::uint32_t> next;
    {
      std::unique_lock lock(ahead_mutex_);
      ahead_busy_ = false;
      if (ahead_queue_.empty()) ahead_idle_.notify_all();
      if (!ahead_ready_.wait(lock, stop, [&] { return !ahead_queue_.empty(); }) ||
          stop.stop_requested()) {
        return;
      }
      next = ahead_queue_.front();
      ahead_queue_.pop_front();
      ahead_busy_ = true;
    }
    const auto [file, shard] = next;
    std::shared_ptr<const BlockFingerprints> fingerprints;
    std::vector<std::optional<VerifiedBytes>> none;
    // No block is pinned (first > last); blocks are kept while the cache has room, for the
    // reader that is expected next.
    ensure_verified(file, shard, 1, 0, /*read_ahead=*/true, fingerprints, none, &stop);
  }
}

bool VerifiedFileCore::wait_until_failed_closed(const std::stop_token& stop) {
  std::unique_lock lock(failed_closed_mutex_);
  return failed_closed_changed_.wait(lock, stop, [&] { return failed_closed_.load(); });
}

void VerifiedFileCore::wait_for_verify_ahead() {
  std::unique_lock lock(ahead_mutex_);
  ahead_idle_.wait(lock, [&] { return ahead_queue_.empty() && !ahead_busy_; });
}

void VerifiedFileCore::emit(const std::string& json_line) {
  if (events_) events_(json_line);
}

namespace {
std::string dump(const nlohmann::ordered_json& line) {
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}
}  // namespace

void VerifiedFileCore::emit_unless_repeated(const std::string& kind, nlohmann::ordered_json& line) {
  std::string text = dump(line);
  const auto held_back = repeats_.admit(kind, options_.log_clock(), text);
  if (!held_back) return;
  if (*held_back > 0) {
    line["suppressed"] = *held_back;
    text = dump(line);
  }
  emit(text);
}

void VerifiedFileCore::flush_held_log_lines() {
  for (auto& held : repeats_.drain(options_.log_clock())) {
    auto line = nlohmann::ordered_json::parse(held.latest_line, nullptr, false);
    if (line.is_discarded()) continue;  // cannot happen: the text is our own dump
    if (held.count > 1) line["suppressed"] = held.count - 1;
    emit(dump(line));
  }
}

void VerifiedFileCore::report_mismatch(std::uint32_t file, std::uint32_t shard, const char* check,
                                       std::uint64_t offset, std::uint64_t length,
                                       const std::string& expected, const std::string& actual) {
  ++counters_.mismatches;
  if (options_.fail_closed && !failed_closed_.exchange(true)) {
    // Taken so that a waiter between its check and its sleep cannot miss the notification.
    { std::lock_guard lock(failed_closed_mutex_); }
    failed_closed_changed_.notify_all();
  }
  nlohmann::ordered_json line = {{"time", utc_timestamp()},
                                 {"event", "mismatch"},
                                 {"file", files_[file].path},
                                 {"shard", shard},
                                 {"check", check},
                                 {"offset", offset},
                                 {"length", length},
                                 {"expected", expected},
                                 {"actual", actual},
                                 {"fail_closed", options_.fail_closed}};
  // What was found is part of the kind (a file renamed away, then replaced, logs both), except
  // for "length", whose finding is the byte count each read got.
  const bool finding_varies_by_read = std::string_view(check) == "length";
  emit_unless_repeated("mismatch " + std::to_string(file) + ' ' + std::to_string(shard) + ' ' +
                           check + ' ' + (finding_varies_by_read ? std::string() : actual),
                       line);
}

VerifiedFileCore::NameCheck VerifiedFileCore::check_name(std::uint32_t file, std::uint32_t shard,
                                                         std::uint64_t offset,
                                                         std::uint64_t length) {
  std::optional<std::string> now;
  try {
    now = store_.replaced(file);
  } catch (const std::exception& error) {
    report_read_error(file, offset, length, error);
    return NameCheck::failed;
  }
  if (!now) return NameCheck::same;
  report_mismatch(file, shard, "file", offset, length, "the file opened at mount", *now);
  return NameCheck::replaced;
}

void VerifiedFileCore::report_read_error(std::uint32_t file, std::uint64_t offset,
                                         std::uint64_t length, const std::exception& error) {
  ++counters_.read_errors;
  nlohmann::ordered_json line = {{"time", utc_timestamp()},   {"event", "read_error"},
                                 {"file", files_[file].path}, {"offset", offset},
                                 {"length", length},          {"error", error.what()}};
  // The message names the offset; the error code is what tells one failure from another.
  const auto* system_error = dynamic_cast<const std::system_error*>(&error);
  const int code = system_error != nullptr ? system_error->code().value() : -1;
  emit_unless_repeated("read_error " + std::to_string(file) + ' ' + std::to_string(code), line);
}

VerifiedFileCore::BackingRead VerifiedFileCore::read_backing(std::uint32_t file,
                                                             std::uint64_t offset,
                                                             std::span<std::uint8_t> out) {
  std::size_t got = 0;
  try {
    got = store_.read(file, offset, out);
  } catch (const std::exception& error) {
    report_read_error(file, offset, out.size(), error);
    return BackingRead::failed;
  }
  if (got == out.size()) return BackingRead::complete;
  // The file ended inside a range whose bytes were there at mount: it was truncated, which is
  // tampering like a changed byte.
  std::uint32_t shard = 0;
  while (shard + 1 < files_[file].shards.size() && files_[file].shards[shard].end <= offset) {
    ++shard;
  }
  report_mismatch(file, shard, "length", offset, out.size(), std::to_string(out.size()) + " bytes",
                  std::to_string(got) + " bytes");
  return BackingRead::truncated;
}

int VerifiedFileCore::stream_shard(std::uint32_t file, std::uint32_t shard, std::uint64_t first,
                                   std::uint64_t last, bool read_ahead, bool& mismatched,
                                   std::shared_ptr<const BlockFingerprints>& fingerprints,
                                   std::vector<std::optional<VerifiedBytes>>& kept,
                                   const std::stop_token* background) {
  const verifier::Shard& range = files_[file].shards[shard];
  const std::uint64_t length = range.end - range.start;
  // Checked once a pass, not per block: a name replaced while the pass runs is seen by the
  // next read that goes to the store; the pass itself reads the opened file and hashes it.
  // Not final (`mismatched` stays false): nothing tampered was read, and the file may be put
  // back.
  if (check_name(file, shard, range.start, length) != NameCheck::same) return EIO;
  const std::uint64_t blocks = block_count(length);
  ShardHasher hasher(algorithm_, length, block_mac_);

  struct Held {
    std::uint64_t block;
    std::shared_ptr<const BlockBuffer> buffer;
    bool reserved;  // kept for later readers (not one this call serves)
  };
  std::vector<Held> held;
  std::uint64_t reserved = 0;

  // When the whole shard fits the cache, keep all of it (other readers of this shard are
  // waiting for us and may want any part); otherwise keep the blocks after the request.
  // Verifying ahead may displace only blocks already served: the others are what readers
  // have not reached yet, worth more than blocks a reader may never ask for.
  const auto eviction =
      background != nullptr ? BlockCache::Eviction::served_only : BlockCache::Eviction::allowed;
  bool keep_all = false;
  if (read_ahead) {
    std::uint64_t others = length;
    for (std::uint64_t block = first; block <= last && block < blocks; ++block) {
      others -= block_length(length, block);
    }
    if (cache_.reserve(others, eviction)) {
      keep_all = true;
      reserved = others;
    }
  }

  // Set on the stream's reader thread, read after it was joined.
  std::atomic<bool> truncated{false};
  const auto read_bytes = [&](std::uint64_t offset, std::span<std::uint8_t> out) {
    // Nothing is worth verifying ahead once the mount is shutting down or failed closed.
    if (background != nullptr && (background->stop_requested() || failed_closed_)) {
      return ECANCELED;
    }
    switch (read_backing(file, range.start + offset, out)) {
      case BackingRead::complete:
        return 0;
      case BackingRead::truncated:
        truncated = true;
        return EIO;
      case BackingRead::failed:
        break;
    }
    return EIO;
  };
  const auto consume = [&](std::uint64_t block, const TaggedBlock& bytes) {
    // The hash reads the buffer that will be served if the shard matches.
    hasher.add_block(bytes);
    counters_.bytes_hashed += bytes.bytes().size();
    const bool pinned = block >= first && block <= last;
    bool keep = pinned || keep_all;
    // Blocks after the request; with no request (first > last, verify-ahead) every block.
    if (!keep && read_ahead && (block > last || first > last)) {
      if (cache_.reserve(bytes.bytes().size(), eviction)) {
        keep = true;
        reserved += bytes.bytes().size();
      } else if (background == nullptr) {
        read_ahead = false;  // keep what we hold contiguous; the rest is re-read on demand
      }
      // Verifying ahead goes on trying: room opens up as the reader is served what it waits
      // for, and every block kept now is one the reader need not re-read later.
    }
    if (keep) held.push_back({block, bytes.buffer(), !pinned});
  };
  int error = 0;
  try {
    ShardStreamOptions stream_options;
    // The reader thread's io_uring ring would otherwise outlive it in the store.
    stream_options.reader_thread_done = [this] { store_.forget_this_thread(); };
    error = stream_shard_blocks(pool_, *block_mac_, length, read_bytes, consume, stream_options);
  } catch (...) {
    cache_.release(reserved);
    throw;
  }
  if (error != 0) {
    cache_.release(reserved);
    // A shard cut short is tampered with, like a wrong digest: final, not retried.
    if (truncated) mismatched = true;
    return error;
  }

  hashing::Digest actual;
  auto matched = hasher.matches(range.digest, actual);
  if (!matched) {
    cache_.release(reserved);
    mismatched = true;
    report_mismatch(file, shard, "shard", range.start, length, range.digest.hex(), actual.hex());
    return EIO;
  }
  fingerprints = std::move(*matched);
  ++counters_.shards_verified;
  if (background != nullptr) ++counters_.shards_verified_ahead;
  counters_.bytes_verified += length;
  std::size_t inserted = 0;
  try {
    for (; inserted < held.size(); ++inserted) {
      Held& h = held[inserted];
      VerifiedBytes bytes(std::move(h.buffer));
      if (!h.reserved) kept[h.block - first] = bytes;
      cache_.insert(BlockKey{file, shard, h.block}, bytes,
                    h.reserved ? BlockCache::Use::ahead : BlockCache::Use::served, h.reserved);
    }
  } catch (...) {
    // Give back the room set aside for the blocks that did not make it into the cache.
    for (std::size_t i = inserted; i < held.size(); ++i) {
      if (held[i].reserved) cache_.release(block_length(length, held[i].block));
    }
    throw;
  }
  return 0;
}

int VerifiedFileCore::ensure_verified(std::uint32_t file, std::uint32_t shard, std::uint64_t first,
                                      std::uint64_t last, bool read_ahead,
                                      std::shared_ptr<const BlockFingerprints>& fingerprints,
                                      std::vector<std::optional<VerifiedBytes>>& kept,
                                      const std::stop_token* background) {
  ShardState& state = *files_[file].states[shard];
  std::unique_lock lock(state.mutex);
  while (true) {
    switch (state.phase) {
      case ShardState::Phase::verified:
        fingerprints = state.fingerprints;
        lock.unlock();
        fingerprint_budget_.touch(ShardKey{file, shard});
        return 0;
      case ShardState::Phase::mismatched:
        return EIO;
      case ShardState::Phase::verifying:
        state.changed.wait(lock);
        continue;
      case ShardState::Phase::unverified:
        break;
    }
    state.phase = ShardState::Phase::verifying;
    lock.unlock();
    bool mismatched = false;
    int error = 0;
    try {
      error = stream_shard(file, shard, first, last, read_ahead, mismatched, fingerprints, kept,
                           background);
    } catch (const std::bad_alloc&) {
      error = ENOMEM;
    } catch (...) {
      // Whatever went wrong, the phase must leave `verifying`, or every reader waits forever.
      error = EIO;
    }
    lock.lock();
    if (error == 0) {
      state.phase = ShardState::Phase::verified;
      state.fingerprints = fingerprints;
    } else {
      // A mismatch is final; an I/O error lets the next reader try again.
      state.phase = mismatched ? ShardState::Phase::mismatched : ShardState::Phase::unverified;
    }
    state.changed.notify_all();
    lock.unlock();
    if (error == 0) admit_fingerprints(ShardKey{file, shard}, *fingerprints);
    return error;
  }
}

void VerifiedFileCore::admit_fingerprints(ShardKey key, const BlockFingerprints& fingerprints) {
  for (const ShardKey victim : fingerprint_budget_.admit(key, fingerprints.memory_bytes())) {
    ShardState& state = *files_[victim.file].states[victim.shard];
    std::lock_guard lock(state.mutex);
    // Readers that copied the pointer keep using it; the next one verifies the shard again.
    if (state.phase == ShardState::Phase::verified) {
      state.phase = ShardState::Phase::unverified;
      state.fingerprints.reset();
    }
  }
}

int VerifiedFileCore::reverify_block(std::uint32_t file, std::uint32_t shard, std::uint64_t block,
                                     const BlockFingerprints& fingerprints, VerifiedBytes& out) {
  const verifier::Shard& range = files_[file].shards[shard];
  const std::uint64_t size = block_length(range.end - range.start, block);
  auto buffer = std::make_shared<BlockBuffer>(pool_, size);
  if (read_backing(file, range.start + block * kBlockSize, buffer->writable()) !=
      BackingRead::complete) {
    return EIO;
  }
  const TaggedBlock read_again(std::move(buffer), *block_mac_);
  if (auto mismatch = fingerprints.check(block, read_again)) {
    report_mismatch(file, shard, "block", range.start + block * kBlockSize, size,
                    mismatch->expected, mismatch->actual);
    return EIO;
  }
  ++counters_.blocks_reverified;
  out = VerifiedBytes(read_again.buffer());
  cache_.insert(BlockKey{file, shard, block}, out, BlockCache::Use::served);
  return 0;
}

int VerifiedFileCore::shard_blocks(std::uint32_t file, std::uint32_t shard, std::uint64_t first,
                                   std::uint64_t last, std::vector<VerifiedBytes>& out) {
  const std::size_t count = last - first + 1;
  std::vector<std::optional<VerifiedBytes>> found(count);
  std::size_t missing = 0;
  for (std::size_t i = 0; i < count; ++i) {
    found[i] = cache_.find(BlockKey{file, shard, first + i});
    if (found[i]) {
      ++counters_.cache_hits;
    } else {
      ++counters_.cache_misses;
      ++missing;
    }
  }
  if (missing > 0) {
    std::shared_ptr<const BlockFingerprints> fingerprints;
    std::vector<std::optional<VerifiedBytes>> kept(count);
    if (int error =
            ensure_verified(file, shard, first, last, /*read_ahead=*/true, fingerprints, kept)) {
      return error;
    }
    std::vector<std::size_t> to_check;
    for (std::size_t i = 0; i < count; ++i) {
      if (found[i]) continue;
      if (kept[i]) {
        found[i] = std::move(kept[i]);
        continue;
      }
      // Another reader may have verified the shard (and cached its blocks) while we waited.
      if ((found[i] = cache_.find(BlockKey{file, shard, first + i}))) continue;
      to_check.push_back(i);
    }
    // One look at the name per request that goes back to the store, not one per block.
    if (!to_check.empty()) {
      const verifier::Shard& range = files_[file].shards[shard];
      const std::uint64_t start = (first + to_check.front()) * kBlockSize;
      const std::uint64_t end =
          std::min((first + to_check.back() + 1) * kBlockSize, range.end - range.start);
      if (check_name(file, shard, range.start + start, end - start) != NameCheck::same) {
        return EIO;
      }
    }
    std::vector<int> errors(to_check.size(), 0);
    workers_.for_each(to_check.size(), [&](std::size_t job) {
      const std::size_t i = to_check[job];
      try {
        VerifiedBytes block;
        errors[job] = reverify_block(file, shard, first + i, *fingerprints, block);
        if (errors[job] == 0) found[i] = std::move(block);
      } catch (const std::bad_alloc&) {
        errors[job] = ENOMEM;
      } catch (const std::exception&) {
        errors[job] = EIO;
      }
    });
    for (const int error : errors) {
      if (error != 0) return error;
    }
  }
  out.clear();
  out.reserve(count);
  for (auto& block : found) out.push_back(std::move(*block));
  return 0;
}

VerifiedRead VerifiedFileCore::read(std::size_t file, std::uint64_t offset, std::uint64_t length,
                                    Reader reader) noexcept {
  // A read never throws: the FUSE layer above is C. Allocation failures and threads that cannot
  // be started fail this read only.
  VerifiedRead result;
  try {
    result = read_blocks(file, offset, length);
  } catch (const std::bad_alloc&) {
    return VerifiedRead::failure(ENOMEM);
  } catch (...) {
    result = VerifiedRead::failure(EIO);
  }
  if (result.error() == EIO && file < files_.size()) {
    try {
      note_refused_read(file, offset, length, reader);
    } catch (...) {
      // The refusal stands; only its record is lost (out of memory).
    }
  }
  return result;
}

namespace {

// The reader's command name, for a line an operator reads next to "Bus error".
std::string process_name(std::int32_t pid) {
  if (pid <= 0) return "";
  std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
  std::string name;
  std::getline(comm, name);
  return name.substr(0, 64);
}

}  // namespace

void VerifiedFileCore::note_refused_read(std::size_t file, std::uint64_t offset,
                                         std::uint64_t length, Reader reader) {
  ++counters_.refused_reads;
  RefusedRead refused{.time = utc_timestamp(),
                      .file = files_[file].path,
                      .offset = offset,
                      .length = length,
                      .pid = reader.pid,
                      .process = process_name(reader.pid)};
  nlohmann::ordered_json line = {{"time", refused.time}, {"event", "read_refused"}};
  const nlohmann::ordered_json fields = refused_read_object(refused);
  for (const auto& [key, value] : fields.items()) {
    if (key != "time") line[key] = value;
  }
  line["error"] = "EIO";
  line["note"] = "read() fails with EIO; a reader of an mmap gets SIGBUS (Bus error)";
  {
    const std::lock_guard lock(refused_mutex_);
    last_refused_read_ = std::move(refused);
  }
  emit_unless_repeated("refused " + std::to_string(file) + ' ' + std::to_string(reader.pid), line);
}

VerifiedRead VerifiedFileCore::read_blocks(std::size_t file, std::uint64_t offset,
                                           std::uint64_t length) {
  ++counters_.reads;
  if (failed_closed_) return VerifiedRead::failure(EIO);
  if (file >= files_.size()) return VerifiedRead::failure(EINVAL);
  const FileState& state = files_[file];
  VerifiedRead result;
  if (offset >= state.size || length == 0) return result;
  const std::uint64_t end = offset + std::min(length, state.size - offset);

  // The first shard that ends after `offset`.
  auto shard_it = std::upper_bound(
      state.shards.begin(), state.shards.end(), offset,
      [](std::uint64_t value, const verifier::Shard& shard) { return value < shard.end; });
  std::vector<VerifiedBytes> blocks;
  std::uint32_t last_shard = 0;
  for (; shard_it != state.shards.end() && shard_it->start < end; ++shard_it) {
    const auto shard = static_cast<std::uint32_t>(shard_it - state.shards.begin());
    last_shard = shard;
    const std::uint64_t lo = std::max(offset, shard_it->start) - shard_it->start;
    const std::uint64_t hi = std::min(end, shard_it->end) - shard_it->start;
    const std::uint64_t first = lo / kBlockSize;
    const std::uint64_t last = (hi - 1) / kBlockSize;
    if (int error = shard_blocks(static_cast<std::uint32_t>(file), shard, first, last, blocks)) {
      return VerifiedRead::failure(error);
    }
    for (std::uint64_t block = first; block <= last; ++block) {
      const std::uint64_t block_start = block * kBlockSize;
      const VerifiedBytes& bytes = blocks[block - first];
      const std::uint64_t from = std::max(lo, block_start) - block_start;
      const std::uint64_t to = std::min(hi, block_start + bytes.size()) - block_start;
      result.pieces_.push_back(bytes.slice(from, to - from));
    }
  }
  // A mismatch elsewhere while we worked: fail-closed means no more bytes from now on.
  if (failed_closed_) return VerifiedRead::failure(EIO);
  queue_next_shard(static_cast<std::uint32_t>(file), last_shard);
  counters_.bytes_served += result.size();
  return result;
}

void VerifiedFileCore::verify_all(unsigned workers, const VerifyAllProgress& progress) {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> work;
  std::uint64_t total = 0;
  for (std::size_t f = 0; f < files_.size(); ++f) {
    for (std::size_t s = 0; s < files_[f].shards.size(); ++s) {
      work.emplace_back(static_cast<std::uint32_t>(f), static_cast<std::uint32_t>(s));
      total += files_[f].shards[s].end - files_[f].shards[s].start;
    }
  }
  // Largest first, so one big shard does not start last and run alone.
  std::stable_sort(work.begin(), work.end(), [&](const auto& a, const auto& b) {
    const auto& sa = files_[a.first].shards[a.second];
    const auto& sb = files_[b.first].shards[b.second];
    return sa.end - sa.start > sb.end - sb.start;
  });
  if (workers == 0) workers = std::max(1U, std::thread::hardware_concurrency());
  workers =
      static_cast<unsigned>(std::min<std::size_t>(workers, std::max<std::size_t>(1, work.size())));

  const std::uint64_t hashed_before = counters_.bytes_hashed;
  const auto hashed = [&] { return std::min(total, counters_.bytes_hashed - hashed_before); };
  std::atomic<std::size_t> next{0};
  std::mutex mutex;  // guards problems, failure, running
  std::condition_variable all_done;
  std::vector<std::string> problems;
  std::exception_ptr failure;
  unsigned running = 0;  // workers started and not yet done
  const auto stop_handing_out_work = [&] { next = work.size(); };
  auto run = [&] {
    try {
      while (true) {
        const std::size_t i = next++;
        if (i >= work.size()) break;
        const auto [file, shard] = work[i];
        std::shared_ptr<const BlockFingerprints> fingerprints;
        std::vector<std::optional<VerifiedBytes>> none;
        // first > last: no block is pinned, and no read-ahead: keep nothing.
        if (ensure_verified(file, shard, 1, 0, /*read_ahead=*/false, fingerprints, none) != 0) {
          const std::lock_guard lock(mutex);
          problems.push_back("signed file " + files_[file].path + " shard " +
                             std::to_string(shard) +
                             ": does not match the signed digest or cannot be read");
        }
      }
    } catch (...) {
      const std::lock_guard lock(mutex);
      if (!failure) failure = std::current_exception();
      stop_handing_out_work();  // the others stop after their current shard
    }
    store_.forget_this_thread();
    const std::lock_guard lock(mutex);
    if (--running == 0) all_done.notify_all();
  };
  const auto start_worker = [&](std::vector<std::jthread>& threads) {
    {
      const std::lock_guard lock(mutex);
      ++running;
    }
    try {
      threads.emplace_back(run);
    } catch (...) {
      const std::lock_guard lock(mutex);
      --running;
      throw;
    }
  };
  std::vector<std::jthread> threads;
  threads.reserve(workers);
  try {
    for (unsigned i = 0; i < workers; ++i) start_worker(threads);
  } catch (const std::exception&) {
    // Fewer threads than asked for (a pids limit): those that started share the work.
  }
  if (threads.empty()) {
    // Not even one: hash on this thread, with no reports on the way.
    {
      const std::lock_guard lock(mutex);
      ++running;
    }
    run();
  }
  // This thread stays free to report on time, which one busy hashing a shard of many GiB
  // could not.
  std::unique_lock lock(mutex);
  const auto finished = [&] { return running == 0; };
  try {
    if (!progress.report || progress.interval <= std::chrono::steady_clock::duration::zero()) {
      all_done.wait(lock, finished);
    }
    while (!all_done.wait_for(lock, progress.interval, finished)) {
      lock.unlock();
      progress.report(hashed(), total);
      lock.lock();
    }
  } catch (...) {
    // A report that failed ends the whole verification now, not after the model is hashed.
    if (!lock.owns_lock()) lock.lock();
    stop_handing_out_work();
    all_done.wait(lock, finished);
    lock.unlock();
    throw;
  }
  lock.unlock();
  threads.clear();
  if (failure) std::rethrow_exception(failure);
  if (progress.report) progress.report(hashed(), total);
  if (!problems.empty()) {
    std::sort(problems.begin(), problems.end());
    throw verifier::VerificationError(std::move(problems));
  }
}

nlohmann::ordered_json counters_object(const CounterSnapshot& c) {
  return {{"shards_verified", c.shards_verified},
          {"shards_verified_ahead", c.shards_verified_ahead},
          {"bytes_verified", c.bytes_verified},
          {"blocks_reverified", c.blocks_reverified},
          {"mismatches", c.mismatches},
          {"read_errors", c.read_errors},
          {"cache_hits", c.cache_hits},
          {"cache_misses", c.cache_misses},
          {"cache_evictions", c.cache_evictions},
          {"cached_bytes", c.cached_bytes},
          {"fingerprint_bytes", c.fingerprint_bytes},
          {"fingerprints_dropped", c.fingerprints_dropped},
          {"pool_overflows", c.pool_overflows},
          {"bytes_served", c.bytes_served},
          {"reads", c.reads},
          {"refused_reads", c.refused_reads}};
}

nlohmann::ordered_json refused_read_object(const RefusedRead& refused) {
  return {{"time", refused.time},     {"file", refused.file}, {"offset", refused.offset},
          {"length", refused.length}, {"pid", refused.pid},   {"process", refused.process}};
}

CounterSnapshot VerifiedFileCore::counters() const {
  CounterSnapshot out;
  out.shards_verified = counters_.shards_verified;
  out.shards_verified_ahead = counters_.shards_verified_ahead;
  out.bytes_verified = counters_.bytes_verified;
  out.blocks_reverified = counters_.blocks_reverified;
  out.mismatches = counters_.mismatches;
  out.read_errors = counters_.read_errors;
  out.cache_hits = counters_.cache_hits;
  out.cache_misses = counters_.cache_misses;
  out.cache_evictions = cache_.evictions();
  out.cached_bytes = cache_.cached_bytes();
  out.cache_capacity = cache_.capacity();
  out.fingerprint_bytes = fingerprint_budget_.held_bytes();
  out.fingerprints_dropped = fingerprint_budget_.dropped_shards();
  out.pool_overflows = pool_->overflows();
  out.bytes_served = counters_.bytes_served;
  out.reads = counters_.reads;
  out.refused_reads = counters_.refused_reads;
  {
    const std::lock_guard lock(refused_mutex_);
    out.last_refused_read = last_refused_read_;
  }
  out.failed_closed = failed_closed_;
  return out;
}

}  // namespace sigmount::fs
