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

// Any certificate identity from exactly this OIDC issuer, for callers whose rule for the
// identity is richer than one exact SAN (SLSA: the workflow identity is a trusted builder at
// a release tag). Everything else is verified as for IdentityPolicy; the caller MUST then judge
// VerifiedBundle::workflow_claims, which verify_bundle() fills for this policy.
struct CallerJudgedIdentityPolicy {
  std::string issuer;
};

using SignerPolicy = std::variant<IdentityPolicy, PublicKeyPolicy, CallerJudgedIdentityPolicy>;

// Throws VerificationError ("wrong identity ...", "wrong OIDC issuer ...").
void check_identity(const CertificateIdentity& certificate, const IdentityPolicy& policy);

std::string describe(const IdentityPolicy& policy);

// Throws VerificationError unless the certificate's issuer is exactly `policy.issuer` (an
// empty one matches nothing).
void check_issuer(const CertificateIdentity& certificate, const CallerJudgedIdentityPolicy& policy);

}  // namespace sigmount::verifier::sigstore
