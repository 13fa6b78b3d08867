// The few OpenSSL operations the Sigstore steps share: hashing, parsing keys and certificates
// strictly (trailing bytes are an error), and signature checks that answer yes/no.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <string>
#include <string_view>

#include "hashing/bytes.h"
#include "hashing/openssl_handle.h"

namespace sigmount::verifier::sigstore {

Bytes sha256(ByteView data);
Bytes digest_with(const EVP_MD* md, ByteView data);

// DER SubjectPublicKeyInfo / PEM "PUBLIC KEY". Throw FormatError naming `what`.
EvpPkey public_key_from_der(ByteView spki, std::string_view what);
EvpPkey public_key_from_pem(std::string_view pem, std::string_view what);
// DER certificate (must be consumed entirely) / the first PEM "CERTIFICATE" block.
X509Cert certificate_from_der(ByteView der, std::string_view what);
X509Cert certificate_from_pem(std::string_view pem, std::string_view what);

Bytes certificate_der(const X509* cert);
Bytes public_key_der(const EVP_PKEY* key);
X509Cert share_certificate(X509* cert);  // up-refs

// The hash Sigstore pairs with a key: SHA-384 for P-384, SHA-512 for P-521, none for Ed25519,
// SHA-256 otherwise.
const EVP_MD* default_digest_for(const EVP_PKEY* key);
bool is_ed25519(const EVP_PKEY* key);

// `signature` over `message` (hashed with `md`; Ed25519 ignores `md`). DER ECDSA, PKCS#1 RSA.
bool verify_signature(const EVP_PKEY* key, ByteView message, ByteView signature, const EVP_MD* md);
inline bool verify_signature(const EVP_PKEY* key, ByteView message, ByteView signature) {
  return verify_signature(key, message, signature, default_digest_for(key));
}
// `signature` over an already computed `digest` of algorithm `md` (hashedrekord signatures).
bool verify_prehashed_signature(const EVP_PKEY* key, ByteView digest, ByteView signature,
                                const EVP_MD* md);

}  // namespace sigmount::verifier::sigstore
