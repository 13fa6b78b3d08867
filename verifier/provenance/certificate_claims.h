// Keyless provenance: what Fulcio certified about the run (source repository, ref and commit,
// trigger, runner) must agree with what the builder wrote in the predicate. A builder is
// trusted to write its own predicate; this catches a predicate that describes another run
// than the one the certificate was issued for.
#pragma once

#include "verifier/provenance/provenance.h"
#include "verifier/sigstore/workflow_claims.h"

namespace sigmount::verifier::provenance {

// Throws VerificationError naming the claim, the predicate's value and the certificate's.
void check_claims_agree(const sigstore::WorkflowClaims& claims, const Provenance& provenance);

}  // namespace sigmount::verifier::provenance
