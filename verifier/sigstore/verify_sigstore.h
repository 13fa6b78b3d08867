// Sigstore keyless verification (Fulcio certificate, Rekor v1/v2, RFC 3161 timestamps,
// identity policy), offline against a trusted root.
#pragma once

#include <string>

#include "hashing/bytes.h"
#include "verifier/format/bundle.h"
#include "verifier/trust_policy.h"

namespace sigmount::verifier::sigstore {

// What was proved about a DSSE bundle: these payload bytes were signed by the policy's
// identity at a verified time. Throws VerificationError / FormatError otherwise.
struct VerifiedEnvelope {
  std::string payload_type;
  Bytes payload;
  std::string signer_description;
};
VerifiedEnvelope verify_dsse_bundle(const Bundle& bundle, const SigstoreTrust& policy);

}  // namespace sigmount::verifier::sigstore
