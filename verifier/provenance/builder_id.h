// Builder identities as SLSA and slsa-verifier spell them: a GitHub workflow URI with the ref
// it ran at, "https://github.com/OWNER/REPO/.github/workflows/NAME.yml@refs/tags/v1.2.3", and
// which of them are trusted without being named.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace sigmount::verifier::provenance {

struct BuilderId {
  std::string name;  // before the last '@'
  std::string ref;   // after it; empty when there is none
  std::string text() const { return ref.empty() ? name : name + "@" + ref; }
};

BuilderId parse_builder_id(std::string_view id);

// `expected` without a ref names the builder at any ref; with one, exactly that ref.
bool matches_loosely(const BuilderId& actual, std::string_view expected);

// "refs/tags/vMAJOR.MINOR.PATCH" without pre-release or build suffix: a builder must run at a
// release, never at a branch that anyone with push access can move.
bool is_release_tag(std::string_view ref);

// slsa-github-generator's builders trusted when no --builder-id is given (names, no ref).
std::span<const std::string_view> default_trusted_builders();
// The delegators ("bring your own builder"): they sign for a trusted reusable workflow (TRW)
// that the predicate's builder.id names.
bool is_delegator(std::string_view builder_name);
// Where a TRW must live to be trusted without --builder-id.
inline constexpr std::string_view kTrustedWorkflowsPrefix =
    "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/";

// The OIDC issuer of GitHub Actions' workflow identities.
inline constexpr std::string_view kGitHubActionsIssuer =
    "https://token.actions.githubusercontent.com";

}  // namespace sigmount::verifier::provenance
