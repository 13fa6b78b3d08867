// Embedded Signed Certificate Timestamps (RFC 6962 §3.3): proof that the Fulcio certificate
// was submitted to a certificate-transparency log of the trusted root.
#pragma once

#include <openssl/x509.h>

#include "hashing/bytes.h"
#include "verifier/sigstore/trusted_root.h"

namespace sigmount::verifier::sigstore {

// Requires at least one embedded SCT from a CT log of `root` (by log ID, timestamp inside
// the log's validity) whose signature verifies over the precertificate entry, extensions
// included. Throws VerificationError otherwise.
void verify_embedded_scts(const X509* leaf, const X509* issuer, const TrustedRoot& root);

// The bytes an SCT over `leaf` signs (RFC 6962 digitally-signed, precert_entry). Exposed for
// tests and the fuzz target.
Bytes sct_signed_data(const X509* leaf, const X509* issuer, std::uint64_t timestamp_ms,
                      ByteView extensions);

}  // namespace sigmount::verifier::sigstore
