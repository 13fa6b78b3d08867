// The OMS statement: reading every accepted form, rejecting the rest, and the writer.
// Also hostile statements through the whole verify path (signed with a real key), since a
// signature makes nothing in the statement trustworthy as data.
#include "verifier/format/statement.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/format/test_support.h"
#include "verifier/errors.h"
#include "verifier/format/base64.h"
#include "verifier/format/bundle.h"
#include "verifier/format/dsse.h"
#include "verifier/signature_verifier.h"
#include "verifier/trust/ec_key.h"
#include "verifier/trust/signing.h"

namespace sigmount::verifier {
namespace {

using nlohmann::json;

hashing::Digest filled(std::uint8_t value, std::size_t size = 32) {
  return hashing::Digest(Bytes(size, value));
}

// A statement as JSON, for mutation; the subject digest matches the resources.
json statement_json(const std::vector<Resource>& resources, json serialization = nullptr) {
  if (serialization.is_null()) {
    serialization = {{"method", "files"}, {"hash_type", "sha256"}, {"allow_symlinks", false}};
  }
  json list = json::array();
  for (const auto& r : resources) {
    list.push_back({{"name", r.name}, {"algorithm", r.algorithm}, {"digest", r.digest.hex()}});
  }
  return {{"_type", "https://in-toto.io/Statement/v1"},
          {"subject", {{{"name", "m"}, {"digest", {{"sha256", root_digest(resources).hex()}}}}}},
          {"predicateType", "https://model_signing/signature/v1.0"},
          {"predicate", {{"serialization", serialization}, {"resources", list}}}};
}

Statement parse(const json& statement) {
  const std::string text = statement.dump();
  return parse_statement(kInTotoPayloadType, as_bytes(text));
}

TEST(Statement, ReadsFilesSerialization) {
  const std::vector<Resource> resources = {{"a", "sha256", filled(1)},
                                           {"b/c", "sha256", filled(2)}};
  json document = statement_json(resources);
  document["predicate"]["serialization"]["ignore_paths"] = {"model.sig", ".git"};
  const Statement statement = parse(document);
  EXPECT_EQ(statement.model_name, "m");
  EXPECT_EQ(statement.resources.size(), 2u);
  EXPECT_EQ(statement.resources[1].name, "b/c");
  EXPECT_EQ(statement.serialization.ignore_paths, (std::vector<std::string>{"model.sig", ".git"}));
  EXPECT_EQ(statement.root_digest, root_digest(resources));
}

TEST(Statement, ShardSizeIntegerOrIntegralFloat) {
  const std::vector<Resource> resources = {{"a:0:8", "sha256-sharded-8", filled(1)}};
  for (const json& size : {json(8), json(8.0)}) {
    const Statement statement = parse(statement_json(resources, {{"method", "shards"},
                                                                 {"hash_type", "sha256"},
                                                                 {"allow_symlinks", false},
                                                                 {"shard_size", size}}));
    EXPECT_EQ(statement.serialization.method, SerializationMethod::shards);
    EXPECT_EQ(statement.serialization.shard_size, 8u);
  }
  for (const json& size : {json(8.5), json(0), json(-8), json("8"), json(nullptr), json(1e300)}) {
    SCOPED_TRACE(size.dump());
    EXPECT_THROW(parse(statement_json(resources, {{"method", "shards"},
                                                  {"hash_type", "sha256"},
                                                  {"allow_symlinks", false},
                                                  {"shard_size", size}})),
                 FormatError);
  }
}

TEST(Statement, Blake2bDigestsAre64Bytes) {
  const std::vector<Resource> good = {{"a", "blake2b", filled(1, 64)}};
  json serialization = {{"method", "files"}, {"hash_type", "blake2b"}, {"allow_symlinks", true}};
  EXPECT_EQ(parse(statement_json(good, serialization)).serialization.hash,
            hashing::HashAlgorithm::blake2b);
  const std::vector<Resource> short_digest = {{"a", "blake2b", filled(1, 32)}};
  EXPECT_THROW(parse(statement_json(short_digest, serialization)), FormatError);
}

TEST(Statement, RejectsWhatModelSigningRejects) {
  const std::vector<Resource> resources = {{"a", "sha256", filled(1)}};
  const json good = statement_json(resources);
  EXPECT_NO_THROW(parse(good));
  std::vector<std::pair<const char*, json>> cases;
  auto with = [&](const char* name, auto mutate) {
    json copy = good;
    mutate(copy);
    cases.emplace_back(name, copy);
  };
  with("wrong _type", [](json& j) { j["_type"] = "https://in-toto.io/Statement/v0.1"; });
  with("no _type", [](json& j) { j.erase("_type"); });
  with("wrong predicate type", [](json& j) { j["predicateType"] = "https://example.com/x"; });
  with("two subjects", [](json& j) { j["subject"].push_back(j["subject"][0]); });
  with("no subject", [](json& j) { j["subject"] = json::array(); });
  with("subject not array", [](json& j) { j["subject"] = j["subject"][0]; });
  with("subject digest not sha256", [](json& j) {
    j["subject"][0]["digest"] = {{"sha512", "00"}};
  });
  with("root digest mismatch",
       [](json& j) { j["subject"][0]["digest"]["sha256"] = std::string(64, '0'); });
  with("root digest not hex",
       [](json& j) { j["subject"][0]["digest"]["sha256"] = std::string(64, 'g'); });
  with("unknown method", [](json& j) { j["predicate"]["serialization"]["method"] = "tree"; });
  with("unknown hash", [](json& j) { j["predicate"]["serialization"]["hash_type"] = "md5"; });
  with("blake2 API name", [](json& j) { j["predicate"]["serialization"]["hash_type"] = "blake2"; });
  with("allow_symlinks as string",
       [](json& j) { j["predicate"]["serialization"]["allow_symlinks"] = "false"; });
  with("no serialization", [](json& j) { j["predicate"].erase("serialization"); });
  with("no resources", [](json& j) { j["predicate"].erase("resources"); });
  with("resource not object", [](json& j) { j["predicate"]["resources"][0] = "a"; });
  with("digest wrong size", [](json& j) { j["predicate"]["resources"][0]["digest"] = "abcd"; });
  with("digest with space", [](json& j) {
    std::string d = j["predicate"]["resources"][0]["digest"];
    j["predicate"]["resources"][0]["digest"] = " " + d.substr(1);
  });
  with("name not string", [](json& j) { j["predicate"]["resources"][0]["name"] = 1; });
  with("ignore_paths not strings",
       [](json& j) { j["predicate"]["serialization"]["ignore_paths"] = {1}; });
  with("not an object", [](json& j) { j = json::array(); });
  for (const auto& [name, document] : cases) {
    SCOPED_TRACE(name);
    EXPECT_THROW(parse(document), FormatError);
  }
  EXPECT_THROW(parse_statement("application/json", as_bytes(good.dump())), FormatError);
  EXPECT_THROW(parse_statement(kInTotoPayloadType, as_bytes("{")), FormatError);
}

// Resources are read as the statement is parsed (before the serialization that sizes their
// digests, since JSON objects are written with sorted keys here), yet the problem reported is
// the first in list order, whatever its kind.
TEST(Statement, ReportsTheFirstBadResourceInListOrder) {
  const std::vector<Resource> resources = {{"a", "sha256", filled(1)}, {"b", "sha256", filled(2)}};
  const auto message_of = [](const json& document) {
    try {
      parse(document);
    } catch (const FormatError& error) {
      return std::string(error.what());
    }
    return std::string("accepted");
  };
  json size_then_type = statement_json(resources);
  size_then_type["predicate"]["resources"][0]["digest"] = std::string(62, 'a');
  size_then_type["predicate"]["resources"][1]["name"] = 2;
  EXPECT_NE(message_of(size_then_type).find("predicate.resources[0].digest: expected 32 bytes"),
            std::string::npos)
      << message_of(size_then_type);
  json type_then_size = statement_json(resources);
  type_then_size["predicate"]["resources"][0]["name"] = 2;
  type_then_size["predicate"]["resources"][1]["digest"] = std::string(62, 'a');
  EXPECT_NE(message_of(type_then_size).find("predicate.resources[0].name"), std::string::npos)
      << message_of(type_then_size);
  // Statement-level problems come before any resource's, as before the resources were streamed.
  type_then_size["predicate"]["serialization"]["hash_type"] = "md5";
  EXPECT_NE(message_of(type_then_size).find("hash_type"), std::string::npos)
      << message_of(type_then_size);
  json blake = statement_json(resources);
  blake["predicate"]["serialization"]["hash_type"] = "blake2b";
  EXPECT_NE(message_of(blake).find("predicate.resources[0].digest: expected 64 bytes"),
            std::string::npos)
      << message_of(blake);
}

TEST(Statement, DuplicateMembersOversizeNamesAndDeepNesting) {
  const std::vector<Resource> resources = {{"a", "sha256", filled(1)}};
  const std::string good = statement_json(resources).dump();
  EXPECT_NO_THROW(parse_statement(kInTotoPayloadType, as_bytes(good)));
  // Parsers disagree on which duplicate wins: a second "_type" must not be read at all.
  const std::string duplicate = good.substr(0, good.size() - 1) + R"(,"_type":"x"})";
  EXPECT_THROW(parse_statement(kInTotoPayloadType, as_bytes(duplicate)), FormatError);
  const std::vector<Resource> long_name = {{std::string(5000, 'a'), "sha256", filled(1)}};
  EXPECT_THROW(parse(statement_json(long_name)), FormatError);
  json deep = statement_json(resources);
  json nested = json::array();
  for (int i = 0; i < 100; ++i) nested = json::array({nested});
  deep["predicate"]["extra"] = nested;
  EXPECT_THROW(parse(deep), FormatError);
  // Members we do not read are allowed (in-toto annotations, other predicate keys).
  json extra = statement_json(resources);
  extra["subject"][0]["annotations"] = {{"k", "v"}};
  extra["predicate"]["note"] = "hello";
  EXPECT_NO_THROW(parse(extra));
}

TEST(Statement, ModelSigning02Predicate) {
  const json document = {
      {"_type", "https://in-toto.io/Statement/v1"},
      {"subject",
       {{{"name", "f1"},
         {"digest", {{"sha256", filled(1).hex()}}},
         {"annotations", {{"actual_hash_algorithm", "file-sha256"}}}},
        {{"name", "d/f2"}, {"digest", {{"sha256", filled(2).hex()}}}}}},
      {"predicateType", "https://model_signing/Digests/v0.1"},
      {"predicate", {{"unused", "Unused, just passed due to API requirements"}}}};
  const Statement statement = parse(document);
  EXPECT_EQ(statement.model_name, kModelSigning02ModelName);
  ASSERT_EQ(statement.resources.size(), 2u);
  EXPECT_EQ(statement.resources[1].name, "d/f2");
  EXPECT_EQ(statement.resources[1].algorithm, "sha256");
}

TEST(Statement, WriterShapeAndRoundTrip) {
  Serialization serialization;
  serialization.method = SerializationMethod::shards;
  serialization.shard_size = 1000000000;
  serialization.ignore_paths = {"z", "model.sig", ".git", "model.sig"};
  const std::vector<Resource> resources = {{"a:0:5", "sha256-sharded-1000000000", filled(3)}};
  const std::string text = write_statement("name", serialization, resources);
  EXPECT_EQ(text.rfind("{\n  \"_type\": \"https://in-toto.io/Statement/v1\",\n  \"subject\": [", 0),
            0u);
  EXPECT_LT(text.find("\"subject\""), text.find("\"predicateType\""));
  EXPECT_LT(text.find("\"predicateType\""), text.find("\"predicate\":"));
  EXPECT_NE(text.find("\"shard_size\": 1000000000,"), std::string::npos);
  const Statement back = parse_statement(kInTotoPayloadType, as_bytes(text));
  EXPECT_EQ(back.serialization.ignore_paths, (std::vector<std::string>{".git", "model.sig", "z"}));
  EXPECT_EQ(back.serialization.shard_size, 1000000000u);
  EXPECT_EQ(back.resources[0].name, "a:0:5");
  EXPECT_EQ(back.model_name, "name");
  // Files: no shard_size, no empty ignore_paths.
  const std::string files = write_statement("n", Serialization{}, {});
  EXPECT_EQ(files.find("shard_size"), std::string::npos);
  EXPECT_EQ(files.find("ignore_paths"), std::string::npos);
  EXPECT_NE(files.find("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            std::string::npos);
}

// Every statement model_signing's own unit tests produce (files and shards, sha256, float
// shard_size, symlinks allowed, empty models) reads back with a consistent root digest.
TEST(Statement, ModelSigningGoldenPayloads) {
  std::size_t count = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(testing::data_dir() / "python-payloads")) {
    SCOPED_TRACE(entry.path().filename().string());
    const std::string text = testing::read_file(entry.path());
    const Statement statement = parse_statement(kInTotoPayloadType, as_bytes(text));
    const bool sharded = entry.path().filename().string().find("shard") != std::string::npos;
    EXPECT_EQ(statement.serialization.method,
              sharded ? SerializationMethod::shards : SerializationMethod::files);
    for (const Resource& resource : statement.resources) {
      EXPECT_EQ(resource.algorithm.rfind("sha256", 0), 0u);
    }
    ++count;
  }
  EXPECT_EQ(count, 21u);
}

// --- the whole verify path -------------------------------------------------------------

class VerifyPath : public ::testing::Test {
 protected:
  void SetUp() override {
    key_ = testing::generate_ec_key("P-256");
    public_key_ = dir_.write("key.pub", testing::public_pem(key_.get()));
  }
  VerifiedManifest verify(const std::string& statement) const {
    const std::string bundle =
        trust::sign_statement(statement, trust::KeySigner(testing::private_pem(key_.get())));
    return SignatureVerifier(KeyTrust{public_key_}).verify(bundle);
  }
  // A bundle whose envelope carries the given signatures (each valid on its own).
  std::string bundle_with_signatures(const std::string& statement, std::size_t count) const {
    const Bytes signature = trust::ecdsa_sign(key_.get(), trust::CurveHash::sha256,
                                              dsse_pae(kInTotoPayloadType, as_bytes(statement)));
    json signatures = json::array();
    for (std::size_t i = 0; i < count; ++i)
      signatures.push_back({{"sig", base64_encode(signature)}});
    const json bundle = {
        {"mediaType", "application/vnd.dev.sigstore.bundle.v0.3+json"},
        {"verificationMaterial", {{"publicKey", {{"hint", trust::public_key_hint(key_.get())}}}}},
        {"dsseEnvelope",
         {{"payload", base64_encode(as_bytes(statement))},
          {"payloadType", kInTotoPayloadType},
          {"signatures", signatures}}}};
    return bundle.dump();
  }

  testing::TempDir dir_;
  EvpPkey key_;
  std::filesystem::path public_key_;
};

TEST_F(VerifyPath, GoodStatementVerifies) {
  const auto manifest = verify(statement_json({{"a", "sha256", filled(1)}}).dump());
  EXPECT_EQ(manifest.files().at(0).path, "a");
}

TEST_F(VerifyPath, HostileResourceNamesAreRejected) {
  for (const char* name :
       {"../etc/passwd", "/etc/passwd", "", "a/../../b", "a//b", "a\\b", "./a"}) {
    SCOPED_TRACE(name);
    EXPECT_THROW(verify(statement_json({{name, "sha256", filled(1)}}).dump()), FormatError);
  }
  EXPECT_THROW(
      verify(statement_json({{"a", "sha256", filled(1)}, {"a", "sha256", filled(2)}}).dump()),
      FormatError);
  EXPECT_THROW(verify(statement_json({{"a", "blake3", filled(1)}}).dump()), FormatError);
}

TEST_F(VerifyPath, SeveralSignaturesAreRejected) {
  const std::string statement = statement_json({{"a", "sha256", filled(1)}}).dump();
  EXPECT_NO_THROW(
      SignatureVerifier(KeyTrust{public_key_}).verify(bundle_with_signatures(statement, 1)));
  EXPECT_THROW(
      SignatureVerifier(KeyTrust{public_key_}).verify(bundle_with_signatures(statement, 2)),
      VerificationError);
}

TEST_F(VerifyPath, StatementErrorsSurfaceAfterTheSignature) {
  EXPECT_THROW(verify("not json"), FormatError);
  json wrong = statement_json({{"a", "sha256", filled(1)}});
  wrong["subject"][0]["digest"]["sha256"] = std::string(64, '0');
  EXPECT_THROW(verify(wrong.dump()), FormatError);
}

TEST_F(VerifyPath, OmsInvalidPayloadVector) {
  const std::string text =
      testing::data_file("oms-spec/invalid-payload/wrong-predicate.bundle.json");
  // Its signature does not verify with the spec key, and its statement is invalid anyway.
  EXPECT_THROW(
      SignatureVerifier(KeyTrust{testing::data_dir() / "keys/signing-key-pub.pem"}).verify(text),
      std::runtime_error);
  const auto envelope =
      std::get<DsseEnvelope>(parse_bundle(text, BundleRules::model_signing).content);
  EXPECT_THROW(parse_statement(envelope.payload_type, envelope.payload), FormatError);
}

}  // namespace
}  // namespace sigmount::verifier
