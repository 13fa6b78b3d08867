// Checking the one DSSE signature of a key or certificate bundle, with the PAE that current
// model_signing signs and the one 0.2 signed.
#pragma once

#include "verifier/format/bundle.h"
#include "verifier/trust/ec_key.h"

namespace sigmount::verifier::trust {

// The bundle's DSSE envelope, which must hold exactly one signature. Throws
// VerificationError for a message-signature bundle or several signatures: only one is ever
// checked, so a second one would be unverified data that looks signed.
const DsseEnvelope& single_signature_envelope(const Bundle& bundle);

// True if `key` signed the envelope under the standard PAE with the curve's hash, or under
// model_signing 0.2's PAE with `compat_hash` (0.2 hard-coded SHA-256 for certificates and
// used the curve hash for keys).
bool dsse_signature_verifies(const DsseEnvelope& envelope, const EVP_PKEY* key,
                             CurveHash compat_hash);

}  // namespace sigmount::verifier::trust
