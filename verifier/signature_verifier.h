// The single entry point from a bundle to a VerifiedManifest: verify the signature under the
// policy, then read the signed OMS statement.
#pragma once

#include <string_view>

#include "verifier/trust_policy.h"
#include "verifier/verified_manifest.h"

namespace sigmount::verifier {

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
