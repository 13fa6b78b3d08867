// The SLSA provenance a builder signs: an in-toto statement (v0.1 or v1) whose predicate is
// SLSA provenance v0.2 or v1.0, read into the fields the trust decisions look at. Parsing
// checks structure only; nothing here is believed before the envelope's signer is trusted
// and the builder is judged (provenance_verifier.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hashing/bytes.h"
#include "verifier/format/json.h"

namespace sigmount::verifier::provenance {

inline constexpr std::string_view kInTotoPayloadType = "application/vnd.in-toto+json";
inline constexpr std::string_view kStatementV01 = "https://in-toto.io/Statement/v0.1";
inline constexpr std::string_view kStatementV1 = "https://in-toto.io/Statement/v1";
inline constexpr std::string_view kProvenanceV02 = "https://slsa.dev/provenance/v0.2";
inline constexpr std::string_view kProvenanceV1 = "https://slsa.dev/provenance/v1";

// Build types whose source and ref we know how to read.
inline constexpr std::string_view kGenericBuildType =
    "https://github.com/slsa-framework/slsa-github-generator/generic@v1";
inline constexpr std::string_view kGoBuildType =
    "https://github.com/slsa-framework/slsa-github-generator/go@v1";
inline constexpr std::string_view kDelegatorBuildType =
    "https://github.com/slsa-framework/slsa-github-generator/delegator-generic@v0";
inline constexpr std::string_view kContainerBasedBuildType =
    "https://slsa.dev/container-based-build/v0.1?draft";
inline constexpr std::string_view kGitHubWorkflowBuildType =
    "https://actions.github.io/buildtypes/workflow/v1";
// What `sigmount provenance generate` writes outside GitHub Actions: the source is
// externalParameters.source ("git+https://HOST/OWNER/REPO@REF"), if the builder records one.
inline constexpr std::string_view kModelBuildType = "https://sigmount.dev/buildtypes/model/v1";

// Bounds for hostile input, far above what a builder writes (a provenance is ~25 KB; a model
// may have tens of thousands of files, each a subject).
inline constexpr std::size_t kMaxProvenanceBytes = std::size_t{16} << 20;
inline constexpr std::size_t kMaxSubjects = std::size_t{1} << 17;
inline constexpr std::size_t kMaxDependencies = 4096;

enum class PredicateVersion : std::uint8_t { v0_2, v1_0 };

struct Subject {
  std::string name;
  std::map<std::string, std::string> digest;  // algorithm -> lowercase hex
};

// A git reference as SLSA spells it: "git+https://github.com/OWNER/REPO@refs/tags/v1".
struct GitUri {
  std::string repository;  // "git+https://github.com/OWNER/REPO" (normalized, no ".git")
  std::string ref;         // "refs/tags/v1", "refs/heads/main"; empty when the URI has none
  std::string text;        // as written
  std::string field;       // where the predicate says it, for errors
};
// Throws FormatError when `uri` is not git+https://... (a bare https:// is read as git+).
GitUri parse_git_uri(std::string_view uri, std::string_view field);
// "github.com/o/r", "https://github.com/o/r.git", "git+https://github.com/o/r" all read as
// "git+https://github.com/o/r".
std::string normalize_repository(std::string_view uri);

struct Provenance {
  std::string statement_type;
  PredicateVersion version = PredicateVersion::v1_0;
  std::vector<Subject> subjects;
  std::string builder_id;  // v0.2 builder.id, v1 runDetails.builder.id
  std::string build_type;
  // Where the build was started from (the workflow's repository and ref): v0.2
  // invocation.configSource.uri; v1 by build type (externalParameters.workflow / .source,
  // else internalParameters.GITHUB_WORKFLOW_REF).
  std::optional<GitUri> trigger;
  // What was built: v0.2 materials[0], v1 resolvedDependencies[0], and its commit.
  std::optional<GitUri> source;
  std::optional<std::string> source_commit;  // sha1 / gitCommit digest of the source
  // The GitHub context, where the predicate records it (v0.2 invocation.environment.github_*,
  // v1 internalParameters.GITHUB_* or .github.*).
  std::optional<std::string> ref_type;        // "branch" | "tag"
  std::optional<std::string> github_ref;      // "refs/tags/v1"
  std::optional<std::string> base_ref;        // github_base_ref, else the push event's base_ref
  std::optional<std::string> event_name;      // "push", "workflow_dispatch", ...
  std::optional<std::string> release_target;  // release event: the branch released from
  json::Value workflow_inputs = json::Value::object();  // workflow_dispatch inputs
  std::optional<std::string> runner_environment;
};

// Parses a DSSE payload. Throws FormatError naming the field for a wrong payload type,
// statement or predicate type, a missing or mistyped member, unknown top-level members, a
// digest that is not hex (sha256: 64 digits), no subject, or oversize input.
Provenance parse_provenance(std::string_view payload_type, ByteView payload);

}  // namespace sigmount::verifier::provenance
