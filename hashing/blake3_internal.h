// Building blocks of hashing/blake3.cc, shared with the SIMD implementations. Not an API.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace sigmount::hashing::blake3_detail {

// Domain flags (BLAKE3 spec, section 2.1). Keyed and key-derivation modes are not needed.
inline constexpr std::uint32_t kChunkStart = 1u << 0;
inline constexpr std::uint32_t kChunkEnd = 1u << 1;
inline constexpr std::uint32_t kParent = 1u << 2;
inline constexpr std::uint32_t kRoot = 1u << 3;

inline constexpr std::size_t kBlockSize = 64;
inline constexpr std::size_t kBlocksPerChunk = 16;
inline constexpr std::size_t kChunkSize = kBlockSize * kBlocksPerChunk;

// The key of the default hash mode is the IV, which is also SHA-256's initial hash value.
inline constexpr std::array<std::uint32_t, 8> kIv = {
    0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A, 0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19};

// Word order of the message for each of the 7 rounds: the spec permutes the message words
// between rounds; precomputing the composed permutations lets every round index directly.
inline constexpr std::array<std::uint8_t, 16> kPermutation = {2, 6,  3,  10, 7, 0,  4,  13,
                                                              1, 11, 12, 5,  9, 14, 15, 8};
constexpr std::array<std::array<std::uint8_t, 16>, 7> make_schedule() {
  std::array<std::array<std::uint8_t, 16>, 7> schedule{};
  for (std::uint8_t i = 0; i < 16; ++i) schedule[0][i] = i;
  for (std::size_t round = 1; round < 7; ++round) {
    for (std::size_t i = 0; i < 16; ++i) schedule[round][i] = schedule[round - 1][kPermutation[i]];
  }
  return schedule;
}
inline constexpr auto kSchedule = make_schedule();

// The compression function, truncated to the 8 words a chaining value (or a 32-byte root
// output) needs. `block` is 64 bytes, zero-padded past `block_len`.
void compress(const std::uint32_t cv[8], const std::uint8_t block[kBlockSize],
              std::uint32_t block_len, std::uint64_t counter, std::uint32_t flags,
              std::uint32_t out[8]);

// Chaining values of `chunks` whole, non-root chunks stored back to back at `input`, the first
// one having chunk counter `first_counter`. Writes 8 words per chunk to `cvs`.
void hash_chunks_portable(const std::uint8_t* input, std::size_t chunks,
                          std::uint64_t first_counter, std::uint32_t* cvs);
// Chaining values of `parents` non-root parent nodes; the children of parent i are the 16
// words at child_cvs[16 * i] (left then right). Writes 8 words per parent to `out`, which may
// alias child_cvs (out[8 * i] is written after child_cvs[16 * i .. 16 * i + 15] is read).
void hash_parents_portable(const std::uint32_t* child_cvs, std::size_t parents, std::uint32_t* out);

// x86-64 builds carry an AVX2 path, compiled with a per-function target attribute (so the rest
// of the program stays baseline x86-64) and chosen at run time when the CPU has AVX2.
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SIGMOUNT_BLAKE3_AVX2 1
#endif

#if defined(SIGMOUNT_BLAKE3_AVX2)
// Same contracts, eight lanes at a time; only call when the CPU has AVX2.
void hash_chunks_avx2(const std::uint8_t* input, std::size_t chunks, std::uint64_t first_counter,
                      std::uint32_t* cvs);
void hash_parents_avx2(const std::uint32_t* child_cvs, std::size_t parents, std::uint32_t* out);
#endif

}  // namespace sigmount::hashing::blake3_detail
