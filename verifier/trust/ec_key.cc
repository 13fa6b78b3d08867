#include "verifier/trust/ec_key.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <algorithm>
#include <array>

#include "verifier/errors.h"

namespace sigmount::verifier::trust {
namespace {

Bio memory_bio(std::string_view text) {
  Bio bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  if (!bio) throw std::bad_alloc();
  return bio;
}

const EVP_MD* digest_of(CurveHash hash) {
  switch (hash) {
    case CurveHash::sha256:
      return EVP_sha256();
    case CurveHash::sha384:
      return EVP_sha384();
    case CurveHash::sha512:
      return EVP_sha512();
  }
  return EVP_sha256();
}

// Hands OpenSSL the password, or refuses when there is none (the default callback would
// prompt on the terminal).
int password_callback(char* buffer, int size, int /*rwflag*/, void* user) {
  const auto* password = static_cast<const std::optional<std::string>*>(user);
  if (!password->has_value() || (*password)->size() > static_cast<std::size_t>(size)) return -1;
  // OpenSSL takes the length from the return value; no terminator is needed.
  std::copy_n((*password)->data(), (*password)->size(), buffer);
  return static_cast<int>((*password)->size());
}

}  // namespace

CurveHash curve_hash_of(std::string_view what, const EVP_PKEY* key) {
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC) {
    throw FormatError(std::string(what) + ": only elliptic curve keys are supported");
  }
  std::array<char, 64> group{};
  std::size_t length = 0;
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group.data(), group.size(),
                                     &length) != 1) {
    throw FormatError(std::string(what) + ": elliptic curve key without a named curve");
  }
  const std::string_view name(group.data(), length);
  if (name == "prime256v1" || name == "P-256") return CurveHash::sha256;
  if (name == "secp384r1" || name == "P-384") return CurveHash::sha384;
  if (name == "secp521r1" || name == "P-521") return CurveHash::sha512;
  throw FormatError(std::string(what) + ": unsupported curve " + std::string(name) +
                    " (P-256, P-384, P-521 only)");
}

CurveHash curve_hash(const EVP_PKEY* key) {
  return curve_hash_of("key", key);
}

EvpPkey load_ec_public_key(std::string_view pem, std::string_view what) {
  Bio bio = memory_bio(pem);
  EvpPkey key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  if (!key) {
    // The commonest mix-up of all: the signer's key file given where its public half belongs.
    if (pem.find("PRIVATE KEY-----") != std::string_view::npos) {
      throw FormatError(std::string(what) +
                        ": is a private key, not a public key (give the public key, e.g. from "
                        "`openssl pkey -in KEY -pubout`)");
    }
    throw FormatError(std::string(what) + ": not a PEM public key");
  }
  curve_hash_of(what, key.get());
  return key;
}

EvpPkey load_ec_private_key(std::string_view pem, const std::optional<std::string>& password,
                            std::string_view what) {
  Bio bio = memory_bio(pem);
  EvpPkey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, password_callback,
                                      const_cast<std::optional<std::string>*>(&password)));
  ERR_clear_error();
  if (!key) {
    if (pem.find("PUBLIC KEY-----") != std::string_view::npos) {
      throw FormatError(std::string(what) + ": is a public key; signing needs the private key");
    }
    throw FormatError(std::string(what) +
                      (password ? ": not a PEM private key, or the password is wrong"
                                : ": not a PEM private key, or it is encrypted (give a password)"));
  }
  curve_hash_of(what, key.get());
  return key;
}

std::string public_key_pem(const EVP_PKEY* key) {
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key) != 1) {
    ERR_clear_error();
    throw FormatError("key: cannot encode the public key");
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return {data, static_cast<std::size_t>(size)};
}

std::string sha256_hex(ByteView data) {
  std::array<std::uint8_t, 32> digest{};
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 failed");
  }
  return to_hex(ByteView(digest.data(), size));
}

std::string public_key_hint(const EVP_PKEY* key) {
  return sha256_hex(as_bytes(public_key_pem(key)));
}

bool ecdsa_verify(const EVP_PKEY* key, CurveHash hash, ByteView message, ByteView der_signature) {
  EvpMdCtx ctx(EVP_MD_CTX_new());
  if (!ctx) throw std::bad_alloc();
  const bool ok = EVP_DigestVerifyInit(ctx.get(), nullptr, digest_of(hash), nullptr,
                                       const_cast<EVP_PKEY*>(key)) == 1 &&
                  EVP_DigestVerify(ctx.get(), der_signature.data(), der_signature.size(),
                                   message.data(), message.size()) == 1;
  ERR_clear_error();
  return ok;
}

Bytes ecdsa_sign(const EVP_PKEY* key, CurveHash hash, ByteView message) {
  EvpMdCtx ctx(EVP_MD_CTX_new());
  if (!ctx) throw std::bad_alloc();
  std::size_t size = 0;
  if (EVP_DigestSignInit(ctx.get(), nullptr, digest_of(hash), nullptr,
                         const_cast<EVP_PKEY*>(key)) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &size, message.data(), message.size()) != 1) {
    ERR_clear_error();
    throw FormatError("key: cannot sign with this key");
  }
  Bytes signature(size);
  if (EVP_DigestSign(ctx.get(), signature.data(), &size, message.data(), message.size()) != 1) {
    ERR_clear_error();
    throw FormatError("key: signing failed");
  }
  signature.resize(size);
  return signature;
}

bool same_public_key(const EVP_PKEY* a, const EVP_PKEY* b) {
  const bool same = EVP_PKEY_eq(a, b) == 1;
  ERR_clear_error();
  return same;
}

}  // namespace sigmount::verifier::trust
