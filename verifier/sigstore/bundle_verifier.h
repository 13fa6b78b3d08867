// Sigstore bundle verification as a sequence of named steps (sigstore-go style): bundle
// shape -> signature -> transparency log entry -> timestamps -> certificate at every verified
// time -> identity. Nothing the bundle says (times, keys, digests, log bodies) is believed
// before a trusted key has vouched for it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "hashing/bytes.h"
#include "verifier/format/bundle.h"
#include "verifier/sigstore/identity_policy.h"
#include "verifier/sigstore/trusted_root.h"
#include "verifier/sigstore/validity_period.h"
#include "verifier/sigstore/workflow_claims.h"

namespace sigmount::verifier::sigstore {

struct VerificationPolicy {
  SignerPolicy signer;
  // The artifact the bundle must be for. Message signatures need it; for DSSE bundles it must
  // be a subject of the in-toto statement. Absent: DSSE only, the caller judges the payload.
  std::optional<Bytes> artifact_sha256;
  // Every log entry must carry an inclusion proof with a signed checkpoint, whatever the
  // bundle version: sigstore-python's rule, which model_signing verifies with. Off, a v0.1
  // bundle may prove its entry with a signed entry timestamp alone (sigstore-go's rule).
  bool require_inclusion_proof = false;
};

struct VerifiedBundle {
  std::optional<std::string> payload_type;  // DSSE bundles
  Bytes payload;                            // DSSE bundles: the verified payload
  std::string signer_description;
  std::vector<Instant> verified_times;
  // CallerJudgedIdentityPolicy only: the verified certificate's claims, for the caller's rule.
  std::optional<WorkflowClaims> workflow_claims;
};

// Throws VerificationError (one line per problem, naming the failed check) or FormatError.
VerifiedBundle verify_bundle(const Bundle& bundle, const VerificationPolicy& policy,
                             const TrustedRoot& root);

}  // namespace sigmount::verifier::sigstore
