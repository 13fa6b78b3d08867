// Hashes many byte ranges of many files on all cores, with bounded memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <vector>

#include "hashing/digest.h"
#include "hashing/file_reader.h"

namespace sigmount::hashing {

struct FileRange {
  std::filesystem::path path;
  std::uint64_t start = 0;
  std::uint64_t end = 0;  // exclusive
};

// The default read size of hash_ranges. The kernel reads ahead of sequential reads (we also
// advise it so), so disks see large requests anyway; what matters here is that the bytes are
// still in the CPU cache when they are hashed. Measured on warm files: 64 KiB reads cost
// about half the CPU time of 1 MiB ones (bench/hash_bench.sh).
inline constexpr std::size_t kHashChunkSize = std::size_t{64} << 10;

struct HashOptions {
  HashAlgorithm algorithm = HashAlgorithm::sha256;
  unsigned workers = 0;  // 0: one per CPU this process may use (its affinity mask)
  ReaderBackend backend = ReaderBackend::automatic;
  // Called from worker threads with the number of bytes just hashed (every few MiB and at the
  // end of each range; the calls add up to the total size of the ranges).
  std::function<void(std::uint64_t)> progress;
  // Bytes per read; each worker holds two buffers of this size (or of its largest range, if
  // smaller), so memory stays bounded whatever the model size.
  std::size_t read_size = kHashChunkSize;
};

// One digest per range, in the order given. Each range is an independent job, so the ranges of
// one file are hashed concurrently too; larger ranges are started first. Throws
// std::system_error naming the file on any I/O error, including a file shorter than a range;
// std::invalid_argument for a range with start > end.
std::vector<Digest> hash_ranges(std::span<const FileRange> ranges, const HashOptions& options);

// The digest of a whole file (its size when opened), read on the calling thread.
Digest hash_file(const std::filesystem::path& path, HashAlgorithm algorithm,
                 ReaderBackend backend = ReaderBackend::automatic);

}  // namespace sigmount::hashing
