#include "hashing/digest.h"

#include <openssl/err.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <variant>

#include "hashing/blake3.h"
#include "hashing/openssl_handle.h"

namespace sigmount::hashing {

std::string_view algorithm_name(HashAlgorithm algorithm) {
  switch (algorithm) {
    case HashAlgorithm::sha256:
      return "sha256";
    case HashAlgorithm::blake2b:
      return "blake2b";
    case HashAlgorithm::blake3:
      return "blake3";
  }
  throw std::invalid_argument("unknown hash algorithm");
}

std::optional<HashAlgorithm> parse_algorithm_name(std::string_view name) {
  if (name == "sha256") return HashAlgorithm::sha256;
  if (name == "blake2b") return HashAlgorithm::blake2b;
  if (name == "blake3") return HashAlgorithm::blake3;
  return std::nullopt;
}

std::size_t digest_size(HashAlgorithm algorithm) {
  return algorithm == HashAlgorithm::blake2b ? 64 : 32;
}

Digest::Digest(ByteView bytes) {
  if (bytes.size() > kMaxSize) throw std::length_error("digest longer than 64 bytes");
  std::copy(bytes.begin(), bytes.end(), bytes_.begin());
  size_ = bytes.size();
}

bool operator==(const Digest& a, const Digest& b) {
  return std::ranges::equal(a.bytes(), b.bytes());
}

namespace {

[[noreturn]] void throw_openssl(const char* what) {
  const unsigned long code = ERR_get_error();
  std::string message = std::string(what) + " failed";
  if (code != 0) {
    char reason[256];
    ERR_error_string_n(code, reason, sizeof reason);
    message += ": ";
    message += reason;
  }
  ERR_clear_error();
  throw std::runtime_error(message);
}

// Fetching an EVP_MD walks the provider tables under a lock; do it once per algorithm for the
// whole process instead of once per Hasher (model hashing creates one per file or shard).
// The handles are immutable after initialization, which C++ makes thread-safe.
const EVP_MD* fetched_md(HashAlgorithm algorithm) {
  auto fetch = [](const char* name) {
    EvpMd md(EVP_MD_fetch(nullptr, name, nullptr));
    if (!md) throw_openssl(name);
    return md;
  };
  switch (algorithm) {
    case HashAlgorithm::sha256: {
      static const EvpMd sha256 = fetch("SHA2-256");
      return sha256.get();
    }
    case HashAlgorithm::blake2b: {
      static const EvpMd blake2b = fetch("BLAKE2B-512");
      return blake2b.get();
    }
    case HashAlgorithm::blake3:
      break;
  }
  throw std::invalid_argument("not an OpenSSL digest");
}

struct EvpState {
  const EVP_MD* md;
  EvpMdCtx ctx;
};

}  // namespace

class Hasher::Impl {
 public:
  explicit Impl(HashAlgorithm algorithm) {
    if (algorithm == HashAlgorithm::blake3) {
      state_.emplace<Blake3>();
      return;
    }
    EvpState evp{fetched_md(algorithm), EvpMdCtx(EVP_MD_CTX_new())};
    if (!evp.ctx) throw_openssl("EVP_MD_CTX_new");
    if (EVP_DigestInit_ex2(evp.ctx.get(), evp.md, nullptr) != 1) throw_openssl("EVP_DigestInit");
    state_ = std::move(evp);
  }

  void update(ByteView data) {
    if (auto* blake3 = std::get_if<Blake3>(&state_)) {
      blake3->update(data);
      return;
    }
    auto& evp = std::get<EvpState>(state_);
    if (EVP_DigestUpdate(evp.ctx.get(), data.data(), data.size()) != 1) {
      throw_openssl("EVP_DigestUpdate");
    }
  }

  Digest finish() {
    if (auto* blake3 = std::get_if<Blake3>(&state_)) {
      const auto out = blake3->finalize();
      blake3->reset();
      return Digest(out);
    }
    auto& evp = std::get<EvpState>(state_);
    std::uint8_t out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(evp.ctx.get(), out, &len) != 1) throw_openssl("EVP_DigestFinal");
    if (EVP_DigestInit_ex2(evp.ctx.get(), evp.md, nullptr) != 1) throw_openssl("EVP_DigestInit");
    return Digest(ByteView(out, len));
  }

 private:
  std::variant<std::monostate, EvpState, Blake3> state_;
};

Hasher::Hasher(HashAlgorithm algorithm)
    : algorithm_(algorithm), impl_(std::make_unique<Impl>(algorithm)) {}
Hasher::~Hasher() = default;
Hasher::Hasher(Hasher&&) noexcept = default;
Hasher& Hasher::operator=(Hasher&&) noexcept = default;

void Hasher::update(ByteView data) {
  impl_->update(data);
}
Digest Hasher::finish() {
  return impl_->finish();
}

Digest hash_bytes(HashAlgorithm algorithm, ByteView data) {
  Hasher hasher(algorithm);
  hasher.update(data);
  return hasher.finish();
}

}  // namespace sigmount::hashing
