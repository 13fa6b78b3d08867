#include "verifier/trust/dsse_signature.h"

#include "verifier/errors.h"
#include "verifier/format/dsse.h"

namespace sigmount::verifier::trust {

const DsseEnvelope& single_signature_envelope(const Bundle& bundle) {
  const auto* envelope = std::get_if<DsseEnvelope>(&bundle.content);
  if (envelope == nullptr) {
    throw VerificationError("bundle: expected a DSSE envelope, found a message signature");
  }
  if (envelope->signatures.size() != 1) {
    throw VerificationError("bundle: expected exactly one DSSE signature, found " +
                            std::to_string(envelope->signatures.size()));
  }
  return *envelope;
}

bool dsse_signature_verifies(const DsseEnvelope& envelope, const EVP_PKEY* key,
                             CurveHash compat_hash) {
  const Bytes& signature = envelope.signatures.at(0).sig;
  const CurveHash hash = curve_hash(key);
  if (ecdsa_verify(key, hash, dsse_pae(envelope.payload_type, envelope.payload), signature)) {
    return true;
  }
  return ecdsa_verify(key, compat_hash,
                      dsse_pae_model_signing_v0_2(envelope.payload_type, envelope.payload),
                      signature);
}

}  // namespace sigmount::verifier::trust
