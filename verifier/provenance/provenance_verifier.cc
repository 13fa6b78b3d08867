#include "verifier/provenance/provenance_verifier.h"

#include <algorithm>
#include <cctype>

#include "verifier/errors.h"
#include "verifier/format/bundle.h"
#include "verifier/provenance/builder_id.h"
#include "verifier/provenance/certificate_claims.h"
#include "verifier/signature_verifier.h"
#include "verifier/sigstore/bundle_verifier.h"
#include "verifier/sigstore/trusted_root.h"
#include "verifier/trust/dsse_signature.h"

namespace sigmount::verifier::provenance {
namespace {

std::string in_quotes(std::string_view text) {
  return "\"" + std::string(text) + "\"";
}

VerificationError field_mismatch(std::string_view field, std::string_view expected,
                                 std::string_view found) {
  return VerificationError(std::string(field) + ": expected " + in_quotes(expected) + ", found " +
                           in_quotes(found));
}

struct Authenticated {
  trust::TrustedPayload payload;
  std::optional<sigstore::WorkflowClaims> claims;  // keyless only
};

// Step 1: who signed. Keyless goes through the Sigstore bundle verifier (chain, SCTs, log
// entry, signed time) with the identity left to step 3; keys and CAs through the same trust
// steps as model signatures.
Authenticated authenticate(std::string_view bundle_json, const ProvenanceTrust& trust) {
  if (const auto* github = std::get_if<GitHubBuilderTrust>(&trust)) {
    const Bundle bundle = parse_bundle(bundle_json, BundleRules::sigstore);
    trust::single_signature_envelope(bundle);
    const sigstore::TrustedRoot root = github->trusted_root
                                           ? sigstore::load_trusted_root_file(*github->trusted_root)
                                           : sigstore::production_trusted_root();
    // slsa-github-generator's v0.1 bundles prove their entry with a signed entry timestamp
    // only: sigstore-go's rule, which slsa-verifier applies.
    const sigstore::VerificationPolicy policy{
        sigstore::CallerJudgedIdentityPolicy{std::string(kGitHubActionsIssuer)}, std::nullopt,
        /*require_inclusion_proof=*/false};
    sigstore::VerifiedBundle verified = sigstore::verify_bundle(bundle, policy, root);
    return {{*verified.payload_type, std::move(verified.payload),
             std::move(verified.signer_description)},
            std::move(verified.workflow_claims)};
  }
  const TrustPolicy policy = std::holds_alternative<KeyTrust>(trust)
                                 ? TrustPolicy(std::get<KeyTrust>(trust))
                                 : TrustPolicy(std::get<CertificateTrust>(trust));
  return {verify_payload(bundle_json, policy), std::nullopt};
}

// The build types each default builder writes; a builder named with --builder-id may write
// any build type we can read the source of.
void check_build_type(const BuilderId& builder, const Provenance& provenance) {
  const auto default_type = [&]() -> std::string_view {
    const auto& name = builder.name;
    if (name.ends_with("/generator_generic_slsa3.yml")) return kGenericBuildType;
    if (name.ends_with("/builder_go_slsa3.yml")) return kGoBuildType;
    if (name.ends_with("/builder_container-based_slsa3.yml")) return kContainerBasedBuildType;
    return kDelegatorBuildType;
  };
  const auto defaults = default_trusted_builders();
  if (std::find(defaults.begin(), defaults.end(), builder.name) != defaults.end()) {
    if (provenance.build_type != default_type()) {
      throw field_mismatch("buildType (of builder " + builder.name + ")", default_type(),
                           provenance.build_type);
    }
    return;
  }
  for (const std::string_view known :
       {kGenericBuildType, kGoBuildType, kDelegatorBuildType, kContainerBasedBuildType,
        kGitHubWorkflowBuildType, kModelBuildType}) {
    if (provenance.build_type == known) return;
  }
  throw VerificationError("buildType: " + in_quotes(provenance.build_type) +
                          " is not one whose source sigmount can read");
}

// Step 2 (keyless): the certificate's workflow identity is the builder, and it is trusted.
// Returns the trusted builder id.
std::string judge_github_builder(const sigstore::WorkflowClaims& claims,
                                 const Provenance& provenance, const ProvenancePolicy& policy) {
  if (claims.subject_alternative_names.size() != 1) {
    throw VerificationError("certificate: expected one workflow identity, found " +
                            std::to_string(claims.subject_alternative_names.size()));
  }
  const std::string& identity = claims.subject_alternative_names.front();
  if (!identity.starts_with("https://github.com/")) {
    throw VerificationError(
        "certificate workflow identity: expected a https://github.com/ "
        "workflow URI, found " +
        in_quotes(identity));
  }
  if (claims.build_signer_uri && *claims.build_signer_uri != identity) {
    throw field_mismatch("certificate build signer URI (1.3.6.1.4.1.57264.1.9)", identity,
                         *claims.build_signer_uri);
  }
  const BuilderId certified = parse_builder_id(identity);
  const BuilderId claimed = parse_builder_id(provenance.builder_id);

  if (is_delegator(certified.name)) {
    // The delegator signs for the trusted reusable workflow that called it, which the
    // predicate names; that one must be trusted in turn.
    if (policy.builder_id) {
      if (!matches_loosely(claimed, *policy.builder_id)) {
        throw VerificationError("builder: untrusted: builder.id: expected " +
                                in_quotes(*policy.builder_id) + " (--builder-id), found " +
                                in_quotes(provenance.builder_id) + " (signed by the delegator " +
                                certified.name + ")");
      }
    } else if (!claimed.name.starts_with(kTrustedWorkflowsPrefix)) {
      throw VerificationError(
          "builder: untrusted: builder.id " + in_quotes(provenance.builder_id) +
          " (signed by the delegator " + certified.name +
          ") is not a slsa-github-generator workflow; name it with --builder-id to trust it");
    }
    if (!is_release_tag(claimed.ref)) {
      throw VerificationError("builder.id: expected a release tag (refs/tags/vX.Y.Z), found " +
                              in_quotes(provenance.builder_id));
    }
    if (!is_release_tag(certified.ref)) {
      throw VerificationError(
          "certificate workflow identity: expected a release tag "
          "(refs/tags/vX.Y.Z), found " +
          in_quotes(identity));
    }
    if (provenance.build_type != kDelegatorBuildType) {
      throw field_mismatch("buildType (of the delegator)", kDelegatorBuildType,
                           provenance.build_type);
    }
    return provenance.builder_id;
  }

  if (policy.builder_id) {
    if (!matches_loosely(certified, *policy.builder_id)) {
      throw VerificationError("builder: untrusted: certificate workflow identity: expected " +
                              in_quotes(*policy.builder_id) + " (--builder-id), found " +
                              in_quotes(identity));
    }
  } else {
    const auto defaults = default_trusted_builders();
    if (std::find(defaults.begin(), defaults.end(), certified.name) == defaults.end()) {
      throw VerificationError("builder: untrusted: certificate workflow identity " +
                              in_quotes(identity) +
                              " is not a default trusted builder (slsa-github-generator); name "
                              "the builder you trust with --builder-id");
    }
  }
  if (!is_release_tag(certified.ref)) {
    throw VerificationError(
        "certificate workflow identity: expected a release tag "
        "(refs/tags/vX.Y.Z), found " +
        in_quotes(identity));
  }
  if (provenance.builder_id != identity) {
    throw field_mismatch("builder.id (must be the certificate's workflow identity)", identity,
                         provenance.builder_id);
  }
  check_build_type(certified, provenance);
  return identity;
}

// Step 2 (key or CA): the key holder vouches for the statement, builder.id included; the
// caller must say which builder that is.
std::string judge_named_builder(const Provenance& provenance, const ProvenancePolicy& policy) {
  if (!policy.builder_id) {
    throw VerificationError(
        "builder: a provenance signed with a key or certificate names its own builder; say "
        "which one you trust with --builder-id");
  }
  if (!matches_loosely(parse_builder_id(provenance.builder_id), *policy.builder_id)) {
    throw field_mismatch("builder.id", *policy.builder_id, provenance.builder_id);
  }
  return provenance.builder_id;
}

// Step 4: built from the expected repository, and the trigger and the source agree.
void check_source(const Provenance& provenance, const ProvenancePolicy& policy) {
  const std::string expected = normalize_repository(policy.source_uri);
  if (!provenance.trigger && !provenance.source) {
    throw VerificationError("source: expected " + in_quotes(expected) +
                            ", found no source repository in the provenance");
  }
  for (const auto* uri : {&provenance.trigger, &provenance.source}) {
    if (*uri && (*uri)->repository != expected) {
      throw field_mismatch("source repository (" + (*uri)->field + ")", expected, (*uri)->text);
    }
  }
  if (provenance.trigger && provenance.trigger->ref.empty()) {
    throw VerificationError("source: " + provenance.trigger->field + " " +
                            in_quotes(provenance.trigger->text) + " has no ref");
  }
  if (provenance.trigger && provenance.source && !provenance.source->ref.empty() &&
      provenance.source->ref != provenance.trigger->ref) {
    throw field_mismatch("source ref (" + provenance.source->field + ", must be " +
                             provenance.trigger->field + "'s)",
                         provenance.trigger->ref, provenance.source->ref);
  }
}

std::string built_ref(const Provenance& provenance) {
  if (provenance.github_ref) return *provenance.github_ref;
  if (provenance.trigger) return provenance.trigger->ref;
  if (provenance.source) return provenance.source->ref;
  return "";
}

std::string strip(std::string_view text, std::string_view prefix) {
  return std::string(text.starts_with(prefix) ? text.substr(prefix.size()) : text);
}

// Step 5: the tag or branch the build ran for.
void check_ref(const Provenance& provenance, const ProvenancePolicy& policy) {
  const std::string ref = built_ref(provenance);
  const bool is_tag =
      ref.starts_with("refs/tags/") && (!provenance.ref_type || *provenance.ref_type == "tag");
  if (policy.source_tag) {
    if (!is_tag) {
      throw VerificationError("source tag: expected " + in_quotes(*policy.source_tag) +
                              ", found no tag (built from " + in_quotes(ref) + ")");
    }
    const std::string tag = strip(ref, "refs/tags/");
    if (tag != *policy.source_tag) throw field_mismatch("source tag", *policy.source_tag, tag);
  }
  if (policy.source_branch) {
    std::string branch;
    if (ref.starts_with("refs/heads/")) {
      branch = strip(ref, "refs/heads/");
    } else if (is_tag && provenance.base_ref) {
      branch = strip(*provenance.base_ref, "refs/heads/");
    } else if (is_tag && provenance.release_target) {
      branch = strip(*provenance.release_target, "refs/heads/");
    }
    if (branch.empty()) {
      throw VerificationError("source branch: expected " + in_quotes(*policy.source_branch) +
                              ", found no branch (built from " + in_quotes(ref) + ")");
    }
    if (branch != *policy.source_branch) {
      throw field_mismatch("source branch", *policy.source_branch, branch);
    }
  }
}

// Step 6: the inputs of a workflow_dispatch run.
void check_inputs(const Provenance& provenance, const ProvenancePolicy& policy) {
  for (const auto& [name, expected] : policy.workflow_inputs) {
    const auto it = provenance.workflow_inputs.find(name);
    if (it == provenance.workflow_inputs.end()) {
      throw VerificationError("workflow input " + name + ": expected " + in_quotes(expected) +
                              ", found none");
    }
    const std::string found = it->is_string() ? it->get<std::string>() : it->dump();
    if (found != expected) throw field_mismatch("workflow input " + name, expected, found);
  }
}

}  // namespace

VerifiedProvenance verify_provenance(std::string_view bundle_json, const ProvenancePolicy& policy) {
  if (policy.source_uri.empty()) throw VerificationError("source: no --source-uri to check");
  if (policy.source_tag && policy.source_branch) {
    throw VerificationError("--source-tag and --source-branch are exclusive");
  }
  Authenticated signed_by = authenticate(bundle_json, policy.trust);
  // Only now, with the payload authenticated, is the statement read.
  Provenance provenance =
      parse_provenance(signed_by.payload.payload_type, signed_by.payload.payload);
  std::string builder;
  if (signed_by.claims) {
    builder = judge_github_builder(*signed_by.claims, provenance, policy);
    check_claims_agree(*signed_by.claims, provenance);  // step 3
  } else {
    builder = judge_named_builder(provenance, policy);
  }
  check_source(provenance, policy);
  check_ref(provenance, policy);
  check_inputs(provenance, policy);
  std::string statement(as_chars(signed_by.payload.payload));
  return VerifiedProvenance(std::move(provenance), std::move(statement), std::move(builder),
                            std::move(signed_by.payload.signer_description));
}

}  // namespace sigmount::verifier::provenance
