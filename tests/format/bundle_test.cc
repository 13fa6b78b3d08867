// parse_bundle over every released shape and over hostile input.
#include "verifier/format/bundle.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "tests/format/test_support.h"
#include "verifier/errors.h"

namespace sigmount::verifier {
namespace {

using testing::data_dir;
using testing::data_file;

Bundle parse_model_signing(const std::string& text) {
  return parse_bundle(text, BundleRules::model_signing);
}

TEST(ParseBundle, EveryModelSigningRelease) {
  for (const char* name : {"v0.2.0-certificate", "v0.3.1-certificate", "v0.3.1-elliptic-key",
                           "v1.0.0-certificate", "v1.0.0-elliptic-key", "v1.0.1-certificate",
                           "v1.0.1-elliptic-key", "v1.1.0-certificate", "v1.1.0-elliptic-key"}) {
    SCOPED_TRACE(name);
    const Bundle bundle = parse_model_signing(data_file(std::string(name) + "/model.sig"));
    EXPECT_EQ(bundle.version, BundleVersion::v0_3);
    EXPECT_TRUE(bundle.tlog_entries.empty());
    const auto& envelope = std::get<DsseEnvelope>(bundle.content);
    EXPECT_EQ(envelope.payload_type, "application/vnd.in-toto+json");
    ASSERT_EQ(envelope.signatures.size(), 1u);
    EXPECT_EQ(envelope.signatures[0].keyid, "");
    if (std::string(name).find("certificate") != std::string::npos) {
      EXPECT_GE(std::get<CertificateChainMaterial>(bundle.material).certificates.size(), 2u);
    } else {
      EXPECT_TRUE(std::holds_alternative<PublicKeyMaterial>(bundle.material));
    }
  }
  const auto old_key = std::get<PublicKeyMaterial>(
      parse_model_signing(data_file("v1.0.0-elliptic-key/model.sig")).material);
  EXPECT_FALSE(old_key.hint);
  ASSERT_TRUE(old_key.raw_bytes);
  EXPECT_EQ(std::string(as_chars(*old_key.raw_bytes)).rfind("-----BEGIN PUBLIC KEY-----", 0), 0u);
  const auto new_key = std::get<PublicKeyMaterial>(
      parse_model_signing(data_file("v1.1.0-elliptic-key/model.sig")).material);
  EXPECT_EQ(new_key.hint, "e8450dec4eb99dae995da9af1bc2cc9f76ed669ee2e744f57abba763df3e3f8e");
}

TEST(ParseBundle, ChainInV03IsOnlyModelSigningsShape) {
  const std::string text = data_file("v1.1.0-certificate/model.sig");
  EXPECT_NO_THROW(parse_model_signing(text));
  EXPECT_THROW(parse_bundle(text, BundleRules::sigstore), FormatError);
}

// Two bytes of text per value ("{},") made a 60 MB bundle cost 2.3 GB of memory before its
// unknown member was noticed; the value bound stops it early, with little allocated.
TEST(ParseBundle, ManySmallValuesAreRefusedBeforeTheSchema) {
  std::string padded = R"({"mediaType":"x","pad":[)";
  for (std::size_t i = 0; i < kMaxBundleValues; ++i) padded += "{},";
  padded += "{}]}";
  try {
    parse_bundle(padded);
    FAIL() << "parsed";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("more than 100000 values"), std::string::npos) << e.what();
  }
}

TEST(ParseBundle, SigstoreShapes) {
  const Bundle keyless = parse_bundle(data_file("sigstore/v1.1.0-sigstore.model.sig"));
  EXPECT_TRUE(std::holds_alternative<CertificateMaterial>(keyless.material));
  ASSERT_EQ(keyless.tlog_entries.size(), 1u);
  const auto& entry = keyless.tlog_entries[0];
  EXPECT_GT(entry.log_index, 0);
  EXPECT_EQ(entry.kind, "dsse");
  EXPECT_TRUE(entry.signed_entry_timestamp);
  ASSERT_TRUE(entry.inclusion_proof);
  EXPECT_FALSE(entry.inclusion_proof->checkpoint.empty());
  EXPECT_FALSE(entry.inclusion_proof->hashes.empty());
  EXPECT_EQ(entry.inclusion_proof->root_hash.size(), 32u);
  EXPECT_NO_THROW(parse_bundle(data_file("sigstore/v1.0.0-sigstore.model.sig")));
  EXPECT_NO_THROW(parse_bundle(data_file("oms-spec/valid/sigstore.bundle.json")));
}

// Conformance cases that fail for structural reasons are rejected by the parser; every
// other case (including ones that fail later, at the cryptography) parses.
TEST(ParseBundle, SigstoreConformanceCases) {
  const std::set<std::string> structural_failures = {
      "bundle-empty-certificate-chain_fail", "bundle-invalid-base64-signature_fail",
      "bundle-negative-log-index_fail", "rekor2-no-inclusion-proof_fail"};
  std::size_t count = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(data_dir() / "sigstore-conformance")) {
    std::string name = entry.path().filename().string();
    name = name.substr(0, name.find(".sigstore.json"));
    SCOPED_TRACE(name);
    const std::string text = testing::read_file(entry.path());
    if (structural_failures.contains(name)) {
      EXPECT_THROW(parse_bundle(text), FormatError);
    } else {
      EXPECT_NO_THROW(parse_bundle(text));
    }
    ++count;
  }
  EXPECT_GE(count, 30u);
}

TEST(ParseBundle, VersionsAndContent) {
  const Bundle v01 = parse_bundle(data_file("sigstore-conformance/happy-path-v0.1.sigstore.json"));
  EXPECT_EQ(v01.version, BundleVersion::v0_1);
  const auto& message = std::get<MessageSignature>(v01.content);
  EXPECT_FALSE(message.signature.empty());
  const Bundle v02 =
      parse_bundle(data_file("sigstore-conformance/intoto-with-custom-trust-root.sigstore.json"));
  EXPECT_EQ(v02.version, BundleVersion::v0_2);
  EXPECT_EQ(v02.rfc3161_timestamps.size(), 1u);
  const Bundle v03 = parse_bundle(data_file("sigstore-conformance/happy-path-v0.3.sigstore.json"));
  EXPECT_EQ(v03.version, BundleVersion::v0_3);
  EXPECT_EQ(v03.media_type, "application/vnd.dev.sigstore.bundle+json;version=0.3");
}

TEST(ParseBundle, OmsInvalidVectorsAreRejected) {
  for (const char* name : {"empty", "missing-envelope", "missing-verification-material"}) {
    SCOPED_TRACE(name);
    EXPECT_THROW(
        parse_model_signing(data_file(std::string("oms-spec/invalid/") + name + ".bundle.json")),
        FormatError);
  }
}

// A minimal valid key bundle to mutate.
std::string key_bundle(
    const std::string& material = R"({"publicKey":{"hint":"ab"},"tlogEntries":[]})",
    const std::string& envelope =
        R"({"payload":"e30=","payloadType":"application/vnd.in-toto+json","signatures":[{"sig":"MEUC","keyid":""}]})",
    const std::string& media_type = "application/vnd.dev.sigstore.bundle.v0.3+json") {
  return R"({"mediaType":")" + media_type + R"(","verificationMaterial":)" + material +
         R"(,"dsseEnvelope":)" + envelope + "}";
}

TEST(ParseBundle, MinimalBundleParses) {
  const Bundle bundle = parse_model_signing(key_bundle());
  EXPECT_EQ(std::get<DsseEnvelope>(bundle.content).payload, (Bytes{'{', '}'}));
}

struct Hostile {
  const char* name;
  std::string text;
};

std::string envelope_with(const std::string& signatures, const std::string& payload = "e30=",
                          const std::string& type = "application/vnd.in-toto+json") {
  return R"({"payload":")" + payload + R"(","payloadType":")" + type + R"(","signatures":)" +
         signatures + "}";
}

std::string nested(std::size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

TEST(ParseBundle, HostileInputIsAFormatError) {
  const std::string good = key_bundle();
  const std::string sig = R"([{"sig":"MEUC"}])";
  std::vector<Hostile> cases = {
      {"empty", ""},
      {"truncated", good.substr(0, good.size() / 2)},
      {"trailing garbage", good + "x"},
      {"not an object", "[]"},
      {"null", "null"},
      {"unknown media type",
       key_bundle(R"({"publicKey":{}})", envelope_with(sig), "application/json")},
      {"media type wrong case", key_bundle(R"({"publicKey":{}})", envelope_with(sig),
                                           "application/vnd.dev.sigstore.bundle.V0.3+json")},
      {"media type as number", R"({"mediaType":3})"},
      {"no material", key_bundle("{}")},
      {"two materials", key_bundle(R"({"publicKey":{},"certificate":{"rawBytes":"MA=="}})")},
      {"material wrong type", key_bundle(R"({"publicKey":"x"})")},
      {"hint wrong type", key_bundle(R"({"publicKey":{"hint":5}})")},
      {"unknown member", key_bundle(R"({"publicKey":{},"extra":1})")},
      {"unknown top-level member", good.substr(0, good.size() - 1) + R"(,"x":1})"},
      {"duplicate member", good.substr(0, good.size() - 1) +
                               R"(,"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"})"},
      {"no content",
       R"({"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{}}})"},
      {"two contents",
       good.substr(0, good.size() - 1) + R"(,"messageSignature":{"signature":"MEUC"}})"},
      {"bad base64 payload", key_bundle(R"({"publicKey":{}})", envelope_with(sig, "e30"))},
      {"url-safe base64", key_bundle(R"({"publicKey":{}})", envelope_with(R"([{"sig":"ME-_"}])"))},
      {"base64 with whitespace",
       key_bundle(R"({"publicKey":{}})", envelope_with(R"([{"sig":"ME UC"}])"))},
      {"base64 with junk", key_bundle(R"({"publicKey":{}})", envelope_with(R"([{"sig":"ME*C"}])"))},
      {"no signatures", key_bundle(R"({"publicKey":{}})", envelope_with("[]"))},
      {"signature not object", key_bundle(R"({"publicKey":{}})", envelope_with("[1]"))},
      {"empty signature", key_bundle(R"({"publicKey":{}})", envelope_with(R"([{"sig":""}])"))},
      {"keyid wrong type",
       key_bundle(R"({"publicKey":{}})", envelope_with(R"([{"sig":"MEUC","keyid":1}])"))},
      {"payload missing",
       key_bundle(R"({"publicKey":{}})", R"({"payloadType":"t","signatures":[{"sig":"MEUC"}]})")},
      {"empty chain", key_bundle(R"({"x509CertificateChain":{"certificates":[]}})")},
      {"chain without certificates", key_bundle(R"({"x509CertificateChain":{}})")},
      {"empty certificate", key_bundle(R"({"certificate":{"rawBytes":""}})")},
      {"deep nesting", R"({"mediaType":)" + nested(100000) + "}"},
      {"invalid utf-8", "{\"mediaType\":\"\xff\xfe\"}"},
      {"tlogEntries wrong type", key_bundle(R"({"publicKey":{},"tlogEntries":{}})")},
  };
  // Caps: more items than any signer writes.
  std::string many_signatures = "[";
  for (std::size_t i = 0; i <= kMaxDsseSignatures; ++i)
    many_signatures += std::string(i ? "," : "") + R"({"sig":"MEUC"})";
  cases.push_back({"too many signatures",
                   key_bundle(R"({"publicKey":{}})", envelope_with(many_signatures + "]"))});
  std::string many_certs = R"({"x509CertificateChain":{"certificates":[)";
  for (std::size_t i = 0; i <= kMaxCertificates; ++i)
    many_certs += std::string(i ? "," : "") + R"({"rawBytes":"MA=="})";
  cases.push_back({"too many certificates", key_bundle(many_certs + "]}}")});
  cases.push_back({"oversize signature",
                   key_bundle(R"({"publicKey":{}})",
                              envelope_with(R"([{"sig":")" + std::string(40000, 'A') + R"("}])"))});
  cases.push_back({"oversize hint",
                   key_bundle(R"({"publicKey":{"hint":")" + std::string(5000, 'a') + R"("}})")});
  cases.push_back({"oversize document", std::string(kMaxBundleBytes + 1, ' ')});

  for (const auto& [name, text] : cases) {
    SCOPED_TRACE(name);
    EXPECT_THROW(parse_model_signing(text), FormatError);
  }
}

// A Sigstore tlog entry, to mutate one member at a time.
std::string tlog_bundle(
    const std::string& log_index, const std::string& extra = "",
    const std::string& media_type = "application/vnd.dev.sigstore.bundle.v0.3+json") {
  const std::string entry =
      R"({"logIndex":)" + log_index +
      R"(,"logId":{"keyId":"AAAA"},"kindVersion":{"kind":"dsse","version":"0.0.1"},"integratedTime":"1",)"
      R"("inclusionProof":{"logIndex":"1","rootHash":"AAAA","treeSize":"2","hashes":["AAAA"],"checkpoint":{"envelope":"x"}},)"
      R"("canonicalizedBody":"e30=")" +
      extra + "}";
  // The single certificate exists from v0.3 on; older bundles carry a chain.
  const bool v0_3 = media_type.find("0.3") != std::string::npos;
  const std::string signer =
      v0_3 ? R"("certificate":{"rawBytes":"MA=="})"
           : R"("x509CertificateChain":{"certificates":[{"rawBytes":"MA=="}]})";
  return key_bundle("{" + signer + R"(,"tlogEntries":[)" + entry + "]}",
                    envelope_with(R"([{"sig":"MEUC"}])"), media_type);
}

TEST(ParseBundle, TlogEntries) {
  const Bundle bundle = parse_bundle(tlog_bundle(R"("9223372036854775807")"));
  EXPECT_EQ(bundle.tlog_entries.at(0).log_index, INT64_MAX);
  EXPECT_EQ(bundle.tlog_entries.at(0).canonicalized_body_b64, "e30=");
  EXPECT_EQ(parse_bundle(tlog_bundle("5")).tlog_entries.at(0).log_index, 5);
  EXPECT_THROW(parse_bundle(tlog_bundle(R"("-1")")), FormatError);
  EXPECT_THROW(parse_bundle(tlog_bundle("-1")), FormatError);
  EXPECT_THROW(parse_bundle(tlog_bundle(R"("9223372036854775808")")), FormatError);
  EXPECT_THROW(parse_bundle(tlog_bundle(R"("1e3")")), FormatError);
  EXPECT_THROW(parse_bundle(tlog_bundle("9223372036854775808")), FormatError);
  EXPECT_THROW(parse_bundle(tlog_bundle("18446744073709551615")), FormatError);
  EXPECT_EQ(parse_bundle(tlog_bundle("9223372036854775807")).tlog_entries.at(0).log_index,
            INT64_MAX);
  EXPECT_THROW(parse_bundle(tlog_bundle(R"(" 1")")), FormatError);
  EXPECT_THROW(parse_bundle(tlog_bundle("1.5")), FormatError);
  EXPECT_THROW(parse_bundle(tlog_bundle("true")), FormatError);
  EXPECT_THROW(parse_bundle(tlog_bundle("1", R"(,"unknown":1)")), FormatError);
  // v0.1 needs the promise, which this entry lacks.
  EXPECT_THROW(
      parse_bundle(tlog_bundle("1", "", "application/vnd.dev.sigstore.bundle+json;version=0.1")),
      FormatError);
  EXPECT_NO_THROW(
      parse_bundle(tlog_bundle("1", R"(,"inclusionPromise":{"signedEntryTimestamp":"MEUC"})",
                               "application/vnd.dev.sigstore.bundle+json;version=0.1")));
}

}  // namespace
}  // namespace sigmount::verifier
