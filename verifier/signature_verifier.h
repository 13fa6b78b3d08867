// The single entry point from a bundle to a VerifiedManifest: verify the signature under the
// policy, then read the signed OMS statement.
#pragma once

#include <string_view>

#include "verifier/trust/trusted_payload.h"
#include "verifier/trust_policy.h"
#include "verifier/verified_manifest.h"

namespace sigmount::verifier {

// The trust step alone: the DSSE payload of `bundle_json` and who signed it, under `policy`
// (key, certificate chain or Sigstore identity). For callers that read another statement
// than the OMS one (SLSA provenance). Throws as SignatureVerifier::verify.
trust::TrustedPayload verify_payload(std::string_view bundle_json, const TrustPolicy& policy);

class SignatureVerifier {
 public:
  explicit SignatureVerifier(TrustPolicy policy) : policy_(std::move(policy)) {}
  // Throws FormatError (malformed bundle or statement) or VerificationError (untrusted key,
  // bad signature, identity mismatch, inconsistent root digest...).
  VerifiedManifest verify(std::string_view bundle_json) const;

 private:
  TrustPolicy policy_;
};

}  // namespace sigmount::verifier
