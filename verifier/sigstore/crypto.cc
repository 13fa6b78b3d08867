#include "verifier/sigstore/crypto.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <cstring>

#include "verifier/errors.h"

namespace sigmount::verifier::sigstore {

Bytes digest_with(const EVP_MD* md, ByteView data) {
  Bytes out(static_cast<std::size_t>(EVP_MD_get_size(md)));
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &length, md, nullptr) != 1) {
    throw std::runtime_error("EVP_Digest failed");
  }
  out.resize(length);
  return out;
}

Bytes sha256(ByteView data) {
  return digest_with(EVP_sha256(), data);
}

EvpPkey public_key_from_der(ByteView spki, std::string_view what) {
  const unsigned char* p = spki.data();
  EvpPkey key(d2i_PUBKEY(nullptr, &p, static_cast<long>(spki.size())));
  ERR_clear_error();
  if (!key || p != spki.data() + spki.size()) {
    throw FormatError(std::string(what) + ": not a DER SubjectPublicKeyInfo");
  }
  return key;
}

EvpPkey public_key_from_pem(std::string_view pem, std::string_view what) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  EvpPkey key(bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  ERR_clear_error();
  if (!key) throw FormatError(std::string(what) + ": not a PEM public key");
  return key;
}

X509Cert certificate_from_der(ByteView der, std::string_view what) {
  const unsigned char* p = der.data();
  X509Cert cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  ERR_clear_error();
  if (!cert || p != der.data() + der.size()) {
    throw FormatError(std::string(what) + ": not a DER X.509 certificate");
  }
  return cert;
}

X509Cert certificate_from_pem(std::string_view pem, std::string_view what) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509Cert cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  ERR_clear_error();
  if (!cert) throw FormatError(std::string(what) + ": not a PEM certificate");
  return cert;
}

Bytes certificate_der(const X509* cert) {
  unsigned char* buffer = nullptr;
  const int length = i2d_X509(cert, &buffer);
  if (length <= 0) throw std::runtime_error("i2d_X509 failed");
  Bytes out(buffer, buffer + length);
  OPENSSL_free(buffer);
  return out;
}

Bytes public_key_der(const EVP_PKEY* key) {
  unsigned char* buffer = nullptr;
  const int length = i2d_PUBKEY(key, &buffer);
  if (length <= 0) throw std::runtime_error("i2d_PUBKEY failed");
  Bytes out(buffer, buffer + length);
  OPENSSL_free(buffer);
  return out;
}

X509Cert share_certificate(X509* cert) {
  X509_up_ref(cert);
  return X509Cert(cert);
}

bool is_ed25519(const EVP_PKEY* key) {
  return EVP_PKEY_get_id(key) == EVP_PKEY_ED25519;
}

const EVP_MD* default_digest_for(const EVP_PKEY* key) {
  if (is_ed25519(key)) return nullptr;
  if (EVP_PKEY_get_id(key) == EVP_PKEY_EC) {
    char group[64] = {};
    std::size_t length = 0;
    if (EVP_PKEY_get_group_name(key, group, sizeof group, &length) == 1) {
      if (std::strcmp(group, "secp384r1") == 0) return EVP_sha384();
      if (std::strcmp(group, "secp521r1") == 0) return EVP_sha512();
    }
  }
  return EVP_sha256();
}

bool verify_signature(const EVP_PKEY* key, ByteView message, ByteView signature, const EVP_MD* md) {
  EvpMdCtx ctx(EVP_MD_CTX_new());
  if (!ctx) throw std::bad_alloc();
  const EVP_MD* digest = is_ed25519(key) ? nullptr : md;
  // EVP_DigestVerifyInit takes a non-const key but only up-refs it.
  auto* mutable_key = const_cast<EVP_PKEY*>(key);
  bool ok = EVP_DigestVerifyInit(ctx.get(), nullptr, digest, nullptr, mutable_key) == 1 &&
            EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(),
                             message.size()) == 1;
  ERR_clear_error();
  return ok;
}

bool verify_prehashed_signature(const EVP_PKEY* key, ByteView digest, ByteView signature,
                                const EVP_MD* md) {
  if (is_ed25519(key)) return false;  // Ed25519 signs messages, never digests
  EvpPkeyCtx ctx(EVP_PKEY_CTX_new(const_cast<EVP_PKEY*>(key), nullptr));
  if (!ctx) throw std::bad_alloc();
  bool ok =
      EVP_PKEY_verify_init(ctx.get()) == 1 && EVP_PKEY_CTX_set_signature_md(ctx.get(), md) == 1;
  if (ok && EVP_PKEY_get_id(key) == EVP_PKEY_RSA) {
    ok = EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) == 1;
  }
  ok = ok && EVP_PKEY_verify(ctx.get(), signature.data(), signature.size(), digest.data(),
                             digest.size()) == 1;
  ERR_clear_error();
  return ok;
}

}  // namespace sigmount::verifier::sigstore
