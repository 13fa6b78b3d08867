// Reproducible pseudo-random content for tests that need bytes no compressor or cache can
// shortcut.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>

#include "hashing/bytes.h"

namespace sigmount::testing {

inline Bytes random_bytes(std::size_t size, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  Bytes out(size);
  for (auto& b : out) b = static_cast<std::uint8_t>(rng());
  return out;
}

}  // namespace sigmount::testing
