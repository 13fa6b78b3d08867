// Unit tests of the individual Sigstore steps on hand-made inputs: times, trusted root,
// Merkle proofs, checkpoints, log bodies, identity policy.
#include <gtest/gtest.h>

#include <limits>
#include <nlohmann/json.hpp>
#include <vector>

#include "tests/sigstore/test_keys.h"
#include "verifier/errors.h"
#include "verifier/format/base64.h"
#include "verifier/format/dsse.h"
#include "verifier/sigstore/checkpoint.h"
#include "verifier/sigstore/identity_policy.h"
#include "verifier/sigstore/merkle.h"
#include "verifier/sigstore/rekor_body.h"
#include "verifier/sigstore/trusted_root.h"
#include "verifier/sigstore/validity_period.h"

namespace sigmount::verifier::sigstore {
namespace {

using testing::generate_ed25519;
using testing::generate_p256;
using testing::make_log;
using testing::note_signature_line;

// ---------------------------------------------------------------------------------- times

TEST(Rfc3339, ParsesFractionsAndOffsets) {
  const Instant base = parse_rfc3339("2023-07-12T15:56:36Z", "t");
  EXPECT_EQ(unix_seconds(base), 1689177396);
  EXPECT_EQ(parse_rfc3339("2023-07-12T15:56:36.5Z", "t") - base, std::chrono::milliseconds(500));
  EXPECT_EQ(parse_rfc3339("2023-07-12T15:56:36.999000Z", "t") - base,
            std::chrono::milliseconds(999));
  EXPECT_EQ(parse_rfc3339("2023-07-12T17:56:36+02:00", "t"), base);
  EXPECT_EQ(format_instant(base), "2023-07-12T15:56:36Z");
}

TEST(Rfc3339, RejectsMalformedTimes) {
  for (const char* bad :
       {"", "2023-07-12", "2023-07-12T15:56:36", "2023-13-01T00:00:00Z", "2023-02-30T00:00:00Z",
        "2023-07-12T15:56:36.Z", "2023-07-12 15:56:36Z", "2023-07-12T15:56:36Zjunk"}) {
    EXPECT_THROW(parse_rfc3339(bad, "t"), FormatError) << bad;
  }
}

TEST(ValidityPeriod, IsClosedAtBothEnds) {
  const Instant start = instant_from_unix_seconds(100);
  const Instant end = instant_from_unix_seconds(200);
  const ValidityPeriod period{start, end};
  EXPECT_TRUE(period.contains(start));
  EXPECT_TRUE(period.contains(end));
  EXPECT_FALSE(period.contains(start - std::chrono::nanoseconds(1)));
  EXPECT_FALSE(period.contains(end + std::chrono::nanoseconds(1)));
  const ValidityPeriod open_ended{start, std::nullopt};
  EXPECT_TRUE(open_ended.contains(instant_from_unix_seconds(1LL << 33)));
}

TEST(Instants, SaturateInsteadOfOverflowing) {
  // Found by fuzzing: X.509 notAfter 9999-12-31 and arbitrary SCT timestamps exceed the
  // nanosecond range of Instant.
  EXPECT_EQ(instant_from_unix_seconds(std::numeric_limits<std::int64_t>::max()), Instant::max());
  EXPECT_EQ(instant_from_unix_seconds(std::numeric_limits<std::int64_t>::min()), Instant::min());
  EXPECT_EQ(instant_from_unix_millis(std::numeric_limits<std::uint64_t>::max()), Instant::max());
  EXPECT_EQ(unix_seconds(instant_from_unix_millis(1'689'177'396'000)), 1'689'177'396);
  EXPECT_THROW(parse_rfc3339("9999-12-31T23:59:59Z", "t"), FormatError);
  EXPECT_THROW(parse_rfc3339("0001-01-01T00:00:00Z", "t"), FormatError);
}

// --------------------------------------------------------------------------- trusted root

nlohmann::json production_json() {
  return nlohmann::json::parse(production_trusted_root_json());
}

TEST(TrustedRoot, ProductionRootIsBuiltIn) {
  const TrustedRoot root = production_trusted_root();
  ASSERT_EQ(root.tlogs.size(), 2u);
  EXPECT_EQ(root.tlogs[0].key_name, "rekor.sigstore.dev");
  EXPECT_EQ(base64_encode(root.tlogs[0].log_id), "wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0=");
  EXPECT_EQ(root.tlogs[1].key_name, "log2025-1.rekor.sigstore.dev");
  EXPECT_EQ(root.certificate_authorities.size(), 2u);
  EXPECT_EQ(root.ctlogs.size(), 2u);
  EXPECT_EQ(root.timestamp_authorities.size(), 1u);
  // The Rekor v1 key ID is SHA-256 of its SubjectPublicKeyInfo.
  EXPECT_EQ(sha256(public_key_der(root.tlogs[0].public_key.get())), root.tlogs[0].log_id);
  // The first Fulcio CA ended 2022-12-31T23:59:59.999Z, inclusive.
  const auto& old_ca = root.certificate_authorities[0];
  EXPECT_TRUE(old_ca.valid_for.contains(parse_rfc3339("2022-12-31T23:59:59.999Z", "t")));
  EXPECT_FALSE(old_ca.valid_for.contains(parse_rfc3339("2023-01-01T00:00:00Z", "t")));
}

TEST(TrustedRoot, AcceptsBothMediaTypesAndExplicitNulls) {
  nlohmann::json root = production_json();
  root["mediaType"] = "application/vnd.dev.sigstore.trustedroot.v0.2+json";
  root["tlogs"][0]["publicKey"]["validFor"]["end"] = nullptr;
  root["tlogs"][0]["checkpointKeyId"] = nullptr;
  root["tlogs"][0]["operator"] = nullptr;
  const TrustedRoot parsed = parse_trusted_root(root.dump());
  EXPECT_FALSE(parsed.tlogs[0].valid_for.end.has_value());
  EXPECT_EQ(parsed.tlogs[0].checkpoint_key_id, parsed.tlogs[0].log_id);
  root["mediaType"] = "application/vnd.dev.sigstore.trustedroot+json;version=9.9";
  EXPECT_THROW(parse_trusted_root(root.dump()), FormatError);
}

TEST(TrustedRoot, MissingValidityStartRejectsTheRoot) {
  nlohmann::json root = production_json();
  root["tlogs"][0]["publicKey"]["validFor"].erase("start");
  EXPECT_THROW(parse_trusted_root(root.dump()), FormatError);
}

TEST(TrustedRoot, UnsupportedKeyTypesAreSkippedNotFatal) {
  nlohmann::json root = production_json();
  root["tlogs"][1]["publicKey"]["keyDetails"] = "ML_DSA_65";
  root["tlogs"][1]["publicKey"]["rawBytes"] = "AAAA";
  const TrustedRoot parsed = parse_trusted_root(root.dump());
  EXPECT_EQ(parsed.tlogs.size(), 1u);
}

TEST(TrustedRoot, ListsAreBoundedOptionalArraysOfObjects) {
  const auto message = [](const nlohmann::json& root) -> std::string {
    try {
      parse_trusted_root(root.dump());
    } catch (const FormatError& error) {
      return error.what();
    }
    return "accepted";
  };
  nlohmann::json root = production_json();
  root.erase("ctlogs");
  root["timestampAuthorities"] = nullptr;
  const TrustedRoot parsed = parse_trusted_root(root.dump());
  EXPECT_TRUE(parsed.ctlogs.empty());
  EXPECT_TRUE(parsed.timestamp_authorities.empty());

  root = production_json();
  root["tlogs"] = nlohmann::json::array();
  for (int i = 0; i < 257; ++i) root["tlogs"].push_back(production_json()["tlogs"][0]);
  EXPECT_EQ(message(root), "trusted root.tlogs: more than 256 items");
  root["tlogs"].erase(256);
  EXPECT_EQ(parse_trusted_root(root.dump()).tlogs.size(), 256u);

  root = production_json();
  root["certificateAuthorities"][1] = "not an object";
  EXPECT_EQ(message(root), "trusted root.certificateAuthorities[1]: expected a JSON object");
  root = production_json();
  root["ctlogs"] = nlohmann::json::object();
  EXPECT_EQ(message(root), "trusted root.ctlogs: expected an array");
}

TEST(TrustedRoot, ClientTrustConfigWrapsARoot) {
  nlohmann::json config;
  config["mediaType"] = "application/vnd.dev.sigstore.clienttrustconfig.v0.1+json";
  config["trustedRoot"] = production_json();
  config["signingConfig"] = nlohmann::json::object();
  const TrustedRoot parsed = parse_trusted_root_or_trust_config(config.dump());
  EXPECT_EQ(parsed.tlogs.size(), 2u);
}

TEST(TrustedRoot, LookupIsByKeyIdOnly) {
  const TrustedRoot root = production_trusted_root();
  EXPECT_EQ(root.find_tlog(root.tlogs[1].log_id), &root.tlogs[1]);
  EXPECT_EQ(root.find_tlog(root.ctlogs[1].log_id), nullptr);
  EXPECT_EQ(root.find_ctlog(root.ctlogs[1].log_id), &root.ctlogs[1]);
}

// --------------------------------------------------------------------------------- merkle

// Reference RFC 6962 tree: MTH over leaves [begin, end).
Bytes tree_hash(const std::vector<Bytes>& leaves, std::size_t begin, std::size_t end) {
  if (end - begin == 1) return leaves[begin];
  std::size_t split = 1;
  while (split * 2 < end - begin) split *= 2;
  return merkle_node_hash(tree_hash(leaves, begin, begin + split),
                          tree_hash(leaves, begin + split, end));
}
void audit_path(const std::vector<Bytes>& leaves, std::size_t index, std::size_t begin,
                std::size_t end, std::vector<Bytes>& path) {
  if (end - begin == 1) return;
  std::size_t split = 1;
  while (split * 2 < end - begin) split *= 2;
  if (index < begin + split) {
    audit_path(leaves, index, begin, begin + split, path);
    path.push_back(tree_hash(leaves, begin + split, end));
  } else {
    audit_path(leaves, index, begin + split, end, path);
    path.push_back(tree_hash(leaves, begin, begin + split));
  }
}

TEST(Merkle, InclusionProofsOfEveryLeafOfSmallTrees) {
  for (std::size_t size = 1; size <= 13; ++size) {
    std::vector<Bytes> leaves;
    for (std::size_t i = 0; i < size; ++i) {
      leaves.push_back(merkle_leaf_hash(as_bytes("entry " + std::to_string(i))));
    }
    const Bytes root = tree_hash(leaves, 0, size);
    for (std::size_t index = 0; index < size; ++index) {
      std::vector<Bytes> path;
      audit_path(leaves, index, 0, size, path);
      EXPECT_EQ(merkle_root_from_inclusion_proof(index, size, leaves[index], path), root)
          << size << " " << index;
      if (!path.empty()) {
        path.front()[0] ^= 1;
        EXPECT_NE(merkle_root_from_inclusion_proof(index, size, leaves[index], path), root);
        path.pop_back();
        EXPECT_THROW(merkle_root_from_inclusion_proof(index, size, leaves[index], path),
                     VerificationError);
      }
    }
  }
  EXPECT_THROW(merkle_root_from_inclusion_proof(3, 3, Bytes(32), {}), VerificationError);
  EXPECT_THROW(merkle_root_from_inclusion_proof(0, 0, Bytes(32), {}), VerificationError);
}

// ----------------------------------------------------------------------------- checkpoint

std::string checkpoint_text(const std::string& origin, std::uint64_t size, ByteView root) {
  return origin + "\n" + std::to_string(size) + "\n" + base64_encode(root) + "\n";
}

TEST(Checkpoint, VerifiesEcdsaAndEd25519LogSignaturesAmongWitnesses) {
  for (const bool ed25519 : {false, true}) {
    EvpPkey key = ed25519 ? generate_ed25519() : generate_p256();
    EvpPkey witness = generate_ed25519();
    const TransparencyLogInstance log = make_log(key.get(), "log.example");
    const Bytes root(32, 7);
    const std::string text =
        checkpoint_text(ed25519 ? "log.example" : "log.example - 42", 10, root) + "Timestamp: 1\n";
    // The log's line is not first; witness lines are ignored.
    const std::string note =
        text + "\n" + note_signature_line("witness.example", Bytes(4, 1), witness.get(), text) +
        note_signature_line("log.example", log.checkpoint_key_id, key.get(), text);
    const Checkpoint checkpoint = verify_checkpoint(note, log);
    EXPECT_EQ(checkpoint.tree_size, 10u);
    EXPECT_EQ(checkpoint.root_hash, root);
    EXPECT_EQ(checkpoint.extensions, std::vector<std::string>{"Timestamp: 1"});
  }
}

TEST(Checkpoint, RejectsNotesWithoutAValidLogSignature) {
  EvpPkey key = generate_p256();
  EvpPkey other = generate_p256();
  const TransparencyLogInstance log = make_log(key.get(), "log.example");
  const std::string text = checkpoint_text("log.example", 10, Bytes(32, 7));
  // Wrong key hint: not the log's line.
  EXPECT_THROW(
      verify_checkpoint(
          text + "\n" + note_signature_line("log.example", Bytes(4, 9), key.get(), text), log),
      VerificationError);
  // Right name and hint, signed by another key (a wrong checkpoint key).
  EXPECT_THROW(
      verify_checkpoint(
          text + "\n" + note_signature_line("log.example", log.log_id, other.get(), text), log),
      VerificationError);
  // Right key, other name.
  EXPECT_THROW(
      verify_checkpoint(
          text + "\n" + note_signature_line("other.example", log.log_id, key.get(), text), log),
      VerificationError);
  // Signed text differs from the note text (root hash changed after signing).
  const std::string forged = checkpoint_text("log.example", 10, Bytes(32, 8));
  EXPECT_THROW(
      verify_checkpoint(
          forged + "\n" + note_signature_line("log.example", log.log_id, key.get(), text), log),
      VerificationError);
  // No signatures at all.
  EXPECT_THROW(verify_checkpoint(text + "\n", log), FormatError);
  // Origin of another log.
  const std::string foreign = checkpoint_text("other.example", 10, Bytes(32, 7));
  EXPECT_THROW(
      verify_checkpoint(
          foreign + "\n" + note_signature_line("log.example", log.log_id, key.get(), foreign), log),
      VerificationError);
}

TEST(Checkpoint, ParsesOnlyWellFormedText) {
  EXPECT_NO_THROW(parse_checkpoint_text(checkpoint_text("o", 1, Bytes(32))));
  EXPECT_THROW(parse_checkpoint_text("o\n1\n"), FormatError);
  EXPECT_THROW(parse_checkpoint_text("o\n01\n" + base64_encode(Bytes(32)) + "\n"), FormatError);
  EXPECT_THROW(parse_checkpoint_text("o\n-1\n" + base64_encode(Bytes(32)) + "\n"), FormatError);
  EXPECT_THROW(parse_checkpoint_text("o\n1\n" + base64_encode(Bytes(31)) + "\n"), FormatError);
  EXPECT_THROW(parse_checkpoint_text("\n1\n" + base64_encode(Bytes(32)) + "\n"), FormatError);
  EXPECT_THROW(parse_signed_note("o\n1\nAAAA\n\nnot a signature\n"), FormatError);
}

// ------------------------------------------------------------------------------ log bodies

TEST(RekorBody, KindVersionMustMatchTheBody) {
  const std::string body =
      R"({"apiVersion":"0.0.1","kind":"hashedrekord","spec":{"data":{"hash":{"algorithm":"sha256","value":"00"}},"signature":{"content":"AA==","publicKey":{"content":"AA=="}}}})";
  EXPECT_THROW(parse_rekor_body(as_bytes(body), "dsse", "0.0.1"), FormatError);
  EXPECT_THROW(parse_rekor_body(as_bytes(body), "hashedrekord", "0.0.2"), FormatError);
  EXPECT_THROW(parse_rekor_body(as_bytes(R"({"apiVersion":"0.0.1","kind":"rekord","spec":{}})"),
                                "rekord", "0.0.1"),
               FormatError);
}

TEST(RekorBody, ReadsHashedRekordV2WithAPublicKey) {
  EvpPkey key = generate_p256();
  const Bytes spki = public_key_der(key.get());
  nlohmann::json body;
  body["apiVersion"] = "0.0.2";
  body["kind"] = "hashedrekord";
  body["spec"]["hashedRekordV002"]["data"] = {{"algorithm", "SHA2_256"},
                                              {"digest", base64_encode(Bytes(32, 1))}};
  body["spec"]["hashedRekordV002"]["signature"] = {
      {"content", base64_encode(Bytes{1, 2, 3})},
      {"verifier",
       {{"keyDetails", "PKIX_ECDSA_P256_SHA_256"},
        {"publicKey", {{"rawBytes", base64_encode(spki)}}}}}};
  const RekorBody parsed = parse_rekor_body(as_bytes(body.dump()), "hashedrekord", "0.0.2");
  EXPECT_EQ(*parsed.signed_digest, Bytes(32, 1));
  ASSERT_EQ(parsed.signers.size(), 1u);
  EXPECT_EQ(parsed.signers[0].signature, (Bytes{1, 2, 3}));
  EXPECT_EQ(parsed.signers[0].verifier_der, spki);
  EXPECT_FALSE(parsed.signers[0].is_certificate);
}

TEST(DssePae, MatchesTheSpecExample) {
  const Bytes pae = dsse_pae("http://example.com/HelloWorld", as_bytes("hello world"));
  EXPECT_EQ(std::string(as_chars(pae)), "DSSEv1 29 http://example.com/HelloWorld 11 hello world");
}

// --------------------------------------------------------------------------- identity

TEST(IdentityPolicy, ExactMatchesOnly) {
  CertificateIdentity certificate{{"alice@example.com"}, "https://issuer.example"};
  EXPECT_NO_THROW(check_identity(certificate, {"alice@example.com", "https://issuer.example"}));
  EXPECT_THROW(check_identity(certificate, {"Alice@example.com", "https://issuer.example"}),
               VerificationError);
  EXPECT_THROW(check_identity(certificate, {"alice@example.co", "https://issuer.example"}),
               VerificationError);
  EXPECT_THROW(check_identity(certificate, {"alice@example.com", "https://issuer.example/"}),
               VerificationError);
}

TEST(IdentityPolicy, EmptyPolicyMatchesNothing) {
  // An option left empty must not turn into "any identity".
  CertificateIdentity certificate{{""}, ""};
  EXPECT_THROW(check_identity(certificate, {"", ""}), VerificationError);
  CertificateIdentity real{{"alice@example.com"}, "https://issuer.example"};
  EXPECT_THROW(check_identity(real, {"", "https://issuer.example"}), VerificationError);
  EXPECT_THROW(check_identity(real, {"alice@example.com", ""}), VerificationError);
}

TEST(IdentityPolicy, MessagesSayWhatIsWrong) {
  CertificateIdentity certificate{{"alice@example.com"}, "https://issuer.example"};
  try {
    check_identity(certificate, {"bob@example.com", "https://other.example"});
    FAIL();
  } catch (const VerificationError& error) {
    ASSERT_EQ(error.problems().size(), 2u);
    EXPECT_NE(error.problems()[0].find("wrong identity"), std::string::npos);
    EXPECT_NE(error.problems()[1].find("wrong OIDC issuer"), std::string::npos);
  }
}

}  // namespace
}  // namespace sigmount::verifier::sigstore
