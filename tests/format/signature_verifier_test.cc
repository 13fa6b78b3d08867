// SignatureVerifier's dispatch: each policy takes only its own kind of bundle, and the
// Sigstore path reaches the keyless verifier and then the same statement reading.
#include "verifier/signature_verifier.h"

#include <gtest/gtest.h>

#include "tests/format/test_support.h"
#include "verifier/errors.h"

namespace sigmount::verifier {
namespace {

using testing::data_dir;
using testing::data_file;

// The identity that signed the model_signing Sigstore fixtures.
SigstoreTrust fixture_identity() {
  return {"stefanb@us.ibm.com", "https://sigstore.verify.ibm.com/oauth2", std::nullopt};
}

TEST(SignatureVerifier, SigstoreBundlesOfModelSigning) {
  for (const char* name :
       {"sigstore/v1.1.0-sigstore.model.sig", "sigstore/v1.0.0-sigstore.model.sig"}) {
    SCOPED_TRACE(name);
    const auto manifest = SignatureVerifier(fixture_identity()).verify(data_file(name));
    ASSERT_EQ(manifest.files().size(), 2u);
    EXPECT_EQ(manifest.files()[1].path, "signme-2");
    EXPECT_NE(manifest.signer().description.find("stefanb@us.ibm.com"), std::string::npos);
  }
}

TEST(SignatureVerifier, SigstoreWrongIdentityIsRejected) {
  SigstoreTrust other = fixture_identity();
  other.identity = "someone@example.com";
  EXPECT_THROW(SignatureVerifier(other).verify(data_file("sigstore/v1.1.0-sigstore.model.sig")),
               VerificationError);
}

TEST(SignatureVerifier, SigstorePolicyRefusesKeyAndCertificateBundles) {
  EXPECT_ANY_THROW(
      SignatureVerifier(fixture_identity()).verify(data_file("v1.1.0-elliptic-key/model.sig")));
  // model_signing's certificate bundles (v0.3 + x509CertificateChain) are not Sigstore bundles.
  EXPECT_THROW(
      SignatureVerifier(fixture_identity()).verify(data_file("v1.1.0-certificate/model.sig")),
      FormatError);
}

TEST(SignatureVerifier, KeyAndCertificatePoliciesRefuseSigstoreBundles) {
  EXPECT_THROW(SignatureVerifier(KeyTrust{data_dir() / "keys/signing-key-pub.pem"})
                   .verify(data_file("sigstore/v1.1.0-sigstore.model.sig")),
               VerificationError);
  EXPECT_THROW(SignatureVerifier(CertificateTrust{{data_dir() / "keys/ca-cert.pem"}})
                   .verify(data_file("sigstore/v1.1.0-sigstore.model.sig")),
               VerificationError);
}

TEST(SignatureVerifier, MessageSignatureBundleIsNotAModelSignature) {
  testing::TempDir dir;
  const EvpPkey key = testing::generate_ec_key("P-256");
  const auto public_key = dir.write("key.pub", testing::public_pem(key.get()));
  const std::string bundle = R"({"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json",)"
                             R"("verificationMaterial":{"publicKey":{},"tlogEntries":[]},)"
                             R"("messageSignature":{"signature":"MEUCIQ=="}})";
  try {
    SignatureVerifier(KeyTrust{public_key}).verify(bundle);
    FAIL();
  } catch (const VerificationError& e) {
    EXPECT_NE(std::string(e.what()).find("DSSE"), std::string::npos) << e.what();
  }
}

// The OMS spec's invalid vectors fail under every policy (the valid ones are checked in the
// key and certificate tests).
TEST(SignatureVerifier, OmsInvalidVectorsFailUnderEveryPolicy) {
  const std::vector<TrustPolicy> policies = {KeyTrust{data_dir() / "keys/signing-key-pub.pem"},
                                             CertificateTrust{{data_dir() / "keys/ca-cert.pem"}},
                                             fixture_identity()};
  for (const char* name :
       {"invalid/empty", "invalid/missing-envelope", "invalid/missing-tlog-entries",
        "invalid/missing-verification-material", "invalid-payload/wrong-predicate"}) {
    for (const TrustPolicy& policy : policies) {
      SCOPED_TRACE(std::string(name) + " policy " + std::to_string(policy.index()));
      const std::string text = data_file(std::string("oms-spec/") + name + ".bundle.json");
      EXPECT_THROW(SignatureVerifier(policy).verify(text), std::runtime_error);
    }
  }
}

TEST(SignatureVerifier, MissingPolicyFilesAreIoErrors) {
  EXPECT_THROW(SignatureVerifier(KeyTrust{"/nonexistent/key.pem"})
                   .verify(data_file("v1.1.0-elliptic-key/model.sig")),
               std::system_error);
}

}  // namespace
}  // namespace sigmount::verifier
