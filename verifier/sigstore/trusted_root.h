// The Sigstore trusted root (dev.sigstore.trustroot.v1.TrustedRoot): which transparency logs,
// Fulcio CAs, CT logs and timestamp authorities to believe, and when. Every key used by the
// verifier comes from here, selected by key ID, never from the bundle.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "hashing/bytes.h"
#include "hashing/openssl_handle.h"
#include "verifier/sigstore/validity_period.h"

namespace sigmount::verifier::sigstore {

// A Rekor log or a CT log.
struct TransparencyLogInstance {
  std::string base_url;
  std::string key_name;  // base URL without scheme: the signed-note key name / checkpoint origin
  std::string key_details;
  EvpPkey public_key;
  ValidityPeriod valid_for;
  Bytes log_id;             // logId.keyId
  Bytes checkpoint_key_id;  // checkpointKeyId.keyId, or log_id when absent
};

// A Fulcio CA or a timestamp authority: chain[0] is the most specific certificate, the last
// one is the trust anchor.
struct CertificateAuthority {
  std::string uri;
  std::vector<X509Cert> chain;
  ValidityPeriod valid_for;  // absent members: unbounded
};

struct TrustedRoot {
  std::vector<TransparencyLogInstance> tlogs;
  std::vector<CertificateAuthority> certificate_authorities;
  std::vector<TransparencyLogInstance> ctlogs;
  std::vector<CertificateAuthority> timestamp_authorities;

  const TransparencyLogInstance* find_tlog(ByteView log_id) const;
  const TransparencyLogInstance* find_ctlog(ByteView log_id) const;
};

// Accepts both trusted-root media types. Throws FormatError on malformed JSON, missing
// validity starts of log keys or undecodable certificates. Log keys of unsupported types are
// skipped (a root may list keys for newer clients), not fatal.
TrustedRoot parse_trusted_root(std::string_view json_text);
// A trusted root file, or a ClientTrustConfig (model_signing's --trust-config) whose
// `trustedRoot` member is one.
TrustedRoot parse_trusted_root_or_trust_config(std::string_view json_text);
TrustedRoot load_trusted_root_file(const std::filesystem::path& path);
// The Sigstore public-good root, compiled into the binary (no file is read).
TrustedRoot production_trusted_root();
std::string_view production_trusted_root_json();

}  // namespace sigmount::verifier::sigstore
