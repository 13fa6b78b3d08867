// The Fulcio signing certificate: its profile (a code-signing leaf), the identity it binds
// (SAN + OIDC issuer extensions), and its chain to a Fulcio CA of the trusted root at a given
// verified time.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "hashing/openssl_handle.h"
#include "verifier/sigstore/trusted_root.h"
#include "verifier/sigstore/validity_period.h"

namespace sigmount::verifier::sigstore {

struct CertificateIdentity {
  std::vector<std::string> subject_alternative_names;  // email, URI, Fulcio username otherName
  std::optional<std::string> issuer;                   // OID 1.3.6.1.4.1.57264.1.8, else .1.1
};

// The extnValue bytes of the extension `oid_text` ("1.3.6.1.4.1.57264.1.1"), if present;
// FormatError if it appears twice. utf8_extension_value() decodes a DER UTF8String value (the
// form of every Fulcio extension from .1.8 on) and throws FormatError for anything else.
std::optional<std::string> extension_value(const X509* cert, const char* oid_text);
std::optional<std::string> utf8_extension_value(const X509* cert, const char* oid_text);

// Throws FormatError on malformed SAN / issuer extensions, VerificationError when the two
// issuer extensions disagree.
CertificateIdentity read_certificate_identity(const X509* leaf);

// A leaf for signing code: not a CA, KeyUsage digitalSignature, ExtendedKeyUsage codeSigning.
void check_signing_leaf_profile(const X509* leaf);

// notBefore <= t <= notAfter (RFC 5280 validity is inclusive at both ends).
bool certificate_valid_at(const X509* cert, Instant t);
ValidityPeriod certificate_validity(const X509* cert);

// Validates `leaf` at time `t` against each Fulcio CA of `root` whose validFor contains `t`
// (intermediates come from the trusted root, never from the bundle). Returns the certificate
// that issued the leaf (needed for SCTs). Throws VerificationError naming why no CA accepted.
X509Cert verify_fulcio_chain(X509* leaf, const TrustedRoot& root, Instant t);

// X.509 path validation of `leaf` at `t` with `chain` (most specific first, last = anchor);
// returns the built chain, or an error string. Shared with the TSA check.
struct ChainResult {
  X509Stack built;  // leaf first
  std::string error;
};
ChainResult validate_chain(X509* leaf, const std::vector<X509Cert>& chain, Instant t);

}  // namespace sigmount::verifier::sigstore
