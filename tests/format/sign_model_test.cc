// Signing whole models and checking them against the verified manifest, plus the released
// model_signing models verified down to their bytes.
#include "verifier/trust/sign_model.h"

#include <gtest/gtest.h>

#include "tests/format/test_support.h"
#include "verifier/errors.h"
#include "verifier/format/statement.h"
#include "verifier/model/model_check.h"
#include "verifier/signature_verifier.h"

namespace sigmount::verifier {
namespace {

using testing::data_dir;
using testing::TempDir;

TEST(SignModel, KeySignedModelVerifiesAndDetectsTampering) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() / "model/sub");
  dir.write("model/weights.bin", std::string(100000, 'w'));
  dir.write("model/sub/config.json", "{}");
  dir.write("model/.gitignore", "x");
  const EvpPkey key = testing::generate_ec_key("P-256");
  const auto public_key = dir.write("key.pub", testing::public_pem(key.get()));
  ModelOptions options;
  options.signature_path = dir.path() / "model/model.sig";

  for (const auto method : {SerializationMethod::files, SerializationMethod::shards}) {
    SCOPED_TRACE(static_cast<int>(method));
    Serialization serialization;
    serialization.method = method;
    serialization.shard_size = 4096;
    const std::string bundle = trust::sign_model(dir.path() / "model", options, serialization,
                                                 trust::KeySigner(testing::private_pem(key.get())));
    dir.write("model/model.sig", bundle);
    const VerifiedManifest manifest = SignatureVerifier(KeyTrust{public_key}).verify(bundle);
    EXPECT_EQ(manifest.model_name(), "model");
    ASSERT_EQ(manifest.files().size(), 2u);
    EXPECT_EQ(manifest.files()[0].path, "sub/config.json");
    EXPECT_EQ(
        manifest.serialization().ignore_paths,
        (std::vector<std::string>{".git", ".gitattributes", ".github", ".gitignore", "model.sig"}));
    EXPECT_NO_THROW(check_model(manifest, dir.path() / "model", options));

    dir.write("model/weights.bin", std::string(99999, 'w') + "x");
    EXPECT_THROW(check_model(manifest, dir.path() / "model", options), VerificationError);
    dir.write("model/weights.bin", std::string(100000, 'w'));
  }
}

// A manifest of nothing would verify any directory: an empty model, or one whose root is
// among the ignored paths, is not signed.
TEST(SignModel, NothingLeftToHashIsNotSigned) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() / "empty");
  dir.write("model/weights.bin", "w");
  const trust::KeySigner signer(testing::private_pem(testing::generate_ec_key("P-256").get()));
  ModelOptions root_ignored;
  root_ignored.ignore_paths = {dir.path() / "model/"};
  for (const auto& [root, options] : {std::pair{dir.path() / "empty", ModelOptions{}},
                                      std::pair{dir.path() / "model", root_ignored}}) {
    for (const auto method : {SerializationMethod::files, SerializationMethod::shards}) {
      Serialization serialization;
      serialization.method = method;
      serialization.shard_size = 4096;
      try {
        trust::sign_model(root, options, serialization, signer);
        ADD_FAILURE() << "signed nothing for " << root;
      } catch (const VerificationError& e) {
        EXPECT_NE(std::string(e.what()).find("nothing to sign"), std::string::npos) << e.what();
      }
    }
  }
}

TEST(SignModel, ReleasedModelsVerifyDownToTheirBytes) {
  struct Case {
    const char* folder;
    bool certificate;
  };
  for (const Case& c : {Case{"v1.1.0-elliptic-key", false}, Case{"v1.0.1-elliptic-key", false},
                        Case{"v1.1.0-certificate", true}, Case{"v1.0.0-certificate", true},
                        Case{"v0.2.0-certificate", true}}) {
    SCOPED_TRACE(c.folder);
    const auto root = data_dir() / c.folder;
    TrustPolicy policy = KeyTrust{data_dir() / "keys/signing-key-pub.pem"};
    if (c.certificate) policy = CertificateTrust{{data_dir() / "keys/ca-cert.pem"}};
    const auto manifest = SignatureVerifier(policy).verify(testing::read_file(root / "model.sig"));
    ModelOptions options;
    options.signature_path = root / "model.sig";
    if (std::filesystem::exists(root / "ignore-me"))
      options.ignore_paths.push_back(root / "ignore-me");
    EXPECT_NO_THROW(check_model(manifest, root, options));
  }
}

TEST(SignModel, SingleFileModel) {
  TempDir dir;
  dir.write("model.bin", "abc");
  const EvpPkey key = testing::generate_ec_key("P-384");
  const std::string bundle = trust::sign_model(dir.path() / "model.bin", {}, Serialization{},
                                               trust::KeySigner(testing::private_pem(key.get())));
  const auto manifest =
      SignatureVerifier(KeyTrust{dir.write("k.pub", testing::public_pem(key.get()))})
          .verify(bundle);
  ASSERT_EQ(manifest.files().size(), 1u);
  EXPECT_EQ(manifest.files()[0].path, ".");
  EXPECT_EQ(manifest.model_name(), "model.bin");
}

}  // namespace
}  // namespace sigmount::verifier
