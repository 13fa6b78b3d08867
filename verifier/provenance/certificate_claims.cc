#include "verifier/provenance/certificate_claims.h"

#include <algorithm>
#include <cctype>

#include "verifier/errors.h"

namespace sigmount::verifier::provenance {
namespace {

VerificationError field_mismatch(std::string_view field, std::string_view expected,
                                 std::string_view found) {
  return VerificationError(std::string(field) + ": expected \"" + std::string(expected) +
                           "\" (predicate), found \"" + std::string(found) + "\" (certificate)");
}

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

}  // namespace

void check_claims_agree(const sigstore::WorkflowClaims& claims, const Provenance& provenance) {
  const GitUri* where = provenance.trigger ? &*provenance.trigger
                                           : (provenance.source ? &*provenance.source : nullptr);
  if (where != nullptr && claims.source_repository_uri) {
    const std::string certified = normalize_repository(*claims.source_repository_uri);
    if (certified != where->repository) {
      throw field_mismatch(
          "certificate source repository URI (1.3.6.1.4.1.57264.1.12) vs " + where->field,
          where->repository, certified);
    }
  }
  if (where != nullptr && !where->ref.empty() && claims.source_repository_ref &&
      *claims.source_repository_ref != where->ref) {
    throw field_mismatch(
        "certificate source repository ref (1.3.6.1.4.1.57264.1.14) vs " + where->field, where->ref,
        *claims.source_repository_ref);
  }
  if (provenance.source_commit && claims.source_repository_digest &&
      lowercase(*claims.source_repository_digest) != *provenance.source_commit) {
    throw field_mismatch(
        "certificate source repository digest (1.3.6.1.4.1.57264.1.13) vs the "
        "source's commit",
        *provenance.source_commit, *claims.source_repository_digest);
  }
  if (provenance.event_name && claims.build_trigger &&
      *claims.build_trigger != *provenance.event_name) {
    throw field_mismatch("certificate build trigger (1.3.6.1.4.1.57264.1.20) vs github_event_name",
                         *provenance.event_name, *claims.build_trigger);
  }
  if (provenance.runner_environment && claims.runner_environment &&
      *claims.runner_environment != *provenance.runner_environment) {
    throw field_mismatch("certificate runner environment (1.3.6.1.4.1.57264.1.11)",
                         *provenance.runner_environment, *claims.runner_environment);
  }
}

}  // namespace sigmount::verifier::provenance
