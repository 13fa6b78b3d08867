// The input of the official BLAKE3 test vectors, used by the other digest tests too.
#pragma once

#include <cstddef>
#include <cstdint>

#include "hashing/bytes.h"

namespace sigmount::hashing::testing {

// Bytes 0, 1, ..., 250, 0, 1, ...: the period 251 is prime, so no block or chunk boundary
// lines up with a repeat.
inline Bytes pattern_251(std::size_t size) {
  Bytes out(size);
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<std::uint8_t>(i % 251);
  return out;
}

}  // namespace sigmount::hashing::testing
