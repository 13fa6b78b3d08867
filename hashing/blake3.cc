#include "hashing/blake3.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <stdexcept>

#include "hashing/blake3_internal.h"

namespace sigmount::hashing {

namespace blake3_detail {
namespace {

inline std::uint32_t load_le32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
         (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}

// The quarter-round mixing function G of the spec.
inline void mix(std::uint32_t v[16], int a, int b, int c, int d, std::uint32_t x, std::uint32_t y) {
  v[a] = v[a] + v[b] + x;
  v[d] = std::rotr(v[d] ^ v[a], 16);
  v[c] = v[c] + v[d];
  v[b] = std::rotr(v[b] ^ v[c], 12);
  v[a] = v[a] + v[b] + y;
  v[d] = std::rotr(v[d] ^ v[a], 8);
  v[c] = v[c] + v[d];
  v[b] = std::rotr(v[b] ^ v[c], 7);
}

// One round: columns, then diagonals. A template so the message schedule is a compile-time
// constant and every word stays in a register.
template <std::size_t R>
inline void round(std::uint32_t v[16], const std::uint32_t m[16]) {
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

void compress_words(const std::uint32_t cv[8], const std::uint32_t m[16], std::uint32_t block_len,
                    std::uint64_t counter, std::uint32_t flags, std::uint32_t out[8]) {
  std::uint32_t v[16] = {cv[0],
                         cv[1],
                         cv[2],
                         cv[3],
                         cv[4],
                         cv[5],
                         cv[6],
                         cv[7],
                         kIv[0],
                         kIv[1],
                         kIv[2],
                         kIv[3],
                         static_cast<std::uint32_t>(counter),
                         static_cast<std::uint32_t>(counter >> 32),
                         block_len,
                         flags};
  round<0>(v, m);
  round<1>(v, m);
  round<2>(v, m);
  round<3>(v, m);
  round<4>(v, m);
  round<5>(v, m);
  round<6>(v, m);
  for (int i = 0; i < 8; ++i) out[i] = v[i] ^ v[i + 8];
}

}  // namespace

void compress(const std::uint32_t cv[8], const std::uint8_t block[kBlockSize],
              std::uint32_t block_len, std::uint64_t counter, std::uint32_t flags,
              std::uint32_t out[8]) {
  std::uint32_t m[16];
  for (std::size_t i = 0; i < 16; ++i) m[i] = load_le32(block + 4 * i);
  compress_words(cv, m, block_len, counter, flags, out);
}

void hash_chunks_portable(const std::uint8_t* input, std::size_t chunks,
                          std::uint64_t first_counter, std::uint32_t* cvs) {
  for (std::size_t c = 0; c < chunks; ++c) {
    std::uint32_t cv[8];
    std::copy(kIv.begin(), kIv.end(), cv);
    const std::uint8_t* chunk = input + c * kChunkSize;
    for (std::size_t b = 0; b < kBlocksPerChunk; ++b) {
      std::uint32_t flags = 0;
      if (b == 0) flags |= kChunkStart;
      if (b == kBlocksPerChunk - 1) flags |= kChunkEnd;
      compress(cv, chunk + b * kBlockSize, kBlockSize, first_counter + c, flags, cv);
    }
    std::copy(cv, cv + 8, cvs + 8 * c);
  }
}

void hash_parents_portable(const std::uint32_t* child_cvs, std::size_t parents,
                           std::uint32_t* out) {
  for (std::size_t p = 0; p < parents; ++p) {
    std::uint32_t m[16];
    std::copy(child_cvs + 16 * p, child_cvs + 16 * p + 16, m);
    compress_words(kIv.data(), m, kBlockSize, 0, kParent, out + 8 * p);
  }
}

}  // namespace blake3_detail

namespace {

using namespace blake3_detail;

bool cpu_has_avx2() {
#if defined(SIGMOUNT_BLAKE3_AVX2)
  static const bool has = __builtin_cpu_supports("avx2");
  return has;
#else
  return false;
#endif
}

void hash_chunks(const std::uint8_t* input, std::size_t chunks, std::uint64_t first_counter,
                 std::uint32_t* cvs) {
#if defined(SIGMOUNT_BLAKE3_AVX2)
  if (cpu_has_avx2()) return hash_chunks_avx2(input, chunks, first_counter, cvs);
#endif
  hash_chunks_portable(input, chunks, first_counter, cvs);
}

void hash_parents(const std::uint32_t* child_cvs, std::size_t parents, std::uint32_t* out) {
#if defined(SIGMOUNT_BLAKE3_AVX2)
  if (cpu_has_avx2()) return hash_parents_avx2(child_cvs, parents, out);
#endif
  hash_parents_portable(child_cvs, parents, out);
}

// Little-endian bytes of 8 words (a chaining value or an output).
void store_words(const std::array<std::uint32_t, 8>& words, std::uint8_t* out) {
  for (std::size_t w = 0; w < 8; ++w) {
    for (std::size_t b = 0; b < 4; ++b)
      out[4 * w + b] = static_cast<std::uint8_t>(words[w] >> (8 * b));
  }
}

// Largest batch of chunks hashed as one subtree in update(): 64 KiB of input.
constexpr std::size_t kMaxBatchChunks = 64;

}  // namespace

const char* Blake3::implementation() {
  return cpu_has_avx2() ? "avx2" : "portable";
}

void Blake3::reset() {
  chunk_cv_ = kIv;
  block_.fill(0);
  block_len_ = 0;
  blocks_compressed_ = 0;
  chunk_counter_ = 0;
  first_chunk_ = 0;
  cv_stack_len_ = 0;
}

namespace {

// Merges the newest subtrees into parents until the stack holds one subtree per set bit of
// `chunks` (the chunks they cover): each merge is one carry of the binary addition that brought
// the count there. Only valid when more input follows those chunks, so no parent is the root.
void merge_stack(Blake3::ChainingValue* stack, std::size_t& len, std::uint64_t chunks) {
  const auto keep = static_cast<std::size_t>(std::popcount(chunks));
  while (len > keep) {
    std::uint32_t children[16];
    std::copy(stack[len - 2].begin(), stack[len - 2].end(), children);
    std::copy(stack[len - 1].begin(), stack[len - 1].end(), children + 8);
    hash_parents_portable(children, 1, stack[len - 2].data());
    --len;
  }
}

}  // namespace

// Adds a complete subtree starting at chunk `first_chunk`. The stack is merged lazily, before
// a push, because only then is it known that the subtrees below are not the whole input.
void Blake3::push_subtree_cv(const ChainingValue& cv, std::uint64_t first_chunk) {
  merge_stack(cv_stack_.data(), cv_stack_len_, first_chunk - first_chunk_);
  cv_stack_[cv_stack_len_++] = cv;
}

void Blake3::compress_buffered_block(bool is_last) {
  std::uint32_t flags = 0;
  if (blocks_compressed_ == 0) flags |= kChunkStart;
  if (is_last) flags |= kChunkEnd;
  compress(chunk_cv_.data(), block_.data(), static_cast<std::uint32_t>(block_len_), chunk_counter_,
           flags, chunk_cv_.data());
  ++blocks_compressed_;
  block_.fill(0);
  block_len_ = 0;
}

void Blake3::update(ByteView data) {
  while (!data.empty()) {
    const bool chunk_empty = blocks_compressed_ == 0 && block_len_ == 0;
    if (chunk_empty && data.size() >= kChunkSize) {
      // Whole chunks are hashed in batches that form complete subtrees (2^k chunks starting at
      // a multiple of 2^k). Only a batch holding all input from the very start could be the
      // root; that input waits in the chunk buffer until more arrives.
      std::size_t whole = data.size() / kChunkSize;
      if (chunk_counter_ == 0 && whole * kChunkSize == data.size()) --whole;
      if (whole > 0) {
        std::size_t batch = std::bit_floor(std::min(whole, kMaxBatchChunks));
        if (chunk_counter_ != 0) {
          batch =
              std::min<std::uint64_t>(batch, std::uint64_t{1} << std::countr_zero(chunk_counter_));
        }
        std::uint32_t cvs[8 * kMaxBatchChunks];
        hash_chunks(data.data(), batch, chunk_counter_, cvs);
        for (std::size_t n = batch; n > 1; n /= 2) hash_parents(cvs, n / 2, cvs);
        ChainingValue subtree;
        std::copy(cvs, cvs + 8, subtree.begin());
        push_subtree_cv(subtree, chunk_counter_);
        chunk_counter_ += batch;
        data = data.subspan(batch * kChunkSize);
        continue;
      }
    }
    if (block_len_ == kBlockSize) {
      // The buffered block is full and more input follows, so it is not the final block.
      if (blocks_compressed_ == kBlocksPerChunk - 1) {
        compress_buffered_block(/*is_last=*/true);
        push_subtree_cv(chunk_cv_, chunk_counter_);
        ++chunk_counter_;
        chunk_cv_ = kIv;
        blocks_compressed_ = 0;
        continue;
      }
      compress_buffered_block(/*is_last=*/false);
    }
    const std::size_t take = std::min(kBlockSize - block_len_, data.size());
    std::memcpy(block_.data() + block_len_, data.data(), take);
    block_len_ += take;
    data = data.subspan(take);
  }
}

Blake3::ChainingValue Blake3::fold(std::uint32_t extra_flags) const {
  // Fold the rightmost node into the pending left subtrees, from the smallest to the largest.
  // The last node compressed gets `extra_flags` (kRoot for a digest).
  auto stack = cv_stack_;
  std::size_t len = cv_stack_len_;
  ChainingValue right;
  const bool chunk_empty = blocks_compressed_ == 0 && block_len_ == 0;
  if (!chunk_empty || len == 0) {
    // The rightmost node is the chunk being filled (for empty input, the empty chunk).
    merge_stack(stack.data(), len, chunk_counter_ - first_chunk_);
    const std::uint32_t chunk_flags = kChunkEnd | (blocks_compressed_ == 0 ? kChunkStart : 0);
    compress(chunk_cv_.data(), block_.data(), static_cast<std::uint32_t>(block_len_),
             chunk_counter_, chunk_flags | (len == 0 ? extra_flags : 0), right.data());
  } else {
    // The input ended with a whole batch: the newest subtree is the rightmost node. update()
    // never lets one subtree hold all the input, so alone it is a piece of a larger input.
    if (len == 1) {
      if (extra_flags != 0) throw std::logic_error("Blake3: a lone subtree cannot be the root");
      return stack[0];
    }
    right = stack[--len];
  }
  for (; len > 0; --len) {
    std::uint8_t block[kBlockSize];
    store_words(stack[len - 1], block);
    store_words(right, block + 32);
    compress(kIv.data(), block, kBlockSize, 0, kParent | (len == 1 ? extra_flags : 0),
             right.data());
  }
  return right;
}

std::array<std::uint8_t, Blake3::kDigestSize> Blake3::finalize() const {
  std::array<std::uint8_t, kDigestSize> digest;
  store_words(fold(kRoot), digest.data());
  return digest;
}

void Blake3::start_at_chunk(std::uint64_t chunk_index) {
  reset();
  chunk_counter_ = chunk_index;
  first_chunk_ = chunk_index;
}

Blake3::ChainingValue Blake3::subtree_cv() const {
  return fold(0);
}

Blake3 Blake3::join(std::span<const ChainingValue> complete_pieces, unsigned level,
                    const Blake3& last_piece) {
  // Rebuild the state a single hasher would have: the complete pieces as merged subtrees (the
  // last piece follows, so none of them is the root), then the last piece's own pending
  // subtrees, all smaller than a piece, so they never merge with the pieces before them.
  Blake3 joined;
  const std::uint64_t chunks = std::uint64_t{complete_pieces.size()} << level;
  for (std::size_t i = 0; i < complete_pieces.size(); ++i) {
    joined.push_subtree_cv(complete_pieces[i], std::uint64_t{i} << level);
  }
  if (last_piece.first_chunk_ != chunks) {
    throw std::invalid_argument("Blake3::join: the last piece does not follow the others");
  }
  merge_stack(joined.cv_stack_.data(), joined.cv_stack_len_, chunks);
  for (std::size_t i = 0; i < last_piece.cv_stack_len_; ++i) {
    joined.cv_stack_[joined.cv_stack_len_++] = last_piece.cv_stack_[i];
  }
  joined.chunk_cv_ = last_piece.chunk_cv_;
  joined.block_ = last_piece.block_;
  joined.block_len_ = last_piece.block_len_;
  joined.blocks_compressed_ = last_piece.blocks_compressed_;
  joined.chunk_counter_ = last_piece.chunk_counter_;
  return joined;
}

}  // namespace sigmount::hashing
