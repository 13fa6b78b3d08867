// The low-level SHA256_* functions are deprecated in OpenSSL 3 but remain the only API that
// exposes the chaining value; they run the same assembly (SHA-NI/AVX2) as EVP.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "fs/sha256_chain.h"

#include <openssl/sha.h>

#include <cstring>
#include <stdexcept>

namespace sigmount::fs {
namespace {

static_assert(sizeof(SHA256_CTX) <= 112, "Sha256Chain::ctx_ too small for SHA256_CTX");

SHA256_CTX* as_ctx(std::array<std::uint8_t, 112>& raw) {
  return reinterpret_cast<SHA256_CTX*>(raw.data());
}
const SHA256_CTX* as_ctx(const std::array<std::uint8_t, 112>& raw) {
  return reinterpret_cast<const SHA256_CTX*>(raw.data());
}

}  // namespace

Sha256Chain::Sha256Chain() {
  SHA256_Init(as_ctx(ctx_));
}

Sha256Chain::Sha256Chain(const State& state, std::uint64_t bytes_before) {
  if (bytes_before % 64 != 0) throw std::invalid_argument("SHA-256 resume point not 64-aligned");
  SHA256_CTX* ctx = as_ctx(ctx_);
  SHA256_Init(ctx);
  for (std::size_t i = 0; i < state.size(); ++i) ctx->h[i] = state[i];
  const std::uint64_t bits = bytes_before * 8;
  ctx->Nl = static_cast<SHA_LONG>(bits & 0xffffffffU);
  ctx->Nh = static_cast<SHA_LONG>(bits >> 32);
}

void Sha256Chain::update(ByteView data) {
  SHA256_Update(as_ctx(ctx_), data.data(), data.size());
}

Sha256Chain::State Sha256Chain::state() const {
  State out{};
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = as_ctx(ctx_)->h[i];
  return out;
}

hashing::Digest Sha256Chain::finish() {
  std::array<std::uint8_t, SHA256_DIGEST_LENGTH> md{};
  SHA256_Final(md.data(), as_ctx(ctx_));
  return hashing::Digest(md);
}

}  // namespace sigmount::fs
