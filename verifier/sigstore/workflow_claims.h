// What a Fulcio certificate issued to a CI workflow says about the run that asked for it
// (Fulcio's OID 1.3.6.1.4.1.57264.1.* extensions, docs/oid-info.md). Read only from a
// certificate whose chain, SCTs and log entry were verified: these claims are Fulcio's word,
// copied from the OIDC token of the run.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "hashing/openssl_handle.h"

namespace sigmount::verifier::sigstore {

struct WorkflowClaims {
  std::vector<std::string> subject_alternative_names;  // the workflow identity (a URI)
  std::optional<std::string> issuer;                   // OIDC issuer
  // From the DER UTF8String extensions (.1.9 ...), falling back to the deprecated raw ones
  // (.1.2 - .1.6) where a certificate predates them.
  std::optional<std::string> build_signer_uri;          // .1.9: the workflow that signed
  std::optional<std::string> build_signer_digest;       // .1.10
  std::optional<std::string> runner_environment;        // .1.11: github-hosted | self-hosted
  std::optional<std::string> source_repository_uri;     // .1.12 (else https://github.com/ + .1.5)
  std::optional<std::string> source_repository_digest;  // .1.13 (else .1.3): commit
  std::optional<std::string> source_repository_ref;     // .1.14 (else .1.6)
  std::optional<std::string> build_config_uri;          // .1.18: the calling workflow@ref
  std::optional<std::string> build_config_digest;       // .1.19
  std::optional<std::string> build_trigger;             // .1.20 (else .1.2): event name
  std::optional<std::string> run_invocation_uri;        // .1.21
};

// Throws FormatError for a malformed extension (wrong encoding, twice present).
WorkflowClaims read_workflow_claims(const X509* leaf);

}  // namespace sigmount::verifier::sigstore
