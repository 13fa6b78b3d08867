// EC keys as model_signing uses them: P-256/P-384/P-521 only, the curve fixing the hash
// (SHA-256/384/512), ECDSA signatures in ASN.1 DER.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "hashing/bytes.h"
#include "hashing/openssl_handle.h"

namespace sigmount::verifier::trust {

enum class CurveHash : std::uint8_t { sha256, sha384, sha512 };

// Throws FormatError for anything but one PEM public key on one of the three curves. Text
// before the PEM block is tolerated, as model_signing (cryptography) tolerates it.
EvpPkey load_ec_public_key(std::string_view pem, std::string_view what);

// SEC1 ("EC PRIVATE KEY") or PKCS#8, plain or encrypted. Never prompts: an encrypted key
// without a password, or with a wrong one, is a FormatError.
EvpPkey load_ec_private_key(std::string_view pem, const std::optional<std::string>& password,
                            std::string_view what);

// The hash model_signing pairs with the key's curve; FormatError for other keys.
CurveHash curve_hash(const EVP_PKEY* key);
CurveHash curve_hash_of(std::string_view what, const EVP_PKEY* key);

// The SubjectPublicKeyInfo as PEM text (64-column base64, trailing newline).
std::string public_key_pem(const EVP_PKEY* key);
// model_signing's `publicKey.hint`: SHA-256 hex of public_key_pem() (the text, not DER).
std::string public_key_hint(const EVP_PKEY* key);

bool ecdsa_verify(const EVP_PKEY* key, CurveHash hash, ByteView message, ByteView der_signature);
Bytes ecdsa_sign(const EVP_PKEY* key, CurveHash hash, ByteView message);

bool same_public_key(const EVP_PKEY* a, const EVP_PKEY* b);

// SHA-256 of `data` as lowercase hex.
std::string sha256_hex(ByteView data);

}  // namespace sigmount::verifier::trust
