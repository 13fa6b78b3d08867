#include "hashing/block_mac.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <stdexcept>

namespace sigmount::hashing {
namespace {

using EvpMac = OpenSslHandle<EVP_MAC, EVP_MAC_free>;
using EvpMacCtx = OpenSslHandle<EVP_MAC_CTX, EVP_MAC_CTX_free>;

}  // namespace

BlockMac::BlockMac() {
  std::array<std::uint8_t, kKeySize> key{};
  if (RAND_priv_bytes(key.data(), static_cast<int>(key.size())) != 1) {
    throw std::runtime_error("BlockMac: no random bytes for the key");
  }
  init(key);
  OPENSSL_cleanse(key.data(), key.size());
}

BlockMac::BlockMac(std::span<const std::uint8_t, kKeySize> key) {
  init(key);
}

void BlockMac::init(std::span<const std::uint8_t, kKeySize> key) {
  const EvpMac mac(EVP_MAC_fetch(nullptr, "POLY1305", nullptr));
  if (!mac) throw std::runtime_error("BlockMac: OpenSSL has no POLY1305");
  keyed_.reset(EVP_MAC_CTX_new(mac.get()));
  if (!keyed_ || EVP_MAC_init(keyed_.get(), key.data(), key.size(), nullptr) != 1) {
    throw std::runtime_error("BlockMac: cannot key POLY1305");
  }
}

BlockMac::Tag BlockMac::tag(ByteView bytes) const {
  const EvpMacCtx ctx(EVP_MAC_CTX_dup(keyed_.get()));
  Tag out{};
  std::size_t written = 0;
  if (!ctx || EVP_MAC_update(ctx.get(), bytes.data(), bytes.size()) != 1 ||
      EVP_MAC_final(ctx.get(), out.data(), &written, out.size()) != 1 || written != out.size()) {
    throw std::runtime_error("BlockMac: POLY1305 failed");
  }
  return out;
}

bool BlockMac::equal(const Tag& a, const Tag& b) {
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace sigmount::hashing
