// Hash algorithms of the OMS format and the digests they produce.
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "hashing/bytes.h"

namespace sigmount::hashing {

enum class HashAlgorithm : std::uint8_t { sha256, blake2b, blake3 };

// The names model_signing records in `hash_type`: "sha256", "blake2b", "blake3".
std::string_view algorithm_name(HashAlgorithm algorithm);
std::optional<HashAlgorithm> parse_algorithm_name(std::string_view name);
// 32 for sha256 and blake3, 64 for blake2b (BLAKE2b-512, as model_signing uses it).
std::size_t digest_size(HashAlgorithm algorithm);

// A digest value of at most 64 bytes, held inline so shard tables stay compact.
class Digest {
 public:
  static constexpr std::size_t kMaxSize = 64;
  Digest() = default;
  explicit Digest(ByteView bytes);  // throws std::length_error if longer than kMaxSize

  ByteView bytes() const { return {bytes_.data(), size_}; }
  std::size_t size() const { return size_; }
  std::string hex() const { return to_hex(bytes()); }

  friend bool operator==(const Digest& a, const Digest& b);

 private:
  std::array<std::uint8_t, kMaxSize> bytes_{};
  std::size_t size_ = 0;
};

// Incremental hashing. Not thread-safe; one per thread.
class Hasher {
 public:
  explicit Hasher(HashAlgorithm algorithm);
  ~Hasher();
  Hasher(Hasher&&) noexcept;
  Hasher& operator=(Hasher&&) noexcept;
  Hasher(const Hasher&) = delete;
  Hasher& operator=(const Hasher&) = delete;

  HashAlgorithm algorithm() const { return algorithm_; }
  void update(ByteView data);
  // Returns the digest and resets the hasher for reuse.
  Digest finish();

  class Impl;

 private:
  HashAlgorithm algorithm_;
  std::unique_ptr<Impl> impl_;
};

Digest hash_bytes(HashAlgorithm algorithm, ByteView data);

}  // namespace sigmount::hashing
