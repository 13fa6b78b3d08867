// SLSA provenance: the real provenance slsa-verifier tests with (tests/data/slsa), the trust
// decisions and their messages, generate -> verify round trips, binding to models and signed
// manifests, and the parser's refusals.
#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "tests/common/temp_dir.h"
#include "tests/format/test_support.h"
#include "verifier/errors.h"
#include "verifier/format/base64.h"
#include "verifier/format/json.h"
#include "verifier/model/serialize.h"
#include "verifier/provenance/builder_id.h"
#include "verifier/provenance/certificate_claims.h"
#include "verifier/provenance/provenance_subjects.h"
#include "verifier/provenance/provenance_verifier.h"
#include "verifier/provenance/provenance_writer.h"
#include "verifier/signature_verifier.h"
#include "verifier/trust/sign_model.h"
#include "verifier/trust/signing.h"

namespace sigmount::verifier::provenance {
namespace {

using testing::TempDir;

constexpr const char* kExamplePackage = "github.com/slsa-framework/example-package";
constexpr const char* kRulesLint = "github.com/aspect-build/rules_lint";
constexpr const char* kTrw =
    "https://github.com/slsa-framework/example-trw/.github/workflows/builder_high-perms_slsa3.yml";
constexpr const char* kBcrPublisher =
    "https://github.com/bazel-contrib/publish-to-bcr/.github/workflows/publish.yaml";

std::filesystem::path slsa_dir() {
  return testing::data_dir().parent_path() / "slsa";
}

std::string slsa_file(const std::string& relative) {
  return testing::read_file(slsa_dir() / relative);
}

hashing::Digest sha256_of(const std::filesystem::path& path) {
  return serialize_model(path, ModelOptions{}, Serialization{}).front().digest;
}

// Runs `body`, expecting a VerificationError whose text contains `needle`.
template <class Body>
void expect_refused(Body body, const std::string& needle) {
  try {
    body();
    ADD_FAILURE() << "accepted; expected a failure mentioning: " << needle;
  } catch (const VerificationError& error) {
    EXPECT_NE(std::string(error.what()).find(needle), std::string::npos) << error.what();
  }
}

struct Case {
  const char* bundle;
  const char* artifact;
  const char* source;
  std::optional<std::string> tag;
  std::optional<std::string> branch;
  std::optional<std::string> builder;
};

const std::vector<Case>& real_cases() {
  static const std::vector<Case> cases = {
      {"gha_generic/v2.1.0/binary-linux-amd64-push-v14.2.intoto.jsonl",
       "gha_generic/v2.1.0/binary-linux-amd64-push-v14.2", kExamplePackage, "v14.2", std::nullopt,
       std::nullopt},
      {"gha_generic/v2.1.0/binary-linux-amd64-workflow_dispatch.intoto.jsonl",
       "gha_generic/v2.1.0/binary-linux-amd64-push-v14.2", kExamplePackage, std::nullopt, "main",
       std::nullopt},
      {"gha_delegator/v1.10.0/binary-linux-amd64-push-v14.2.build.slsa",
       "gha_delegator/v1.10.0/binary-linux-amd64-push-v14.2", kExamplePackage, "v14.2",
       std::nullopt, kTrw},
      {"gha_delegator/v1.10.0/binary-linux-amd64-push-v14.build.slsa",
       "gha_delegator/v1.10.0/binary-linux-amd64-push-v14", kExamplePackage, std::nullopt, "main",
       std::string(kTrw) + "@refs/tags/v1.10.0"},
      {"gha_delegator/v1.10.0/binary-linux-amd64-push-v13.0.30.build.slsa",
       "gha_delegator/v1.10.0/binary-linux-amd64-push-v13.0.30", kExamplePackage, "v13.0.30",
       std::nullopt, kTrw},
      {"gha_delegator/v1.10.0/binary-linux-amd64-workflow_dispatch.build.slsa",
       "gha_delegator/v1.10.0/binary-linux-amd64-workflow_dispatch", kExamplePackage, std::nullopt,
       "main", kTrw},
      {"gha_container-based/v1.9.0/binary-linux-amd64-push-v14.2.intoto.build.slsa",
       "gha_container-based/v1.9.0/binary-linux-amd64-push-v14.2", kExamplePackage, "v14.2",
       std::nullopt, std::nullopt},
      {"gha_container-based/v1.9.0/binary-linux-amd64-push-v14.intoto.build.slsa",
       "gha_container-based/v1.9.0/binary-linux-amd64-push-v14", kExamplePackage, std::nullopt,
       "main", std::nullopt},
      {"gha_container-based/v1.9.0/binary-linux-amd64-push-v13.0.30.intoto.build.slsa",
       "gha_container-based/v1.9.0/binary-linux-amd64-push-v13.0.30", kExamplePackage, "v13.0.30",
       std::nullopt, std::nullopt},
      {"gha_container-based/v1.9.0/binary-linux-amd64-workflow_dispatch.intoto.build.slsa",
       "gha_container-based/v1.9.0/binary-linux-amd64-workflow_dispatch", kExamplePackage,
       std::nullopt, "main", std::nullopt},
      {"bcr/MODULE.bazel.intoto.jsonl", "bcr/MODULE.bazel", kRulesLint, std::nullopt,
       "publish-to-bcr", kBcrPublisher},
  };
  return cases;
}

ProvenancePolicy policy_for(const Case& c) {
  ProvenancePolicy policy;
  policy.source_uri = c.source;
  policy.source_tag = c.tag;
  policy.source_branch = c.branch;
  policy.builder_id = c.builder;
  return policy;
}

VerifiedProvenance verify_case(const Case& c, const ProvenancePolicy& policy) {
  VerifiedProvenance verified = verify_provenance(slsa_file(c.bundle), policy);
  require_subject(verified, c.artifact, sha256_of(slsa_dir() / c.artifact));
  return verified;
}

TEST(RealProvenance, EveryCaseVerifiesWithItsSourceRefAndBuilder) {
  for (const auto& c : real_cases()) {
    SCOPED_TRACE(c.bundle);
    EXPECT_NO_THROW(verify_case(c, policy_for(c)));
  }
}

TEST(RealProvenance, TheBuilderIsTheCertificatesWorkflowOrTheDelegatorsTrw) {
  const auto generic = verify_case(real_cases()[0], policy_for(real_cases()[0]));
  EXPECT_EQ(generic.builder_id(),
            "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/"
            "generator_generic_slsa3.yml@refs/tags/v2.1.0");
  const auto delegated = verify_case(real_cases()[2], policy_for(real_cases()[2]));
  EXPECT_EQ(delegated.builder_id(), std::string(kTrw) + "@refs/tags/v1.10.0");
}

TEST(RealProvenance, AWrongSourceFailsNamingBoth) {
  for (const auto& c : real_cases()) {
    SCOPED_TRACE(c.bundle);
    ProvenancePolicy policy = policy_for(c);
    policy.source_uri = "github.com/slsa-framework/other-package";
    expect_refused([&] { verify_case(c, policy); },
                   "expected \"git+https://github.com/slsa-framework/other-package\", found");
  }
}

TEST(RealProvenance, AWrongTagFails) {
  for (const auto& c : real_cases()) {
    SCOPED_TRACE(c.bundle);
    ProvenancePolicy policy = policy_for(c);
    policy.source_branch.reset();
    policy.source_tag = "v0.0.9";
    expect_refused([&] { verify_case(c, policy); }, "source tag: expected \"v0.0.9\", found");
  }
}

TEST(RealProvenance, AWrongBranchFails) {
  for (const auto& c : real_cases()) {
    SCOPED_TRACE(c.bundle);
    ProvenancePolicy policy = policy_for(c);
    policy.source_tag.reset();
    policy.source_branch = "master";
    expect_refused([&] { verify_case(c, policy); }, "source branch: expected \"master\"");
  }
}

TEST(RealProvenance, TagPushesRecordTheirBranch) {
  Case c = real_cases()[0];  // pushed tag v14.2 of main
  ProvenancePolicy policy = policy_for(c);
  policy.source_tag.reset();
  policy.source_branch = "main";
  EXPECT_NO_THROW(verify_case(c, policy));
}

TEST(RealProvenance, AWrongBuilderFails) {
  const std::string other =
      "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/not-trusted.yml";
  for (const auto& c : real_cases()) {
    SCOPED_TRACE(c.bundle);
    ProvenancePolicy policy = policy_for(c);
    policy.builder_id = other;
    expect_refused([&] { verify_case(c, policy); }, "untrusted");
  }
  // The right builder at another version.
  ProvenancePolicy policy = policy_for(real_cases()[0]);
  policy.builder_id =
      "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/"
      "generator_generic_slsa3.yml@refs/tags/v1.0.0";
  expect_refused([&] { verify_case(real_cases()[0], policy); }, "expected \"https://github.com/");
}

TEST(RealProvenance, BuildersOutsideSlsaGithubGeneratorMustBeNamed) {
  const Case bcr = real_cases().back();
  ProvenancePolicy policy = policy_for(bcr);
  policy.builder_id.reset();
  expect_refused([&] { verify_case(bcr, policy); }, "is not a default trusted builder");
  const Case delegated = real_cases()[2];
  policy = policy_for(delegated);
  policy.builder_id.reset();
  expect_refused([&] { verify_case(delegated, policy); },
                 "is not a slsa-github-generator workflow; name it with --builder-id");
}

TEST(RealProvenance, AChangedArtifactIsNotASubject) {
  TempDir dir;
  for (const auto& c : real_cases()) {
    SCOPED_TRACE(c.bundle);
    std::string bytes = testing::read_file(slsa_dir() / c.artifact);
    bytes.empty() ? bytes.push_back('x') : (void)(bytes[bytes.size() / 2] ^= 1);
    const auto changed = dir / "artifact";
    std::ofstream(changed, std::ios::binary | std::ios::trunc) << bytes;
    const VerifiedProvenance verified = verify_provenance(slsa_file(c.bundle), policy_for(c));
    expect_refused([&] { require_subject(verified, "artifact", sha256_of(changed)); },
                   "artifact artifact: subject digest: expected sha256:");
  }
}

TEST(RealProvenance, AProvenanceSignedByAnotherWorkflowIsRefused) {
  ProvenancePolicy policy;
  policy.source_uri = kRulesLint;
  policy.builder_id = kBcrPublisher;
  expect_refused(
      [&] { verify_provenance(slsa_file("bcr/MODULE-wrong-signer.bazel.intoto.jsonl"), policy); },
      "builder: untrusted: certificate workflow identity: expected \"" +
          std::string(kBcrPublisher) +
          "\" (--builder-id), found "
          "\"https://github.com/loosebazooka/aa-test/.github/workflows/"
          "malicious_attestation.yaml@refs/heads/main\"");
  // Even when the caller trusts that workflow: it runs at a branch, not a release.
  policy.builder_id =
      "https://github.com/loosebazooka/aa-test/.github/workflows/malicious_attestation.yaml";
  expect_refused(
      [&] { verify_provenance(slsa_file("bcr/MODULE-wrong-signer.bazel.intoto.jsonl"), policy); },
      "expected a release tag");
}

TEST(RealProvenance, WorkflowInputsAreChecked) {
  const Case c = real_cases()[5];  // delegator, workflow_dispatch: inputs of the TRW
  ProvenancePolicy policy = policy_for(c);
  policy.workflow_inputs = {{"content", "hello"}};
  EXPECT_NO_THROW(verify_case(c, policy));
  policy.workflow_inputs = {{"content", "bye"}};
  expect_refused([&] { verify_case(c, policy); },
                 R"(workflow input content: expected "bye", found "hello")");
  policy.workflow_inputs = {{"missing", "x"}};
  expect_refused([&] { verify_case(c, policy); },
                 "workflow input missing: expected \"x\", found none");
}

TEST(RealProvenance, AnUntrustedRootRefusesEverything) {
  ProvenancePolicy policy = policy_for(real_cases()[0]);
  EXPECT_THROW(
      {
        policy.trust = KeyTrust{"/nonexistent"};
        verify_provenance(slsa_file(real_cases()[0].bundle), policy);
      },
      std::exception);
}

// The claims of the generic builder's certificate for the v14.2 push, as Fulcio wrote them.
sigstore::WorkflowClaims generic_push_claims() {
  sigstore::WorkflowClaims claims;
  claims.source_repository_uri = "https://github.com/slsa-framework/example-package";
  claims.source_repository_ref = "refs/tags/v14.2";
  claims.source_repository_digest = "4d329c75e7ec1725f7c9ce917a8799d408d06be3";
  claims.build_trigger = "push";
  return claims;
}

TEST(CertificateClaims, MustAgreeWithThePredicate) {
  const json::Value bundle = json::parse(
      slsa_file("gha_generic/v2.1.0/binary-linux-amd64-push-v14.2.intoto.jsonl"), "bundle");
  const Bytes payload = base64_decode(bundle["dsseEnvelope"]["payload"].get<std::string>(), "p");
  const Provenance provenance = parse_provenance(kInTotoPayloadType, payload);
  EXPECT_NO_THROW(check_claims_agree(generic_push_claims(), provenance));
  auto claims = generic_push_claims();
  claims.source_repository_uri = "https://github.com/evil/example-package";
  expect_refused([&] { check_claims_agree(claims, provenance); },
                 "certificate source repository URI (1.3.6.1.4.1.57264.1.12) vs "
                 "invocation.configSource.uri: expected "
                 "\"git+https://github.com/slsa-framework/example-package\" (predicate), found "
                 "\"git+https://github.com/evil/example-package\" (certificate)");
  claims = generic_push_claims();
  claims.source_repository_ref = "refs/heads/main";
  expect_refused([&] { check_claims_agree(claims, provenance); },
                 R"(expected "refs/tags/v14.2" (predicate), found "refs/heads/main")");
  claims = generic_push_claims();
  claims.source_repository_digest = "0000000000000000000000000000000000000000";
  expect_refused([&] { check_claims_agree(claims, provenance); }, "source repository digest");
  claims = generic_push_claims();
  claims.build_trigger = "workflow_dispatch";
  expect_refused([&] { check_claims_agree(claims, provenance); }, "build trigger");
}

// --- in-house provenance: generate, sign, verify ----------------------------------------------

struct InHouse {
  TempDir dir;
  EvpPkey key = testing::generate_ec_key("P-256");
  std::filesystem::path public_key = dir / "builder.pub";
  std::filesystem::path model = dir / "model";

  InHouse() {
    std::ofstream(public_key) << testing::public_pem(key.get());
    std::filesystem::create_directories(model / "sub");
    std::ofstream(model / "weights.bin") << "weights";
    std::ofstream(model / "sub" / "config.json") << "{}";
  }

  std::vector<Resource> files() const {
    return serialize_model(model, ModelOptions{}, Serialization{});
  }

  BuildRecord record() const {
    BuildRecord record;
    record.builder_id = "https://builds.example.com/model-builder@v1";
    record.build_type = std::string(kModelBuildType);
    record.external_parameters["source"] = "git+https://github.com/example/models@refs/tags/v2";
    record.resolved_dependencies = {
        {"git+https://github.com/example/models@refs/tags/v2", {{"gitCommit", "ab12"}}},
        parse_resolved_dependency("hf://example/base-model@sha256:00ff")};
    return record;
  }

  std::string statement(bool root_digest = false) const {
    std::vector<ProvenanceSubject> subjects;
    if (root_digest) {
      subjects.push_back({"model", verifier::root_digest(files())});
    } else {
      for (const auto& file : files()) subjects.push_back({file.name, file.digest});
    }
    return write_provenance(subjects, record());
  }

  std::string signed_statement(const std::string& statement_json) const {
    return trust::sign_statement(statement_json, trust::KeySigner(testing::private_pem(key.get())));
  }

  ProvenancePolicy policy() const {
    ProvenancePolicy policy;
    policy.trust = KeyTrust{public_key};
    policy.source_uri = "github.com/example/models";
    policy.source_tag = "v2";
    policy.builder_id = "https://builds.example.com/model-builder";
    return policy;
  }
};

TEST(InHouseProvenance, KeySignedRoundTrip) {
  InHouse house;
  const auto verified =
      verify_provenance(house.signed_statement(house.statement()), house.policy());
  EXPECT_EQ(verified.builder_id(), "https://builds.example.com/model-builder@v1");
  EXPECT_NO_THROW(require_model_subjects(verified, house.files()));
  const auto by_root =
      verify_provenance(house.signed_statement(house.statement(true)), house.policy());
  EXPECT_NO_THROW(require_model_subjects(by_root, house.files()));
}

TEST(InHouseProvenance, CertificateSignedRoundTrip) {
  InHouse house;
  const EvpPkey ca_key = testing::generate_ec_key("P-256");
  testing::CertificateOptions ca_options;
  ca_options.ca = true;
  ca_options.key_usage_cert_sign = true;
  ca_options.common_name = "Builds CA";
  const X509Cert ca = testing::make_certificate(ca_key.get(), nullptr, nullptr, ca_options);
  testing::CertificateOptions leaf_options;
  leaf_options.eku_code_signing = true;
  const X509Cert leaf =
      testing::make_certificate(house.key.get(), ca_key.get(), ca.get(), leaf_options);
  const auto ca_path = house.dir / "ca.pem";
  std::ofstream(ca_path) << testing::certificate_pem(ca.get());
  const trust::CertificateSigner signer(testing::private_pem(house.key.get()), std::nullopt,
                                        testing::certificate_pem(leaf.get()), {});
  const std::string bundle = trust::sign_statement(house.statement(), signer);
  ProvenancePolicy policy = house.policy();
  policy.trust = CertificateTrust{{ca_path}};
  EXPECT_NO_THROW(verify_provenance(bundle, policy));
  // Another CA does not vouch for it.
  const EvpPkey other_key = testing::generate_ec_key("P-256");
  const X509Cert other = testing::make_certificate(other_key.get(), nullptr, nullptr, ca_options);
  const auto other_path = house.dir / "other-ca.pem";
  std::ofstream(other_path) << testing::certificate_pem(other.get());
  policy.trust = CertificateTrust{{other_path}};
  EXPECT_THROW(verify_provenance(bundle, policy), VerificationError);
}

TEST(InHouseProvenance, TamperedStatementsFail) {
  InHouse house;
  const std::string bundle = house.signed_statement(house.statement());
  json::Value document = json::parse(bundle, "bundle");
  auto& envelope = document["dsseEnvelope"];
  const Bytes raw = base64_decode(envelope["payload"].get<std::string>(), "payload");
  std::string payload(as_chars(raw));
  const auto at = payload.find("refs/tags/v2");
  ASSERT_NE(at, std::string::npos);
  payload.replace(at, 12, "refs/tags/v3");
  envelope["payload"] = base64_encode(as_bytes(payload));
  ProvenancePolicy policy = house.policy();
  policy.source_tag = "v3";
  EXPECT_THROW(verify_provenance(document.dump(), policy), VerificationError);
  // Another key's signature over the same statement is not the builder's.
  InHouse impostor;
  EXPECT_THROW(verify_provenance(impostor.signed_statement(house.statement()), policy),
               VerificationError);
}

TEST(InHouseProvenance, MismatchesNameTheField) {
  InHouse house;
  const std::string bundle = house.signed_statement(house.statement());
  ProvenancePolicy policy = house.policy();
  policy.builder_id = "https://builds.example.com/other";
  expect_refused([&] { verify_provenance(bundle, policy); },
                 "builder.id: expected \"https://builds.example.com/other\", found "
                 "\"https://builds.example.com/model-builder@v1\"");
  policy = house.policy();
  policy.builder_id.reset();
  expect_refused([&] { verify_provenance(bundle, policy); }, "--builder-id");
  policy = house.policy();
  policy.source_uri = "github.com/example/other";
  expect_refused([&] { verify_provenance(bundle, policy); },
                 "source repository (externalParameters.source): expected "
                 "\"git+https://github.com/example/other\", found "
                 "\"git+https://github.com/example/models@refs/tags/v2\"");
}

TEST(InHouseProvenance, AModelWithAChangedFileIsNotDescribed) {
  InHouse house;
  const auto verified =
      verify_provenance(house.signed_statement(house.statement()), house.policy());
  std::ofstream(house.model / "weights.bin") << "weights, changed";
  expect_refused([&] { require_model_subjects(verified, house.files()); },
                 "model file weights.bin: subject digest: expected sha256:");
}

TEST(InHouseProvenance, ABoundManifestMustDescribeTheSameBytes) {
  InHouse house;
  const auto key_path = house.public_key;
  const std::string signature =
      trust::sign_model(house.model, ModelOptions{}, Serialization{},
                        trust::KeySigner(testing::private_pem(house.key.get())));
  const VerifiedManifest manifest = SignatureVerifier(KeyTrust{key_path}).verify(signature);
  const auto per_file =
      verify_provenance(house.signed_statement(house.statement()), house.policy());
  EXPECT_NO_THROW(require_same_bytes(per_file, manifest));
  const auto by_root =
      verify_provenance(house.signed_statement(house.statement(true)), house.policy());
  EXPECT_NO_THROW(require_same_bytes(by_root, manifest));

  std::ofstream(house.model / "weights.bin") << "other weights";
  const auto other = verify_provenance(house.signed_statement(house.statement()), house.policy());
  expect_refused([&] { require_same_bytes(other, manifest); },
                 "provenance and signature describe different bytes: signed file weights.bin");
}

TEST(InHouseProvenance, GitHubActionsContextFillsTheRecord) {
  const std::map<std::string, std::string> variables = {
      {"GITHUB_ACTIONS", "true"},
      {"GITHUB_SERVER_URL", "https://github.com"},
      {"GITHUB_REPOSITORY", "example/models"},
      {"GITHUB_REF", "refs/heads/main"},
      {"GITHUB_SHA", "1f2e3d"},
      {"GITHUB_WORKFLOW_REF", "example/models/.github/workflows/train.yml@refs/heads/main"},
      {"GITHUB_EVENT_NAME", "push"},
      {"RUNNER_ENVIRONMENT", "self-hosted"},
      {"GITHUB_RUN_ID", "42"},
  };
  const Environment environment = [&](const std::string& name) -> std::optional<std::string> {
    auto it = variables.find(name);
    return it == variables.end() ? std::nullopt : std::optional(it->second);
  };
  auto record = github_actions_record(environment);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->build_type, kGitHubWorkflowBuildType);
  EXPECT_EQ(record->external_parameters["workflow"]["path"], ".github/workflows/train.yml");
  EXPECT_EQ(record->invocation_id, "https://github.com/example/models/actions/runs/42/attempts/1");
  record->builder_id = "https://builds.example.com/runner";
  const std::string statement = write_provenance(
      std::vector<ProvenanceSubject>{{"w", hashing::Digest(Bytes(32, 1))}}, *record);
  const Provenance parsed = parse_provenance(kInTotoPayloadType, as_bytes(statement));
  ASSERT_TRUE(parsed.trigger);
  EXPECT_EQ(parsed.trigger->repository, "git+https://github.com/example/models");
  EXPECT_EQ(parsed.trigger->ref, "refs/heads/main");
  EXPECT_EQ(parsed.source_commit, "1f2e3d");
  EXPECT_EQ(parsed.runner_environment, "self-hosted");
  EXPECT_FALSE(github_actions_record([](const std::string&) { return std::nullopt; }));
}

// --- the parser and the builder rules ---------------------------------------------------------

TEST(ProvenanceParser, RefusesWhatItDoesNotKnow) {
  const auto parse = [](const std::string& text) {
    return parse_provenance(kInTotoPayloadType, as_bytes(text));
  };
  const std::string subject =
      R"("subject":[{"name":"a","digest":{"sha256":")" + std::string(64, 'a') + R"("}}])";
  const std::string v1 = R"("predicateType":"https://slsa.dev/provenance/v1","predicate":{
      "buildDefinition":{"buildType":"x"},"runDetails":{"builder":{"id":"b"}}})";
  EXPECT_NO_THROW(
      parse(R"({"_type":"https://in-toto.io/Statement/v1",)" + subject + "," + v1 + "}"));
  EXPECT_THROW(parse(R"({"_type":"https://in-toto.io/Statement/v2",)" + subject + "," + v1 + "}"),
               FormatError);
  EXPECT_THROW(
      parse(R"({"_type":"https://in-toto.io/Statement/v1","extra":1,)" + subject + "," + v1 + "}"),
      FormatError);
  EXPECT_THROW(parse(R"({"_type":"https://in-toto.io/Statement/v1","subject":[],)" + v1 + "}"),
               FormatError);
  EXPECT_THROW(
      parse(
          R"({"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"zz"}}],)" +
          v1 + "}"),
      FormatError);
  EXPECT_THROW(parse(R"({"_type":"https://in-toto.io/Statement/v1",)" + subject +
                     R"(,"predicateType":"https://slsa.dev/provenance/v9","predicate":{}})"),
               FormatError);
  EXPECT_THROW(parse("[]"), FormatError);
  EXPECT_THROW(parse_provenance("text/plain", as_bytes(std::string("{}"))), FormatError);
}

TEST(BuilderRules, ReleaseTagsAndLooseMatches) {
  EXPECT_TRUE(is_release_tag("refs/tags/v1.10.0"));
  EXPECT_TRUE(is_release_tag("refs/tags/v0.0.1"));
  EXPECT_FALSE(is_release_tag("refs/heads/main"));
  EXPECT_FALSE(is_release_tag("refs/tags/v1.2"));
  EXPECT_FALSE(is_release_tag("refs/tags/v1.2.3-rc1"));
  EXPECT_FALSE(is_release_tag("refs/tags/v01.2.3"));
  const BuilderId id = parse_builder_id("https://github.com/o/r/w.yml@refs/tags/v1.2.3");
  EXPECT_TRUE(matches_loosely(id, "https://github.com/o/r/w.yml"));
  EXPECT_TRUE(matches_loosely(id, "https://github.com/o/r/w.yml@refs/tags/v1.2.3"));
  EXPECT_FALSE(matches_loosely(id, "https://github.com/o/r/w.yml@refs/tags/v1.2.4"));
  EXPECT_FALSE(matches_loosely(id, "https://github.com/o/r/w"));
}

}  // namespace
}  // namespace sigmount::verifier::provenance
