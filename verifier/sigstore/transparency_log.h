// One Rekor log entry: is it in a log we trust (SET and/or inclusion proof under a signed
// checkpoint), and is it an entry for THIS signature, key and artifact?
#pragma once

#include <optional>
#include <vector>

#include "hashing/bytes.h"
#include "verifier/format/bundle.h"
#include "verifier/sigstore/trusted_root.h"
#include "verifier/sigstore/validity_period.h"

namespace sigmount::verifier::sigstore {

// What the bundle says was signed, already checked against the signature itself.
struct SignedContent {
  Bytes signature;
  Bytes verifier_der;  // leaf certificate DER, or the SubjectPublicKeyInfo of a managed key
  bool verifier_is_certificate = false;
  std::optional<Bytes> message_sha256;     // message signatures: SHA-256 of the artifact
  const DsseEnvelope* envelope = nullptr;  // DSSE bundles
};

struct VerifiedLogEntry {
  const TransparencyLogInstance* log = nullptr;
  std::optional<Instant> integrated_time;  // only when a valid SET vouches for it
  bool rekor_v2 = false;
};

// Throws VerificationError (naming the failed check) or FormatError.
// `require_inclusion_proof`: see VerificationPolicy.
VerifiedLogEntry verify_log_entry(const TransparencyLogEntry& entry, BundleVersion version,
                                  const TrustedRoot& root, const SignedContent& content,
                                  bool require_inclusion_proof);

// The pieces, exposed for tests.
bool verify_signed_entry_timestamp(const TransparencyLogEntry& entry,
                                   const TransparencyLogInstance& log);
void verify_inclusion(const TransparencyLogEntry& entry, const TransparencyLogInstance& log,
                      bool rekor_v2);
void check_body_binding(const TransparencyLogEntry& entry, const SignedContent& content);

}  // namespace sigmount::verifier::sigstore
