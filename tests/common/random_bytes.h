// Reproducible pseudo-random content for tests that need bytes no compressor or cache can
// shortcut.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <random>

#include "hashing/bytes.h"

namespace sigmount::testing {

inline Bytes random_bytes(std::size_t size, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  Bytes out(size);
  // Eight bytes per draw: tests are built without optimization, and some want many MiB.
  std::size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    const std::uint64_t word = rng();
    std::memcpy(out.data() + i, &word, 8);
  }
  for (std::uint64_t word = rng(); i < size; ++i, word >>= 8) {
    out[i] = static_cast<std::uint8_t>(word);
  }
  return out;
}

}  // namespace sigmount::testing
