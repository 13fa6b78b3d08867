// BLAKE3 (default hash mode, 32-byte output), written from the BLAKE3 specification
// (O'Connor, Aumasson, Neves, Wilcox-O'Hearn, "BLAKE3: one function, fast everywhere", 2020).
//
// The input is split into 1 KiB chunks; each chunk is hashed into a chaining value, and the
// chaining values are combined pairwise in a binary tree whose left subtrees are always
// complete powers of two. We keep the tree as a stack of pending left subtrees, which is all
// the state an incremental hasher needs (at most one entry per bit of the chunk counter).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "hashing/bytes.h"

namespace sigmount::hashing {

class Blake3 {
 public:
  static constexpr std::size_t kDigestSize = 32;
  static constexpr std::size_t kBlockSize = 64;
  static constexpr std::size_t kChunkSize = 1024;

  Blake3() { reset(); }

  void update(ByteView data);
  // Returns the digest of everything passed to update() since the last reset.
  std::array<std::uint8_t, kDigestSize> finalize() const;
  void reset();

  // Which compression code this process uses: "avx2" or "portable" (for reports and benches).
  static const char* implementation();

  // Hashing one input on several threads, which BLAKE3's tree allows. Cut the input into
  // pieces of 2^level whole chunks; the last piece may be shorter (but not empty). Piece i
  // starts at chunk i * 2^level, so every piece but the last is a complete subtree of the
  // final tree. Hash each piece with its own hasher after start_at_chunk(i << level); take
  // subtree_cv() of the complete pieces, then join() them with the last piece's hasher and
  // finalize() the result: the digest equals that of hashing the whole input at once.
  using ChainingValue = std::array<std::uint32_t, 8>;
  void start_at_chunk(std::uint64_t chunk_index);
  ChainingValue subtree_cv() const;
  static Blake3 join(std::span<const ChainingValue> complete_pieces, unsigned level,
                     const Blake3& last_piece);

 private:
  // The root-most node of everything hashed so far, compressed with `flags` added.
  ChainingValue fold(std::uint32_t flags) const;

  void push_subtree_cv(const ChainingValue& cv, std::uint64_t first_chunk);
  void compress_buffered_block(bool is_last);

  // The chunk being filled: its chaining value so far, the block not yet compressed and how
  // many blocks of it were already compressed.
  ChainingValue chunk_cv_{};
  std::array<std::uint8_t, kBlockSize> block_{};
  std::size_t block_len_ = 0;
  std::size_t blocks_compressed_ = 0;
  std::uint64_t chunk_counter_ = 0;
  std::uint64_t first_chunk_ = 0;  // where start_at_chunk() put this hasher

  // Chaining values of complete left subtrees, oldest (largest) first, merged lazily (see
  // push_subtree_cv). 2^54 chunks is 16 EiB, plus one not yet merged.
  std::array<ChainingValue, 55> cv_stack_{};
  std::size_t cv_stack_len_ = 0;
};

}  // namespace sigmount::hashing
