// Test helpers for fs/: random models on disk, signed the honest way (a fresh EC key, the
// project's own signer, then SignatureVerifier -> VerifiedManifest), and backing stores that
// lie on purpose. Temporary directories and random bytes come from tests/common.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "fs/backing_store.h"
#include "hashing/bytes.h"
#include "hashing/digest.h"
#include "tests/common/temp_dir.h"
#include "verifier/verified_manifest.h"

namespace sigmount::fs::testing {

using sigmount::testing::TempDir;

void write_file(const std::filesystem::path& path, ByteView content);
Bytes read_file(const std::filesystem::path& path);

struct ModelSpec {
  hashing::HashAlgorithm hash = hashing::HashAlgorithm::sha256;
  std::uint64_t shard_size = 0;  // 0: the files serialization
  bool allow_symlinks = false;
};

// A model signed with a throwaway key. `public_key` and `signature` live in a directory of
// their own, so the model directory holds only the model files.
struct SignedModel {
  std::unique_ptr<TempDir> keys;
  std::filesystem::path public_key;
  std::filesystem::path signature;
  std::string bundle_json;
  verifier::VerifiedManifest manifest;
};

// Signs the files `names` under `root` as they are now (a single "." signs `root` itself, a
// regular file) and verifies the bundle. Sharded when spec.shard_size > 0.
SignedModel sign_model(const std::filesystem::path& root, std::vector<std::string> names,
                       const ModelSpec& spec = {});

// Writes random files of the given sizes under `root` and returns their contents by name.
std::map<std::string, Bytes> write_random_model(const std::filesystem::path& root,
                                                const std::map<std::string, std::size_t>& sizes,
                                                std::uint64_t seed = 1);

// An in-memory store, honest unless told otherwise. Thread-safe.
class LyingStore final : public BackingStore {
 public:
  enum class Lie {
    none,
    // Every byte read a second time (or later) comes back flipped: a backing file that changes
    // right after the daemon read it.
    second_read_differs,
  };
  explicit LyingStore(std::vector<Bytes> files) : files_(std::move(files)), sizes_(size_list()) {}

  std::size_t file_count() const override { return files_.size(); }
  std::uint64_t size(std::size_t file) const override { return sizes_[file]; }
  std::size_t read(std::size_t file, std::uint64_t offset, std::span<std::uint8_t> out) override;
  std::optional<std::string> replaced(std::size_t file) const override {
    std::lock_guard lock(mutex_);
    if (name_checks_fail_) throw std::system_error(EIO, std::generic_category(), "injected");
    const auto found = replaced_.find(file);
    if (found == replaced_.end()) return std::nullopt;
    return found->second;
  }

  void set_lie(Lie lie);
  // While `replaced`, the name of `file` leads elsewhere (`finding` says where); reads still
  // return its bytes.
  void set_replaced(std::size_t file, bool replaced,
                    const std::string& finding = "a different file (replaced)") {
    std::lock_guard lock(mutex_);
    if (replaced) {
      replaced_[file] = finding;
    } else {
      replaced_.erase(file);
    }
  }
  // While `failing`, replaced() throws std::system_error(EIO): it cannot tell.
  void fail_name_checks(bool failing) {
    std::lock_guard lock(mutex_);
    name_checks_fail_ = failing;
  }
  // Flips one byte of the stored content (the size seen at mount stays the same).
  void flip(std::size_t file, std::uint64_t offset);
  // Cuts the stored content; reads beyond come back short.
  void truncate(std::size_t file, std::uint64_t size);
  // The next `count` reads throw std::system_error(EIO).
  void fail_next(int count) { failures_ = count; }
  // Every read of `file` throws std::system_error(EIO) while `failing`.
  void fail_reads_of(std::size_t file, bool failing) {
    std::lock_guard lock(mutex_);
    failing_file_ = failing ? static_cast<std::ptrdiff_t>(file) : -1;
  }
  // Reads wait once `bytes` have been handed out in all, until resume_reads(): a disk that is
  // slow for as long as a test needs it to be.
  void pause_reads_at(std::uint64_t bytes) {
    std::lock_guard lock(mutex_);
    pause_at_ = bytes;
  }
  void resume_reads() {
    {
      std::lock_guard lock(mutex_);
      pause_at_.reset();
    }
    resumed_.notify_all();
  }
  // Bytes handed out so far, and how often the byte at `offset` of `file` was read.
  std::uint64_t bytes_read() const {
    std::lock_guard lock(mutex_);
    return bytes_read_;
  }
  int reads_of(std::size_t file, std::uint64_t offset) const;
  std::uint64_t read_calls() const {
    std::lock_guard lock(mutex_);
    return read_calls_;
  }
  const Bytes& content(std::size_t file) const { return files_[file]; }

 private:
  std::vector<std::uint64_t> size_list() const;

  mutable std::mutex mutex_;  // guards everything below
  std::vector<Bytes> files_;
  std::vector<std::uint64_t> sizes_;
  Lie lie_ = Lie::none;
  int failures_ = 0;
  std::ptrdiff_t failing_file_ = -1;
  std::map<std::size_t, std::string> replaced_;
  bool name_checks_fail_ = false;
  std::optional<std::uint64_t> pause_at_;
  std::condition_variable resumed_;
  std::uint64_t bytes_read_ = 0;
  std::uint64_t read_calls_ = 0;
  std::map<std::pair<std::size_t, std::uint64_t>, int> read_counts_;  // by 64 KiB-aligned start
};

// Collects event lines (thread-safe), for asserting on the log.
class EventLog {
 public:
  std::function<void(const std::string&)> sink();
  std::vector<std::string> lines() const;
  // The last line of this event ("mismatch", "read_error", ...); throws if there is none.
  std::string last(std::string_view event) const;

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

}  // namespace sigmount::fs::testing
