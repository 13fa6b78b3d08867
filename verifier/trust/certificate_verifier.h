// `verify certificate`: the bundle's leaf certificate chains to one of the caller's CA
// certificates, may sign, and its key signed the envelope.
#pragma once

#include <span>
#include <string>

#include "verifier/format/bundle.h"
#include "verifier/trust/trusted_payload.h"

namespace sigmount::verifier::trust {

// `ca_pems`: the text of each CA file; every certificate in them is a trust anchor (also
// intermediates, as in model_signing). The bundle's leaf (x509CertificateChain[0] or
// certificate) is validated with the rest of its chain as untrusted intermediates.
//
// Validation time is the leaf's notBefore, as model_signing does: a key/certificate bundle
// has no trusted timestamp, and signing happened inside the leaf's validity period, so
// checking at notBefore keeps signatures made by a since-expired certificate valid. Every CA
// on the path must also have been valid at that moment. Revocation is not checked.
//
// The leaf must have KeyUsage digitalSignature, or else ExtendedKeyUsage codeSigning, and an
// EC key (its curve fixes the hash). Throws VerificationError on every trust failure.
TrustedPayload verify_with_certificates(const Bundle& bundle, std::span<const std::string> ca_pems);

}  // namespace sigmount::verifier::trust
