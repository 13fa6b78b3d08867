// Writing an SLSA provenance v1.0 statement for a model built on infrastructure its owner
// controls, to sign with `provenance generate` (key or certificate). In GitHub Actions the
// workflow's context fills builder-independent fields as GitHub's own attestations do
// (build type https://actions.github.io/buildtypes/workflow/v1).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "hashing/digest.h"
#include "verifier/format/json.h"

namespace sigmount::verifier::provenance {

struct ProvenanceSubject {
  std::string name;
  hashing::Digest sha256;
};

struct ResolvedDependency {
  std::string uri;
  std::map<std::string, std::string> digest;  // algorithm -> hex
};
// "URI@ALGORITHM:HEX" (the last '@' splits, so git URIs keep their ref), e.g.
// "hf://org/base@sha256:ab12..", "git+https://github.com/o/r@refs/heads/main@gitCommit:1f..".
// Throws FormatError naming the flag value.
ResolvedDependency parse_resolved_dependency(std::string_view text);

struct BuildRecord {
  std::string builder_id;
  std::string build_type;
  nlohmann::ordered_json external_parameters = nlohmann::ordered_json::object();
  nlohmann::ordered_json internal_parameters = nlohmann::ordered_json::object();
  std::vector<ResolvedDependency> resolved_dependencies;  // the source first, if there is one
  std::optional<std::string> invocation_id;
  std::optional<std::string> started_on;  // RFC 3339
};

// Reads a variable of the build's environment (std::getenv in the CLI; tests pass a map).
using Environment = std::function<std::optional<std::string>(const std::string& name)>;

// The record GitHub Actions' context gives (GITHUB_ACTIONS=true): externalParameters.workflow
// {ref, repository, path}, internalParameters.github, the source commit as the first resolved
// dependency, the run as invocationId. nullopt outside GitHub Actions. Throws FormatError when
// GITHUB_ACTIONS=true but a variable it needs is missing.
std::optional<BuildRecord> github_actions_record(const Environment& environment);

// The statement JSON (in-toto v1, SLSA provenance v1). Throws FormatError for no subject or an
// empty builder id or build type.
std::string write_provenance(std::span<const ProvenanceSubject> subjects,
                             const BuildRecord& record);

}  // namespace sigmount::verifier::provenance
