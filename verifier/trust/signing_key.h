// Where a signature is made: in this process (a key file) or on a device that never gives the
// key out (a PKCS#11 token). Signers (signing.h) put the bundle together; this makes the ECDSA
// signature, so one bundle writer serves every kind of key.
#pragma once

#include "hashing/bytes.h"
#include "hashing/openssl_handle.h"

namespace sigmount::verifier::trust {

class SigningKey {
 public:
  SigningKey() = default;
  SigningKey(const SigningKey&) = delete;
  SigningKey& operator=(const SigningKey&) = delete;
  virtual ~SigningKey() = default;

  // The public half (P-256, P-384 or P-521), for the bundle and to check what sign() made.
  virtual const EVP_PKEY* public_key() const = 0;
  // ECDSA over `message` with the curve's hash (model_signing's pairing), ASN.1 DER.
  virtual Bytes sign(ByteView message) const = 0;
};

}  // namespace sigmount::verifier::trust
