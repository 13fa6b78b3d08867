#include "verifier/sigstore/workflow_claims.h"

#include "verifier/sigstore/fulcio_certificate.h"

namespace sigmount::verifier::sigstore {
namespace {

constexpr const char* kGitHubUrl = "https://github.com/";

// The current extension, else its deprecated raw predecessor (`legacy`, may be null).
std::optional<std::string> claim(const X509* leaf, const char* oid, const char* legacy) {
  if (auto value = utf8_extension_value(leaf, oid)) return value;
  if (legacy != nullptr) return extension_value(leaf, legacy);
  return std::nullopt;
}

}  // namespace

WorkflowClaims read_workflow_claims(const X509* leaf) {
  const CertificateIdentity identity = read_certificate_identity(leaf);
  WorkflowClaims claims;
  claims.subject_alternative_names = identity.subject_alternative_names;
  claims.issuer = identity.issuer;
  claims.build_signer_uri = claim(leaf, "1.3.6.1.4.1.57264.1.9", nullptr);
  claims.build_signer_digest = claim(leaf, "1.3.6.1.4.1.57264.1.10", nullptr);
  claims.runner_environment = claim(leaf, "1.3.6.1.4.1.57264.1.11", nullptr);
  claims.source_repository_uri = utf8_extension_value(leaf, "1.3.6.1.4.1.57264.1.12");
  if (!claims.source_repository_uri) {
    // .1.5 is "owner/repo" of github.com (the only host that issued it).
    if (auto repository = extension_value(leaf, "1.3.6.1.4.1.57264.1.5")) {
      claims.source_repository_uri = kGitHubUrl + *repository;
    }
  }
  claims.source_repository_digest = claim(leaf, "1.3.6.1.4.1.57264.1.13", "1.3.6.1.4.1.57264.1.3");
  claims.source_repository_ref = claim(leaf, "1.3.6.1.4.1.57264.1.14", "1.3.6.1.4.1.57264.1.6");
  claims.build_config_uri = claim(leaf, "1.3.6.1.4.1.57264.1.18", nullptr);
  claims.build_config_digest = claim(leaf, "1.3.6.1.4.1.57264.1.19", nullptr);
  claims.build_trigger = claim(leaf, "1.3.6.1.4.1.57264.1.20", "1.3.6.1.4.1.57264.1.2");
  claims.run_invocation_uri = claim(leaf, "1.3.6.1.4.1.57264.1.21", nullptr);
  return claims;
}

}  // namespace sigmount::verifier::sigstore
