#include "hashing/block_mac.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <stdexcept>

namespace sigmount::hashing {
namespace {

using EvpMac = OpenSslHandle<EVP_MAC, EVP_MAC_free>;
using EvpMacCtx = OpenSslHandle<EVP_MAC_CTX, EVP_MAC_CTX_free>;
using EvpCipherCtx = OpenSslHandle<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>;

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
  if (!keyed_ || EVP_MAC_init(keyed_.get(), key.data(), kPoly1305KeySize, nullptr) != 1) {
    throw std::runtime_error("BlockMac: cannot key POLY1305");
  }
  sealing_.reset(EVP_CIPHER_CTX_new());
  if (!sealing_ ||
      EVP_EncryptInit_ex(sealing_.get(), EVP_aes_128_ecb(), nullptr,
                         key.subspan<kPoly1305KeySize>().data(), nullptr) != 1 ||
      EVP_CIPHER_CTX_set_padding(sealing_.get(), 0) != 1) {
    throw std::runtime_error("BlockMac: cannot key AES-128");
  }
}

BlockMac::Tag BlockMac::tag(ByteView bytes) const {
  const EvpMacCtx ctx(EVP_MAC_CTX_dup(keyed_.get()));
  Tag universal{};
  std::size_t written = 0;
  if (!ctx || EVP_MAC_update(ctx.get(), bytes.data(), bytes.size()) != 1 ||
      EVP_MAC_final(ctx.get(), universal.data(), &written, universal.size()) != 1 ||
      written != universal.size()) {
    throw std::runtime_error("BlockMac: POLY1305 failed");
  }
  // Sealed so that the tag reveals nothing about the Poly1305 key (see the header).
  const EvpCipherCtx seal(EVP_CIPHER_CTX_new());
  Tag out{};
  int sealed = 0;
  if (!seal || EVP_CIPHER_CTX_copy(seal.get(), sealing_.get()) != 1 ||
      EVP_EncryptUpdate(seal.get(), out.data(), &sealed, universal.data(),
                        static_cast<int>(universal.size())) != 1 ||
      sealed != static_cast<int>(out.size())) {
    throw std::runtime_error("BlockMac: AES-128 failed");
  }
  OPENSSL_cleanse(universal.data(), universal.size());
  return out;
}

bool BlockMac::equal(const Tag& a, const Tag& b) {
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace sigmount::hashing
