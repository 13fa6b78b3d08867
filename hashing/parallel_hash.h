// Hashes many byte ranges of many files on all cores, with bounded memory.
#pragma once

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

struct HashOptions {
  HashAlgorithm algorithm = HashAlgorithm::sha256;
  unsigned workers = 0;  // 0: one per online CPU
  ReaderBackend backend = ReaderBackend::automatic;
  // Called from worker threads with the number of bytes just hashed.
  std::function<void(std::uint64_t)> progress;
};

// One digest per range, in the order given. Throws std::system_error naming the file on any
// I/O error, including a file shorter than a range.
std::vector<Digest> hash_ranges(std::span<const FileRange> ranges, const HashOptions& options);

}  // namespace sigmount::hashing
