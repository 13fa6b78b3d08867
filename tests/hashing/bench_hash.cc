// Times our hashing of one file for bench/hash_bench.sh (not a test):
//   bench_hash FILE ALGORITHM [SHARD_BYTES WORKERS [READ_SIZE]]
// Without a shard size the whole file is one range on one thread (hash_file). Prints the
// digest of the first range, the elapsed seconds and which BLAKE3 code ran.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "hashing/blake3.h"
#include "hashing/parallel_hash.h"

using namespace sigmount::hashing;

int main(int argc, char** argv) {
  if (argc != 3 && argc != 5 && argc != 6) {
    std::fprintf(stderr, "usage: %s FILE sha256|blake2b|blake3 [SHARD_BYTES WORKERS [READ_SIZE]]\n",
                 argv[0]);
    return 2;
  }
  const std::filesystem::path file = argv[1];
  const auto algorithm = parse_algorithm_name(argv[2]);
  if (!algorithm) {
    std::fprintf(stderr, "unknown algorithm %s\n", argv[2]);
    return 2;
  }
  const auto start = std::chrono::steady_clock::now();
  Digest first;
  if (argc == 3) {
    first = hash_file(file, *algorithm);
  } else {
    const std::uint64_t shard = std::stoull(argv[3]);
    const std::uint64_t size = std::filesystem::file_size(file);
    std::vector<FileRange> ranges;
    for (std::uint64_t s = 0; s < size; s += shard)
      ranges.push_back({file, s, std::min(size, s + shard)});
    HashOptions options;
    options.algorithm = *algorithm;
    options.workers = static_cast<unsigned>(std::stoul(argv[4]));
    if (argc == 6) options.read_size = std::stoull(argv[5]);
    first = hash_ranges(ranges, options).at(0);
  }
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  std::printf("%s %.6f %s\n", first.hex().c_str(), elapsed.count(),
              *algorithm == HashAlgorithm::blake3 ? Blake3::implementation() : "openssl");
  return 0;
}
