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

 private:
  using ChainingValue = std::array<std::uint32_t, 8>;

  void push_subtree_cv(ChainingValue cv, unsigned level, std::uint64_t chunks_so_far);
  void compress_buffered_block(bool is_last);

  // The chunk being filled: its chaining value so far, the block not yet compressed and how
  // many blocks of it were already compressed.
  ChainingValue chunk_cv_{};
  std::array<std::uint8_t, kBlockSize> block_{};
  std::size_t block_len_ = 0;
  std::size_t blocks_compressed_ = 0;
  std::uint64_t chunk_counter_ = 0;

  // Chaining values of complete left subtrees, oldest (largest) first. 2^54 chunks is 16 EiB.
  std::array<ChainingValue, 54> cv_stack_{};
  std::size_t cv_stack_len_ = 0;
};

}  // namespace sigmount::hashing
