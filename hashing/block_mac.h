// Keyed 128-bit tags for bytes a process has verified and may need to recognise again.
//
// The verify-on-read mount hashes a shard once against its signed digest and must later re-check
// single 64 KiB blocks of it read again from a backing file an attacker may have changed. A
// cryptographic hash per block would do, at the speed of the hash (SHA-256 ~1.5 GB/s here). A
// universal hash under a secret key does it four times faster: Poly1305 (OpenSSL, ~6 GB/s here),
// its 16-byte result then encrypted as one AES-128 block. Both keys come from the OpenSSL CSPRNG
// when the BlockMac is made and are never written anywhere.
//
// Why the AES block: Poly1305 alone is a one-time MAC. Two tags of known blocks under one key
// give the key away (a block and the same block with one bit flipped suffice), and with the key
// anyone can forge a block with a wanted tag. The mount keeps one key for all blocks, so it must
// not matter if tags are seen: they are not meant to leave the process, but a log line, a core
// dump or a debugger could show them. AES-128 is a pseudorandom permutation, so a tag says
// nothing about the Poly1305 value under it and hence nothing about its key; two blocks still
// get equal tags exactly when their Poly1305 values are equal. For bytes other than the tagged
// ones of the same length that happens with probability at most 8 * ceil(L / 16) / 2^106 over
// the random key (Bernstein, "The Poly1305-AES message-authentication code", 2005): 2^-91 for
// a 64 KiB block, per attempt, whatever tags the attacker has seen. The AES block is lost in the
// noise of a 64 KiB tag (3.0-4.4 GB/s with it, 3.7-4.6 GB/s without, on a busy 2-vCPU VM).
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
  static constexpr std::size_t kPoly1305KeySize = 32;
  static constexpr std::size_t kAesKeySize = 16;
  static constexpr std::size_t kKeySize = kPoly1305KeySize + kAesKeySize;

  // A fresh random key.
  BlockMac();
  // A given key (the Poly1305 key, then the AES-128 key): for tests only (a known key lets
  // anyone forge tags).
  explicit BlockMac(std::span<const std::uint8_t, kKeySize> key);

  // Thread-safe: every call works on its own copy of the keyed state.
  Tag tag(ByteView bytes) const;
  // Constant-time comparison.
  static bool equal(const Tag& a, const Tag& b);

 private:
  void init(std::span<const std::uint8_t, kKeySize> key);
  // Keyed once; never updated, only copied, so concurrent tag() calls share them safely.
  OpenSslHandle<EVP_MAC_CTX, EVP_MAC_CTX_free> keyed_;
  OpenSslHandle<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free> sealing_;
};

}  // namespace sigmount::hashing
