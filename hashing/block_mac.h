// Keyed 128-bit tags for bytes a process has verified and may need to recognise again.
//
// The verify-on-read mount hashes a shard once against its signed digest and must later re-check
// single 64 KiB blocks of it read again from a backing file an attacker may have changed. A
// cryptographic hash per block would do, at the speed of the hash (SHA-256 ~1.5 GB/s here). A
// one-key universal-hash MAC does it four times faster: Poly1305 (OpenSSL, ~6 GB/s here) under a
// key drawn from the OpenSSL CSPRNG when the BlockMac is made, never written anywhere.
//
// Why this is sound although Poly1305 is a one-time MAC: its one-time limit is about an attacker
// who sees tags (two tags under one key reveal the key). These tags never leave the process; the
// attacker only learns whether bytes it planted were accepted. For any bytes other than the
// tagged ones of the same length, the chance that they get the same tag is at most
// 8 * ceil(L / 16) / 2^106 over the random key (Bernstein, "The Poly1305-AES message-
// authentication code", 2005): 2^-91 for a 64 KiB block, per attempt. Whoever can read this
// process's memory to learn the key can also write to it, and has won without it.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "hashing/bytes.h"
#include "hashing/openssl_handle.h"

namespace sigmount::hashing {

class BlockMac {
 public:
  using Tag = std::array<std::uint8_t, 16>;
  static constexpr std::size_t kKeySize = 32;

  // A fresh random key.
  BlockMac();
  // A given key: for tests only (a known key lets anyone forge tags).
  explicit BlockMac(std::span<const std::uint8_t, kKeySize> key);

  // Thread-safe: every call works on its own copy of the keyed state.
  Tag tag(ByteView bytes) const;
  // Constant-time comparison.
  static bool equal(const Tag& a, const Tag& b);

 private:
  void init(std::span<const std::uint8_t, kKeySize> key);
  // Keyed once; never updated, only copied, so concurrent tag() calls share it safely.
  OpenSslHandle<EVP_MAC_CTX, EVP_MAC_CTX_free> keyed_;
};

}  // namespace sigmount::hashing
