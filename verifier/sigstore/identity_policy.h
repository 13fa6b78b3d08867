// Who must have signed: a Fulcio identity (SAN + OIDC issuer, exact matches) or a managed
// public key. An empty identity or issuer matches nothing: a policy option is never ignored.
#pragma once

#include <string>
#include <variant>

#include "hashing/bytes.h"
#include "verifier/sigstore/fulcio_certificate.h"

namespace sigmount::verifier::sigstore {

struct IdentityPolicy {
  std::string identity;  // SAN: email, URI or Fulcio username, exactly
  std::string issuer;    // OIDC issuer, exactly
};

struct PublicKeyPolicy {
  Bytes public_key_der;  // SubjectPublicKeyInfo
};

using SignerPolicy = std::variant<IdentityPolicy, PublicKeyPolicy>;

// Throws VerificationError ("wrong identity ...", "wrong OIDC issuer ...").
void check_identity(const CertificateIdentity& certificate, const IdentityPolicy& policy);

std::string describe(const IdentityPolicy& policy);

}  // namespace sigmount::verifier::sigstore
