// Key signing and verification end to end: SignatureVerifier + KeyTrust, fixtures from
// released model_signing versions and round trips with keys made here.
#include <gtest/gtest.h>

#include "tests/format/test_support.h"
#include "verifier/errors.h"
#include "verifier/format/base64.h"
#include "verifier/format/bundle.h"
#include "verifier/format/statement.h"
#include "verifier/signature_verifier.h"
#include "verifier/trust/ec_key.h"
#include "verifier/trust/signing.h"

namespace sigmount::verifier {
namespace {

using testing::data_dir;
using testing::TempDir;

VerifiedManifest verify_with_key(const std::string& bundle, const std::filesystem::path& key) {
  return SignatureVerifier(KeyTrust{key}).verify(bundle);
}

std::vector<std::pair<std::string, std::string>> listed(const VerifiedManifest& manifest) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const SignedFile& file : manifest.files()) {
    for (const Shard& shard : file.shards) out.emplace_back(file.path, shard.digest.hex());
  }
  return out;
}

constexpr const char* kSignme1 = "bc9a717db6064a32cbe9eae6fc40651dd6d36ef1757183f590eff2b1765d7ebc";
constexpr const char* kSignme2 = "32dcb1f8e1ae52d5963e56a6ba06ab58b424c15ed2a6b70d2feca1d089370028";

TEST(KeyTrust, ModelSigning110Bundle) {
  const auto manifest = verify_with_key(testing::data_file("v1.1.0-elliptic-key/model.sig"),
                                        data_dir() / "keys/signing-key-pub.pem");
  EXPECT_EQ(manifest.model_name(), "v1.1.0-elliptic-key");
  EXPECT_EQ(listed(manifest), (std::vector<std::pair<std::string, std::string>>{
                                  {"signme-1", kSignme1}, {"signme-2", kSignme2}}));
  EXPECT_EQ(manifest.serialization().method, SerializationMethod::files);
  EXPECT_EQ(manifest.serialization().ignore_paths.size(), 6u);
  EXPECT_EQ(manifest.signer().description,
            "key sha256:e8450dec4eb99dae995da9af1bc2cc9f76ed669ee2e744f57abba763df3e3f8e");
}

TEST(KeyTrust, ModelSigning100SingleFileBundleWithRawBytesAndNullKeyid) {
  const auto manifest = verify_with_key(testing::data_file("v1.0.0-elliptic-key/model.sig"),
                                        data_dir() / "keys/signing-key-pub.pem");
  EXPECT_EQ(listed(manifest), (std::vector<std::pair<std::string, std::string>>{{".", kSignme1}}));
}

TEST(KeyTrust, OlderReleasedShapes) {
  for (const char* version : {"v0.3.1-elliptic-key", "v1.0.1-elliptic-key"}) {
    SCOPED_TRACE(version);
    const auto manifest = verify_with_key(testing::data_file(std::string(version) + "/model.sig"),
                                          data_dir() / "keys/signing-key-pub.pem");
    EXPECT_FALSE(manifest.files().empty());
  }
}

TEST(KeyTrust, OmsSpecKeyVector) {
  const auto manifest = verify_with_key(testing::data_file("oms-spec/valid/key.bundle.json"),
                                        data_dir() / "keys/signing-key-pub.pem");
  EXPECT_EQ(manifest.model_name(), "model");
  EXPECT_EQ(listed(manifest), (std::vector<std::pair<std::string, std::string>>{
                                  {"signme-1", kSignme1}, {"signme-2", kSignme2}}));
}

TEST(KeyTrust, WrongKeyIsRejectedAsKeyMismatch) {
  TempDir dir;
  const auto other =
      dir.write("other.pem", testing::public_pem(testing::generate_ec_key("P-384").get()));
  try {
    verify_with_key(testing::data_file("v1.1.0-elliptic-key/model.sig"), other);
    FAIL() << "verified with the wrong key";
  } catch (const VerificationError& e) {
    EXPECT_NE(std::string(e.what()).find("key mismatch"), std::string::npos) << e.what();
  }
}

TEST(KeyTrust, EmptyHintCountsAsAbsentAndAnAlteredHintIsAMismatch) {
  std::string bundle = testing::data_file("v1.1.0-elliptic-key/model.sig");
  const std::string hint = "e8450dec4eb99dae995da9af1bc2cc9f76ed669ee2e744f57abba763df3e3f8e";
  const auto at = bundle.find(hint);
  ASSERT_NE(at, std::string::npos);
  std::string altered = bundle;
  altered[at] = 'f';
  try {
    verify_with_key(altered, data_dir() / "keys/signing-key-pub.pem");
    FAIL();
  } catch (const VerificationError& e) {
    EXPECT_NE(std::string(e.what()).find("key mismatch"), std::string::npos);
  }
  bundle.erase(at, hint.size());
  EXPECT_NO_THROW(verify_with_key(bundle, data_dir() / "keys/signing-key-pub.pem"));
}

TEST(KeyTrust, WrongKeyWithoutHintFailsTheSignature) {
  TempDir dir;
  const auto other =
      dir.write("other.pem", testing::public_pem(testing::generate_ec_key("P-384").get()));
  EXPECT_THROW(verify_with_key(testing::data_file("v1.0.0-elliptic-key/model.sig"), other),
               VerificationError);
}

TEST(KeyTrust, CertificateBundleUnderKeyPolicyFailsClearly) {
  try {
    verify_with_key(testing::data_file("v1.1.0-certificate/model.sig"),
                    data_dir() / "keys/signing-key-pub.pem");
    FAIL();
  } catch (const VerificationError& e) {
    EXPECT_NE(std::string(e.what()).find("certificate"), std::string::npos) << e.what();
  }
}

TEST(KeyTrust, NonEcKeyIsRejected) {
  TempDir dir;
  const auto rsa = dir.write("rsa.pem", testing::public_pem(testing::generate_rsa_key().get()));
  EXPECT_THROW(verify_with_key(testing::data_file("v1.1.0-elliptic-key/model.sig"), rsa),
               FormatError);
}

std::vector<Resource> sample_resources() {
  auto digest = [](std::uint8_t fill) { return hashing::Digest(Bytes(32, fill)); };
  return {{"a.bin", "sha256", digest(1)}, {"dir/b.bin", "sha256", digest(2)}};
}

class KeyRoundTrip : public ::testing::TestWithParam<const char*> {};

TEST_P(KeyRoundTrip, SignThenVerify) {
  TempDir dir;
  const EvpPkey key = testing::generate_ec_key(GetParam());
  const auto resources = sample_resources();
  const std::string statement = write_statement("my-model", Serialization{}, resources);
  const std::string bundle =
      trust::sign_statement(statement, trust::KeySigner(testing::private_pem(key.get())));
  const auto public_key = dir.write("key.pub", testing::public_pem(key.get()));
  const auto manifest = verify_with_key(bundle, public_key);
  EXPECT_EQ(manifest.model_name(), "my-model");
  ASSERT_EQ(manifest.files().size(), 2u);
  EXPECT_EQ(manifest.files()[1].path, "dir/b.bin");
  EXPECT_EQ(manifest.root_digest(), root_digest(resources));
  // The exact shape model_signing 1.1 writes.
  EXPECT_EQ(bundle.rfind("{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\","
                         "\"verificationMaterial\":{\"publicKey\":{\"hint\":\"",
                         0),
            0u);
  EXPECT_NE(bundle.find("\"tlogEntries\":[]},\"dsseEnvelope\":{\"payload\":\""), std::string::npos);
  EXPECT_NE(bundle.find("\"keyid\":\"\"}]}}"), std::string::npos);
}

TEST_P(KeyRoundTrip, TamperedPayloadIsRejected) {
  TempDir dir;
  const EvpPkey key = testing::generate_ec_key(GetParam());
  const std::string statement = write_statement("m", Serialization{}, sample_resources());
  std::string bundle =
      trust::sign_statement(statement, trust::KeySigner(testing::private_pem(key.get())));
  const auto public_key = dir.write("key.pub", testing::public_pem(key.get()));
  // Re-sign nothing, just swap the payload for another statement with a consistent root.
  auto other = sample_resources();
  other[0].digest = hashing::Digest(Bytes(32, 9));
  const std::string forged_statement = write_statement("m", Serialization{}, other);
  const Bundle parsed = parse_bundle(bundle, BundleRules::model_signing);
  const auto& envelope = std::get<DsseEnvelope>(parsed.content);
  const std::string old_payload = base64_encode(envelope.payload);
  bundle.replace(bundle.find(old_payload), old_payload.size(),
                 base64_encode(as_bytes(forged_statement)));
  EXPECT_THROW(verify_with_key(bundle, public_key), VerificationError);
}

INSTANTIATE_TEST_SUITE_P(Curves, KeyRoundTrip, ::testing::Values("P-256", "P-384", "P-521"));

TEST(KeySigner, EncryptedKeysNeedTheRightPassword) {
  const EvpPkey key = testing::generate_ec_key("P-256");
  for (const bool sec1 : {false, true}) {
    const std::string pem = testing::private_pem(key.get(), std::string("hunter2"), sec1);
    EXPECT_THROW(trust::KeySigner(pem, std::nullopt), FormatError);
    EXPECT_THROW(trust::KeySigner(pem, std::string("wrong")), FormatError);
    const trust::KeySigner signer(pem, std::string("hunter2"));
    EXPECT_EQ(signer.hint(), trust::public_key_hint(key.get()));
  }
  EXPECT_NO_THROW(trust::KeySigner(testing::private_pem(key.get(), std::nullopt, true)));
}

TEST(KeySigner, EncryptedKeyRoundTrip) {
  TempDir dir;
  const EvpPkey key = testing::generate_ec_key("P-384");
  const auto key_file = dir.write("key.pem", testing::private_pem(key.get(), std::string("pw")));
  const std::string bundle =
      trust::sign_statement(write_statement("m", Serialization{}, sample_resources()),
                            trust::KeySigner::from_file(key_file, std::string("pw")));
  EXPECT_NO_THROW(verify_with_key(bundle, dir.write("key.pub", testing::public_pem(key.get()))));
}

TEST(KeySigner, RejectsNonEcAndUnsupportedCurves) {
  EXPECT_THROW(trust::KeySigner(testing::private_pem(testing::generate_rsa_key().get())),
               FormatError);
  EXPECT_THROW(trust::KeySigner(testing::private_pem(testing::generate_ec_key("secp256k1").get())),
               FormatError);
  EXPECT_THROW(trust::KeySigner("not a key"), FormatError);
}

TEST(KeyHint, MatchesModelSigning) {
  const EvpPkey key =
      trust::load_ec_public_key(testing::data_file("keys/signing-key-pub.pem"), "key");
  EXPECT_EQ(trust::public_key_hint(key.get()),
            "e8450dec4eb99dae995da9af1bc2cc9f76ed669ee2e744f57abba763df3e3f8e");
}

}  // namespace
}  // namespace sigmount::verifier
