// BLAKE3 eight lanes at a time with AVX2: lane i of every vector belongs to the i-th of eight
// independent inputs (chunks or parent nodes), so one pass of the compression function
// advances all eight. Inputs are transposed into that word-sliced layout when loaded and back
// when the chaining values are stored.
#include "hashing/blake3_internal.h"

#if defined(SIGMOUNT_BLAKE3_AVX2)

#include <immintrin.h>

#define SIGMOUNT_AVX2 __attribute__((target("avx2")))

namespace sigmount::hashing::blake3_detail {

namespace {

constexpr std::size_t kLanes = 8;

SIGMOUNT_AVX2 inline __m256i add(__m256i a, __m256i b) {
  return _mm256_add_epi32(a, b);
}
SIGMOUNT_AVX2 inline __m256i bitwise_xor(__m256i a, __m256i b) {
  return _mm256_xor_si256(a, b);
}
SIGMOUNT_AVX2 inline __m256i splat(std::uint32_t x) {
  return _mm256_set1_epi32(static_cast<int>(x));
}

// Rotations by whole bytes are one byte shuffle; the others need two shifts.
SIGMOUNT_AVX2 inline __m256i rotr16(__m256i x) {
  const __m256i mask = _mm256_setr_epi8(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13, 2, 3,
                                        0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13);
  return _mm256_shuffle_epi8(x, mask);
}
SIGMOUNT_AVX2 inline __m256i rotr8(__m256i x) {
  const __m256i mask = _mm256_setr_epi8(1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12, 1, 2,
                                        3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12);
  return _mm256_shuffle_epi8(x, mask);
}
SIGMOUNT_AVX2 inline __m256i rotr12(__m256i x) {
  return _mm256_or_si256(_mm256_srli_epi32(x, 12), _mm256_slli_epi32(x, 20));
}
SIGMOUNT_AVX2 inline __m256i rotr7(__m256i x) {
  return _mm256_or_si256(_mm256_srli_epi32(x, 7), _mm256_slli_epi32(x, 25));
}

SIGMOUNT_AVX2 inline void mix(__m256i v[16], int a, int b, int c, int d, __m256i x, __m256i y) {
  v[a] = add(add(v[a], v[b]), x);
  v[d] = rotr16(bitwise_xor(v[d], v[a]));
  v[c] = add(v[c], v[d]);
  v[b] = rotr12(bitwise_xor(v[b], v[c]));
  v[a] = add(add(v[a], v[b]), y);
  v[d] = rotr8(bitwise_xor(v[d], v[a]));
  v[c] = add(v[c], v[d]);
  v[b] = rotr7(bitwise_xor(v[b], v[c]));
}

template <std::size_t R>
SIGMOUNT_AVX2 inline void round(__m256i v[16], const __m256i m[16]) {
  constexpr auto& kRoundSchedule = kSchedule[R];
  mix(v, 0, 4, 8, 12, m[kRoundSchedule[0]], m[kRoundSchedule[1]]);
  mix(v, 1, 5, 9, 13, m[kRoundSchedule[2]], m[kRoundSchedule[3]]);
  mix(v, 2, 6, 10, 14, m[kRoundSchedule[4]], m[kRoundSchedule[5]]);
  mix(v, 3, 7, 11, 15, m[kRoundSchedule[6]], m[kRoundSchedule[7]]);
  mix(v, 0, 5, 10, 15, m[kRoundSchedule[8]], m[kRoundSchedule[9]]);
  mix(v, 1, 6, 11, 12, m[kRoundSchedule[10]], m[kRoundSchedule[11]]);
  mix(v, 2, 7, 8, 13, m[kRoundSchedule[12]], m[kRoundSchedule[13]]);
  mix(v, 3, 4, 9, 14, m[kRoundSchedule[14]], m[kRoundSchedule[15]]);
}

// One compression of eight lanes; h holds the lanes' chaining values and is updated in place.
SIGMOUNT_AVX2 void compress8(__m256i h[8], const __m256i m[16], __m256i counter_low,
                             __m256i counter_high, std::uint32_t block_len, std::uint32_t flags) {
  __m256i v[16] = {h[0],          h[1],          h[2],        h[3],          h[4],
                   h[5],          h[6],          h[7],        splat(kIv[0]), splat(kIv[1]),
                   splat(kIv[2]), splat(kIv[3]), counter_low, counter_high,  splat(block_len),
                   splat(flags)};
  round<0>(v, m);
  round<1>(v, m);
  round<2>(v, m);
  round<3>(v, m);
  round<4>(v, m);
  round<5>(v, m);
  round<6>(v, m);
  for (int i = 0; i < 8; ++i) h[i] = bitwise_xor(v[i], v[i + 8]);
}

// Transposes an 8x8 matrix of 32-bit words: on return, rows[w] holds word w of every input row.
SIGMOUNT_AVX2 void transpose8(__m256i rows[8]) {
  const __m256i t0 = _mm256_unpacklo_epi32(rows[0], rows[1]);
  const __m256i t1 = _mm256_unpackhi_epi32(rows[0], rows[1]);
  const __m256i t2 = _mm256_unpacklo_epi32(rows[2], rows[3]);
  const __m256i t3 = _mm256_unpackhi_epi32(rows[2], rows[3]);
  const __m256i t4 = _mm256_unpacklo_epi32(rows[4], rows[5]);
  const __m256i t5 = _mm256_unpackhi_epi32(rows[4], rows[5]);
  const __m256i t6 = _mm256_unpacklo_epi32(rows[6], rows[7]);
  const __m256i t7 = _mm256_unpackhi_epi32(rows[6], rows[7]);
  // Words {0,4}, {1,5}, {2,6}, {3,7} of rows 0-3 (u0..u3) and rows 4-7 (u4..u7).
  const __m256i u0 = _mm256_unpacklo_epi64(t0, t2);
  const __m256i u1 = _mm256_unpackhi_epi64(t0, t2);
  const __m256i u2 = _mm256_unpacklo_epi64(t1, t3);
  const __m256i u3 = _mm256_unpackhi_epi64(t1, t3);
  const __m256i u4 = _mm256_unpacklo_epi64(t4, t6);
  const __m256i u5 = _mm256_unpackhi_epi64(t4, t6);
  const __m256i u6 = _mm256_unpacklo_epi64(t5, t7);
  const __m256i u7 = _mm256_unpackhi_epi64(t5, t7);
  rows[0] = _mm256_permute2x128_si256(u0, u4, 0x20);
  rows[1] = _mm256_permute2x128_si256(u1, u5, 0x20);
  rows[2] = _mm256_permute2x128_si256(u2, u6, 0x20);
  rows[3] = _mm256_permute2x128_si256(u3, u7, 0x20);
  rows[4] = _mm256_permute2x128_si256(u0, u4, 0x31);
  rows[5] = _mm256_permute2x128_si256(u1, u5, 0x31);
  rows[6] = _mm256_permute2x128_si256(u2, u6, 0x31);
  rows[7] = _mm256_permute2x128_si256(u3, u7, 0x31);
}

// Message words of one 64-byte block per lane, lane i's block at base + i * stride bytes.
// Loading words as little-endian relies on x86 being little-endian.
SIGMOUNT_AVX2 void load_message(const std::uint8_t* base, std::size_t stride, __m256i m[16]) {
  for (std::size_t i = 0; i < kLanes; ++i) {
    const auto* p = reinterpret_cast<const __m256i*>(base + i * stride);
    m[i] = _mm256_loadu_si256(p);
    m[i + 8] = _mm256_loadu_si256(p + 1);
  }
  transpose8(m);
  transpose8(m + 8);
}

SIGMOUNT_AVX2 void store_cvs(__m256i h[8], std::uint32_t* out) {
  transpose8(h);
  for (std::size_t i = 0; i < kLanes; ++i) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 8 * i), h[i]);
  }
}

SIGMOUNT_AVX2 void hash8_chunks(const std::uint8_t* input, std::uint64_t first_counter,
                                std::uint32_t* cvs) {
  alignas(32) std::uint32_t low[kLanes];
  alignas(32) std::uint32_t high[kLanes];
  for (std::size_t i = 0; i < kLanes; ++i) {
    low[i] = static_cast<std::uint32_t>(first_counter + i);
    high[i] = static_cast<std::uint32_t>((first_counter + i) >> 32);
  }
  const __m256i counter_low = _mm256_load_si256(reinterpret_cast<const __m256i*>(low));
  const __m256i counter_high = _mm256_load_si256(reinterpret_cast<const __m256i*>(high));
  __m256i h[8];
  for (int i = 0; i < 8; ++i) h[i] = splat(kIv[static_cast<std::size_t>(i)]);
  for (std::size_t b = 0; b < kBlocksPerChunk; ++b) {
    __m256i m[16];
    load_message(input + b * kBlockSize, kChunkSize, m);
    std::uint32_t flags = 0;
    if (b == 0) flags |= kChunkStart;
    if (b == kBlocksPerChunk - 1) flags |= kChunkEnd;
    compress8(h, m, counter_low, counter_high, kBlockSize, flags);
  }
  store_cvs(h, cvs);
}

SIGMOUNT_AVX2 void hash8_parents(const std::uint32_t* child_cvs, std::uint32_t* out) {
  __m256i m[16];
  // Each parent's block is its two children's chaining values: 64 bytes, back to back.
  load_message(reinterpret_cast<const std::uint8_t*>(child_cvs), kBlockSize, m);
  __m256i h[8];
  for (int i = 0; i < 8; ++i) h[i] = splat(kIv[static_cast<std::size_t>(i)]);
  const __m256i zero = _mm256_setzero_si256();
  compress8(h, m, zero, zero, kBlockSize, kParent);
  store_cvs(h, out);
}

}  // namespace

void hash_chunks_avx2(const std::uint8_t* input, std::size_t chunks, std::uint64_t first_counter,
                      std::uint32_t* cvs) {
  std::size_t done = 0;
  for (; done + kLanes <= chunks; done += kLanes) {
    hash8_chunks(input + done * kChunkSize, first_counter + done, cvs + 8 * done);
  }
  hash_chunks_portable(input + done * kChunkSize, chunks - done, first_counter + done,
                       cvs + 8 * done);
}

void hash_parents_avx2(const std::uint32_t* child_cvs, std::size_t parents, std::uint32_t* out) {
  std::size_t done = 0;
  for (; done + kLanes <= parents; done += kLanes) {
    hash8_parents(child_cvs + 16 * done, out + 8 * done);
  }
  hash_parents_portable(child_cvs + 16 * done, parents - done, out + 8 * done);
}

}  // namespace sigmount::hashing::blake3_detail

#endif  // SIGMOUNT_BLAKE3_AVX2
