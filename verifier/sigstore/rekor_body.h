// What a Rekor entry body says was signed. The log only vouches for its own entry; these
// claims must then be compared with the bundle (see log_entry_binding.h), or a valid entry for
// some other artifact, signature or key would vouch for this one.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hashing/bytes.h"

namespace sigmount::verifier::sigstore {

struct LoggedSigner {
  Bytes signature;
  // DER of the verifier: a certificate when `is_certificate`, else a SubjectPublicKeyInfo.
  Bytes verifier_der;
  bool is_certificate = false;
};

struct RekorBody {
  std::string kind;     // hashedrekord, dsse, intoto
  std::string version;  // 0.0.1, 0.0.2
  // hashedrekord: the signed digest (of the artifact, or of the DSSE PAE on Rekor v2).
  std::optional<Bytes> signed_digest;
  std::string digest_algorithm;  // "sha256" (v1) or "SHA2_256" (v2), as written
  // dsse / intoto: SHA-256 of the DSSE payload; intoto also carries the payload itself.
  std::optional<Bytes> payload_hash;
  std::optional<Bytes> payload;
  std::optional<std::string> payload_type;
  std::vector<LoggedSigner> signers;
};

// Parses `body` (the decoded canonicalizedBody) of one of the supported kinds: hashedrekord
// 0.0.1 and 0.0.2, dsse 0.0.1, intoto 0.0.2. Throws FormatError otherwise, including when the
// body's kind/apiVersion differ from the entry's kindVersion.
RekorBody parse_rekor_body(ByteView body, std::string_view kind, std::string_view version);

}  // namespace sigmount::verifier::sigstore
