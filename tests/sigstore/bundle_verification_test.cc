// Whole-bundle verification: the model_signing keyless fixtures through verify_dsse_bundle,
// and one test per known attack class on real bundles (each fails without its check).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/common/temp_dir.h"
#include "tests/sigstore/test_data.h"
#include "tests/sigstore/test_keys.h"
#include "verifier/errors.h"
#include "verifier/format/base64.h"
#include "verifier/format/bundle.h"
#include "verifier/sigstore/bundle_verifier.h"
#include "verifier/sigstore/fulcio_certificate.h"
#include "verifier/sigstore/transparency_log.h"
#include "verifier/sigstore/trusted_root.h"
#include "verifier/sigstore/verify_sigstore.h"

namespace sigmount::verifier::sigstore {
namespace {

namespace fs = std::filesystem;
using sigmount::testing::TempDir;
using testing::conformance_dir;
using testing::read_text;
using testing::test_data_dir;

constexpr const char* kModelIdentity = "stefanb@us.ibm.com";
constexpr const char* kModelIssuer = "https://sigstore.verify.ibm.com/oauth2";
constexpr const char* kDefaultIdentity =
    "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/"
    "workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
constexpr const char* kDefaultIssuer = "https://token.actions.githubusercontent.com";

Bundle model_bundle(const char* version) {
  return parse_bundle(read_text(test_data_dir() / "sigstore" /
                                ("model-signing-" + std::string(version) + ".sigstore.json")));
}
Bundle conformance_bundle(const std::string& name) {
  return parse_bundle(read_text(conformance_dir() / name / "bundle.sigstore.json"));
}
TrustedRoot conformance_root(const std::string& name) {
  return load_trusted_root_file(conformance_dir() / name / "trusted_root.json");
}
Bytes artifact_digest() {
  return sha256(as_bytes(read_text(conformance_dir() / "a.txt")));
}

VerificationPolicy default_policy() {
  return {IdentityPolicy{kDefaultIdentity, kDefaultIssuer}, artifact_digest()};
}

// Runs `f`, expecting a VerificationError whose text contains `needle`.
template <class F>
void expect_rejected(F&& f, const std::string& needle) {
  try {
    f();
    ADD_FAILURE() << "accepted; expected a failure mentioning \"" << needle << "\"";
  } catch (const VerificationError& error) {
    EXPECT_NE(std::string(error.what()).find(needle), std::string::npos)
        << "message: " << error.what();
  } catch (const FormatError& error) {
    EXPECT_NE(std::string(error.what()).find(needle), std::string::npos)
        << "message: " << error.what();
  }
}

// ---------------------------------------------------------------- model_signing fixtures

TEST(ModelSigningBundles, VerifyWithTheSignersIdentity) {
  for (const char* version : {"v1.0.0", "v1.1.0"}) {
    const VerifiedEnvelope verified =
        verify_dsse_bundle(model_bundle(version), SigstoreTrust{kModelIdentity, kModelIssuer, {}});
    EXPECT_EQ(verified.payload_type, "application/vnd.in-toto+json") << version;
    EXPECT_NE(std::string(as_chars(verified.payload)).find("https://model_signing/"),
              std::string::npos);
    EXPECT_NE(verified.signer_description.find(kModelIdentity), std::string::npos);
  }
}

TEST(ModelSigningBundles, AnyOtherIdentityOrIssuerFails) {
  for (const char* version : {"v1.0.0", "v1.1.0"}) {
    const Bundle bundle = model_bundle(version);
    expect_rejected(
        [&] {
          verify_dsse_bundle(bundle, {"stefanb@us.ibm.co", kModelIssuer, {}});
        },
        "wrong identity");
    expect_rejected(
        [&] {
          verify_dsse_bundle(bundle, {"mallory@us.ibm.com", kModelIssuer, {}});
        },
        "wrong identity");
    expect_rejected(
        [&] {
          verify_dsse_bundle(bundle, {kModelIdentity, "https://accounts.google.com", {}});
        },
        "wrong OIDC issuer");
    expect_rejected(
        [&] {
          verify_dsse_bundle(bundle, {kModelIdentity, "https://sigstore.verify.ibm.com", {}});
        },
        "wrong OIDC issuer");
  }
}

TEST(ModelSigningBundles, TrustConfigFileIsAccepted) {
  nlohmann::json config;
  config["mediaType"] = "application/vnd.dev.sigstore.clienttrustconfig.v0.1+json";
  config["trustedRoot"] = nlohmann::json::parse(production_trusted_root_json());
  const TempDir dir;
  const auto file = dir.write("trust_config.json", config.dump());
  EXPECT_NO_THROW(verify_dsse_bundle(model_bundle("v1.1.0"),
                                     SigstoreTrust{kModelIdentity, kModelIssuer, file}));
}

TEST(ModelSigningBundles, ForeignTrustRootFails) {
  // The staging root knows neither the production Rekor log nor the production Fulcio.
  const fs::path staging = conformance_dir() / "managed-key-and-trusted-root" / "trusted_root.json";
  expect_rejected(
      [&] {
        verify_dsse_bundle(model_bundle("v1.0.0"), {kModelIdentity, kModelIssuer, staging});
      },
      "not a transparency log of the trusted root");
}

TEST(ModelSigningBundles, ArtifactMustBeASubjectOfTheStatement) {
  const VerificationPolicy policy{IdentityPolicy{kModelIdentity, kModelIssuer}, Bytes(32, 0xab)};
  expect_rejected([&] { verify_bundle(model_bundle("v1.0.0"), policy, production_trusted_root()); },
                  "not a subject");
}

// model_signing verifies with sigstore-python, which wants an inclusion proof with a signed
// checkpoint in every bundle version; a bundle relabelled v0.1 and stripped of its proof
// (its SET still valid) must not get past the OMS path, though sigstore-go's rule takes it.
TEST(ModelSigningBundles, ABundleRelabelledV01WithoutAnInclusionProofFails) {
  Bundle bundle = model_bundle("v1.1.0");
  bundle.media_type = "application/vnd.dev.sigstore.bundle+json;version=0.1";
  bundle.version = BundleVersion::v0_1;
  bundle.material =
      CertificateChainMaterial{{std::get<CertificateMaterial>(bundle.material).certificate}};
  bundle.tlog_entries.front().inclusion_proof.reset();
  const VerificationPolicy go_rules{IdentityPolicy{kModelIdentity, kModelIssuer}, std::nullopt};
  EXPECT_NO_THROW(verify_bundle(bundle, go_rules, production_trusted_root()));
  expect_rejected(
      [&] {
        verify_dsse_bundle(bundle, SigstoreTrust{kModelIdentity, kModelIssuer, {}});
      },
      "an inclusion proof with a signed checkpoint is required");
}

TEST(TrustedRoots, StagingRootWithPkcs1CtKeyLoads) {
  // The old staging CT log key is a bare PKCS#1 RSAPublicKey; it must not break the root.
  const TrustedRoot root = conformance_root("managed-key-and-trusted-root");
  EXPECT_EQ(root.ctlogs.size(), 3u);
  EXPECT_EQ(root.tlogs.size(), 2u);
  EXPECT_EQ(root.timestamp_authorities.size(), 1u);
}

TEST(Timestamps, BothTimeSourcesAreUsedAndDuplicatesRejected) {
  // model_signing v1.1.0: a SET (integrated time) and an RFC 3161 timestamp.
  const VerificationPolicy policy{IdentityPolicy{kModelIdentity, kModelIssuer}, std::nullopt};
  Bundle bundle = model_bundle("v1.1.0");
  const VerifiedBundle verified = verify_bundle(bundle, policy, production_trusted_root());
  EXPECT_EQ(verified.verified_times.size(), 2u);
  bundle.rfc3161_timestamps.push_back(bundle.rfc3161_timestamps.front());
  expect_rejected([&] { verify_bundle(bundle, policy, production_trusted_root()); },
                  "duplicate RFC 3161 timestamp");
  // A corrupted token fails the bundle rather than being skipped.
  Bundle corrupted = model_bundle("v1.1.0");
  corrupted.rfc3161_timestamps.front().back() ^= 1;
  EXPECT_ANY_THROW(verify_bundle(corrupted, policy, production_trusted_root()));
}

// ---------------------------------------------------------------------------- attacks

// A valid log entry for another signing event must not vouch for this one.
TEST(Attacks, LogEntryNotBoundToTheSignature) {
  Bundle bundle = model_bundle("v1.0.0");
  bundle.tlog_entries = model_bundle("v1.1.0").tlog_entries;
  bundle.rfc3161_timestamps.clear();
  // (The other entry's payload differs too, so the payload hash is the first mismatch.)
  expect_rejected(
      [&] {
        verify_dsse_bundle(bundle, {kModelIdentity, kModelIssuer, {}});
      },
      "log entry: the logged payload hash is not the hash of the envelope's payload");
}

TEST(Attacks, LogEntryNotBoundToTheArtifact) {
  VerificationPolicy policy = default_policy();
  policy.artifact_sha256->at(0) ^= 1;
  // The signature check runs first and fails; then show the log body check alone would too.
  const Bundle bundle = conformance_bundle("happy-path-v0.3");
  EXPECT_THROW(verify_bundle(bundle, policy, production_trusted_root()), VerificationError);
  SignedContent content;
  content.signature = std::get<MessageSignature>(bundle.content).signature;
  content.verifier_der = std::get<CertificateMaterial>(bundle.material).certificate;
  content.verifier_is_certificate = true;
  content.message_sha256 = policy.artifact_sha256;
  expect_rejected([&] { check_body_binding(bundle.tlog_entries.front(), content); },
                  "the logged digest is not the artifact's digest");
}

// The SET proves the log signed the ENTRY; the entry's signature must be the bundle's.
TEST(Attacks, ValidSetOverASwappedSignature) {
  const Bundle bundle = conformance_bundle("happy-path-v0.3");
  const TrustedRoot root = production_trusted_root();
  const TransparencyLogEntry& entry = bundle.tlog_entries.front();
  ASSERT_TRUE(verify_signed_entry_timestamp(entry, *root.find_tlog(entry.log_id)));
  SignedContent content;
  content.signature =
      std::get<MessageSignature>(conformance_bundle("happy-path-v0.1").content).signature;
  content.verifier_der = std::get<CertificateMaterial>(bundle.material).certificate;
  content.verifier_is_certificate = true;
  content.message_sha256 = artifact_digest();
  ASSERT_NE(content.signature, std::get<MessageSignature>(bundle.content).signature);
  expect_rejected([&] { check_body_binding(entry, content); },
                  "the logged signature is not the bundle's signature");
  // And a swapped certificate under the same entry.
  content.signature = std::get<MessageSignature>(bundle.content).signature;
  content.verifier_der =
      std::get<CertificateChainMaterial>(conformance_bundle("happy-path-v0.1").material)
          .certificates.front();
  expect_rejected([&] { check_body_binding(entry, content); },
                  "the logged certificate is not the bundle's certificate");
}

TEST(Attacks, InclusionProofWithoutAMatchingSignedCheckpoint) {
  const TrustedRoot root = production_trusted_root();
  const Bundle original = conformance_bundle("happy-path-v0.3");
  ASSERT_NO_THROW(verify_bundle(original, default_policy(), root));

  // A self-consistent proof towards an unsigned root: recompute the root from altered hashes.
  Bundle unsigned_root = original;
  InclusionProof& proof = *unsigned_root.tlog_entries.front().inclusion_proof;
  proof.hashes.front()[0] ^= 1;
  expect_rejected([&] { verify_bundle(unsigned_root, default_policy(), root); },
                  "does not lead to the signed checkpoint's root hash");

  // The proof's own root/size must be the checkpoint's.
  Bundle other_root = original;
  other_root.tlog_entries.front().inclusion_proof->root_hash[0] ^= 1;
  expect_rejected([&] { verify_bundle(other_root, default_policy(), root); },
                  "root hash differs from the signed checkpoint's");

  // The checkpoint's log signature line removed, only a "witness" left.
  Bundle unsigned_checkpoint = original;
  std::string& note = unsigned_checkpoint.tlog_entries.front().inclusion_proof->checkpoint;
  const auto blank = note.rfind("\n\n");
  note = note.substr(0, blank + 2) + "\xE2\x80\x94 witness.example AAAAAAAA\n";
  expect_rejected([&] { verify_bundle(unsigned_checkpoint, default_policy(), root); },
                  "not signed by log rekor.sigstore.dev");

  // No checkpoint at all in a v0.3 bundle.
  Bundle no_checkpoint = original;
  no_checkpoint.tlog_entries.front().inclusion_proof->checkpoint.clear();
  expect_rejected([&] { verify_bundle(no_checkpoint, default_policy(), root); },
                  "signed checkpoint");
}

TEST(Attacks, WrongCheckpointKey) {
  // Same log ID and name, different key: the checkpoint signature must not verify (Rekor v2
  // bundle: no SET, so the checkpoint is the only log signature).
  const std::string name = "rekor2-checkpoint-multiple-cosigs";
  const Bundle bundle = conformance_bundle(name);
  ASSERT_NO_THROW(verify_bundle(bundle, default_policy(), conformance_root(name)));
  nlohmann::json root =
      nlohmann::json::parse(read_text(conformance_dir() / name / "trusted_root.json"));
  bool replaced = false;
  EvpPkey impostor = testing::generate_ed25519();
  for (auto& tlog : root["tlogs"]) {
    if (tlog["baseUrl"] == "https://log2025-alpha1.rekor.sigstage.dev") {
      tlog["publicKey"]["rawBytes"] = base64_encode(public_key_der(impostor.get()));
      replaced = true;
    }
  }
  ASSERT_TRUE(replaced);
  expect_rejected(
      [&] { verify_bundle(bundle, default_policy(), parse_trusted_root(root.dump())); },
      "checkpoint: the signature of log log2025-alpha1.rekor.sigstage.dev does not verify");
}

TEST(Attacks, ChainValidatedAtTheVerifiedTimeNotNow) {
  const Bundle bundle = model_bundle("v1.0.0");
  const TrustedRoot root = production_trusted_root();
  const X509Cert leaf =
      certificate_from_der(std::get<CertificateMaterial>(bundle.material).certificate, "leaf");
  const Instant signed_at = instant_from_unix_seconds(bundle.tlog_entries.front().integrated_time);
  EXPECT_NO_THROW(verify_fulcio_chain(leaf.get(), root, signed_at));
  // Fulcio leaves live ten minutes: at any other time the chain is not valid.
  EXPECT_THROW(verify_fulcio_chain(leaf.get(), root, signed_at + std::chrono::hours(1)),
               VerificationError);
  EXPECT_THROW(verify_fulcio_chain(leaf.get(), root, std::chrono::system_clock::now()),
               VerificationError);

  // A CA whose validFor ended before the signing time must not be used at that time.
  nlohmann::json changed = nlohmann::json::parse(production_trusted_root_json());
  for (auto& ca : changed["certificateAuthorities"]) ca["validFor"]["end"] = "2024-01-01T00:00:00Z";
  const TempDir dir;
  const auto expired_ca_root = dir.write("trusted_root.json", changed.dump());
  expect_rejected(
      [&] {
        verify_dsse_bundle(bundle, {kModelIdentity, kModelIssuer, expired_ca_root});
      },
      "no Fulcio CA of the trusted root is valid at");
}

TEST(Attacks, SeveralDsseSignatures) {
  Bundle bundle = model_bundle("v1.0.0");
  auto& envelope = std::get<DsseEnvelope>(bundle.content);
  envelope.signatures.push_back(envelope.signatures.front());
  expect_rejected(
      [&] {
        verify_dsse_bundle(bundle, {kModelIdentity, kModelIssuer, {}});
      },
      "exactly one signature");
}

TEST(Attacks, DowngradeToAWeakerBundleVersion) {
  const TrustedRoot root = production_trusted_root();
  // A v0.3 bundle stripped of its inclusion proof, keeping only the SET (v0.1 strength).
  Bundle no_proof = conformance_bundle("happy-path-v0.3");
  no_proof.tlog_entries.front().inclusion_proof.reset();
  expect_rejected([&] { verify_bundle(no_proof, default_policy(), root); },
                  "a v0.2+ bundle needs an inclusion proof with a signed checkpoint");
  // Claiming v0.1 does not excuse a missing SET.
  Bundle no_set = conformance_bundle("happy-path-v0.1");
  no_set.tlog_entries.front().signed_entry_timestamp.reset();
  expect_rejected([&] { verify_bundle(no_set, default_policy(), root); },
                  "a v0.1 bundle needs a signed entry timestamp");
  // A Rekor v2 entry never goes without its proof, whatever the version.
  Bundle v2 = conformance_bundle("rekor2-checkpoint-multiple-cosigs");
  v2.version = BundleVersion::v0_1;
  v2.tlog_entries.front().inclusion_proof.reset();
  EXPECT_THROW(
      verify_bundle(v2, default_policy(), conformance_root("rekor2-checkpoint-multiple-cosigs")),
      VerificationError);
  // Relabelled as v0.1 (SET-only rules), a v0.3 bundle keeps its single certificate, which
  // no bundle before v0.3 could carry.
  nlohmann::json relabelled = nlohmann::json::parse(
      read_text(conformance_dir() / "happy-path-v0.3" / "bundle.sigstore.json"));
  relabelled["mediaType"] = "application/vnd.dev.sigstore.bundle+json;version=0.1";
  relabelled["verificationMaterial"]["tlogEntries"][0].erase("inclusionProof");
  expect_rejected([&] { parse_bundle(relabelled.dump()); }, "not allowed before v0.3");
  // A v0.3 bundle may not carry a chain.
  Bundle chain = conformance_bundle("happy-path-v0.1");
  chain.version = BundleVersion::v0_3;
  expect_rejected([&] { verify_bundle(chain, default_policy(), root); }, "not a chain");
}

TEST(Attacks, PolicyOptionsAreNeverIgnored) {
  const TrustedRoot root = production_trusted_root();
  const Bundle bundle = conformance_bundle("happy-path-v0.3");
  VerificationPolicy empty_identity = default_policy();
  std::get<IdentityPolicy>(empty_identity.signer).identity.clear();
  expect_rejected([&] { verify_bundle(bundle, empty_identity, root); }, "empty identity");
  VerificationPolicy empty_issuer = default_policy();
  std::get<IdentityPolicy>(empty_issuer.signer).issuer.clear();
  expect_rejected([&] { verify_bundle(bundle, empty_issuer, root); }, "empty identity or issuer");
  // A key policy never accepts a certificate bundle (and vice versa: managed-key-no-key_fail).
  EvpPkey key = testing::generate_p256();
  const VerificationPolicy key_policy{PublicKeyPolicy{public_key_der(key.get())},
                                      artifact_digest()};
  expect_rejected([&] { verify_bundle(bundle, key_policy, root); }, "signed with a certificate");
  // A message signature without an artifact is not "verified".
  VerificationPolicy no_artifact = default_policy();
  no_artifact.artifact_sha256.reset();
  expect_rejected([&] { verify_bundle(bundle, no_artifact, root); }, "needs the artifact");
}

TEST(Attacks, ManagedKeyMustBeTheLoggedKey) {
  const std::string name = "managed-key-and-trusted-root";
  const Bundle bundle = conformance_bundle(name);
  const TrustedRoot root = conformance_root(name);
  const Bytes real = public_key_der(
      public_key_from_pem(read_text(conformance_dir() / name / "key.pub"), "key").get());
  ASSERT_NO_THROW(verify_bundle(bundle, {PublicKeyPolicy{real}, artifact_digest()}, root));
  EvpPkey other = testing::generate_p256();
  expect_rejected(
      [&] {
        verify_bundle(bundle, {PublicKeyPolicy{public_key_der(other.get())}, artifact_digest()},
                      root);
      },
      "signature");
  // The log body names the key: a log entry check with another key fails on its own.
  SignedContent content;
  content.signature = std::get<MessageSignature>(bundle.content).signature;
  content.verifier_der = public_key_der(other.get());
  content.message_sha256 = artifact_digest();
  expect_rejected([&] { check_body_binding(bundle.tlog_entries.front(), content); },
                  "the logged public key is not the verification key");
}

TEST(Attacks, NoVerifiedTimeNoTrust) {
  // Rekor v2 entry (no SET) without its RFC 3161 timestamp: nothing says when it was signed.
  const std::string name = "rekor2-checkpoint-multiple-cosigs";
  Bundle bundle = conformance_bundle(name);
  bundle.rfc3161_timestamps.clear();
  expect_rejected([&] { verify_bundle(bundle, default_policy(), conformance_root(name)); },
                  "no verified signing time");
}

TEST(Attacks, RetiredLogKeyWithoutASignedTime) {
  // A key-signed bundle whose entry rests on its inclusion proof alone (no SET, no RFC 3161
  // timestamp), checked against a root in which the log's key was retired in 2020.
  const std::string name = "managed-key-and-trusted-root";
  const Bytes key = public_key_der(
      public_key_from_pem(read_text(conformance_dir() / name / "key.pub"), "key").get());
  const VerificationPolicy policy{PublicKeyPolicy{key}, artifact_digest()};
  Bundle no_set = conformance_bundle(name);
  ASSERT_TRUE(no_set.tlog_entries.front().signed_entry_timestamp.has_value());
  no_set.tlog_entries.front().signed_entry_timestamp.reset();
  ASSERT_TRUE(no_set.rfc3161_timestamps.empty());
  nlohmann::json root_json =
      nlohmann::json::parse(read_text(conformance_dir() / name / "trusted_root.json"));
  // Control: with the key still in service the proof alone is enough.
  ASSERT_NO_THROW(verify_bundle(no_set, policy, parse_trusted_root(root_json.dump())));
  for (auto& log : root_json["tlogs"]) log["publicKey"]["validFor"]["end"] = "2020-01-01T00:00:00Z";
  const TrustedRoot retired = parse_trusted_root(root_json.dump());
  expect_rejected([&] { verify_bundle(no_set, policy, retired); }, "has no signed time");
  // With its SET the same bundle is placed outside the key's validity.
  expect_rejected([&] { verify_bundle(conformance_bundle(name), policy, retired); },
                  "outside the validity");
}

TEST(Attacks, ExpiredTimestampAuthorityWindow) {
  const std::string name = "rekor2-checkpoint-multiple-cosigs";
  nlohmann::json root =
      nlohmann::json::parse(read_text(conformance_dir() / name / "trusted_root.json"));
  for (auto& tsa : root["timestampAuthorities"]) tsa["validFor"]["end"] = "2025-04-10T00:00:00Z";
  expect_rejected(
      [&] {
        verify_bundle(conformance_bundle(name), default_policy(), parse_trusted_root(root.dump()));
      },
      "outside the validity of every timestamp authority");
}

}  // namespace
}  // namespace sigmount::verifier::sigstore
