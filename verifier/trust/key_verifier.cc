#include "verifier/trust/key_verifier.h"

#include "verifier/errors.h"
#include "verifier/trust/dsse_signature.h"
#include "verifier/trust/ec_key.h"

namespace sigmount::verifier::trust {

TrustedPayload verify_with_public_key(const Bundle& bundle, std::string_view public_key_pem,
                                      std::string_view key_name) {
  const EvpPkey key = load_ec_public_key(public_key_pem, key_name);
  const auto* material = std::get_if<PublicKeyMaterial>(&bundle.material);
  if (material == nullptr) {
    throw VerificationError(
        "bundle: signed with a certificate, not a public key (use certificate verification)");
  }
  const std::string hint = public_key_hint(key.get());
  // An empty hint counts as absent, as in model_signing.
  if (material->hint && !material->hint->empty() && *material->hint != hint) {
    throw VerificationError("key mismatch: the bundle names key " + *material->hint +
                            ", the given public key is " + hint);
  }
  const DsseEnvelope& envelope = single_signature_envelope(bundle);
  // model_signing 0.2's key verifier paired the compat PAE with the curve hash.
  if (!dsse_signature_verifies(envelope, key.get(), curve_hash(key.get()))) {
    throw VerificationError("signature does not verify with the given public key");
  }
  return {envelope.payload_type, envelope.payload, "key sha256:" + hint};
}

}  // namespace sigmount::verifier::trust
