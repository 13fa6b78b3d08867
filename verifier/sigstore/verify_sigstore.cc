#include "verifier/sigstore/verify_sigstore.h"

#include "verifier/errors.h"
#include "verifier/sigstore/bundle_verifier.h"
#include "verifier/sigstore/trusted_root.h"

namespace sigmount::verifier::sigstore {

VerifiedEnvelope verify_dsse_bundle(const Bundle& bundle, const SigstoreTrust& policy) {
  if (!std::holds_alternative<DsseEnvelope>(bundle.content)) {
    throw VerificationError("bundle: expected a DSSE envelope, found a message signature");
  }
  const TrustedRoot root = policy.trusted_root ? load_trusted_root_file(*policy.trusted_root)
                                               : production_trusted_root();
  const VerificationPolicy verification{IdentityPolicy{policy.identity, policy.issuer},
                                        std::nullopt, /*require_inclusion_proof=*/true};
  VerifiedBundle verified = verify_bundle(bundle, verification, root);
  return {*verified.payload_type, std::move(verified.payload), verified.signer_description};
}

}  // namespace sigmount::verifier::sigstore
