// What `provenance verify` and `mount --provenance` require of a provenance: who may have
// signed it, which builder, from which source and ref, with which inputs.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "verifier/trust_policy.h"

namespace sigmount::verifier::provenance {

// Signed keyless (Sigstore) by a GitHub Actions workflow: the certificate's workflow identity
// is the builder, and it must be a trusted one (the slsa-github-generator builders, or the one
// --builder-id names).
struct GitHubBuilderTrust {
  std::optional<std::filesystem::path> trusted_root;  // nullopt: the built-in production root
};

// KeyTrust / CertificateTrust: an in-house builder's key or CA vouches for the statement; the
// builder is then what the statement says, and it must be --builder-id.
using ProvenanceTrust = std::variant<GitHubBuilderTrust, KeyTrust, CertificateTrust>;

struct ProvenancePolicy {
  ProvenanceTrust trust = GitHubBuilderTrust{};
  std::string source_uri;  // "github.com/OWNER/REPO", any spelling normalize_repository reads
  std::optional<std::string> source_tag;     // "v1.2.3"
  std::optional<std::string> source_branch;  // "main"
  std::optional<std::string> builder_id;     // name, or name@ref
  std::vector<std::pair<std::string, std::string>> workflow_inputs;
};

}  // namespace sigmount::verifier::provenance
