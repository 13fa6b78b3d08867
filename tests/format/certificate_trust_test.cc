// Certificate signing and verification end to end: SignatureVerifier + CertificateTrust,
// released model_signing bundles and chains made here with OpenSSL.
#include <gtest/gtest.h>

#include "tests/format/test_support.h"
#include "verifier/errors.h"
#include "verifier/format/statement.h"
#include "verifier/signature_verifier.h"
#include "verifier/trust/signing.h"

namespace sigmount::verifier {
namespace {

using testing::CertificateOptions;
using testing::data_dir;
using testing::TempDir;

VerifiedManifest verify_with_cas(const std::string& bundle,
                                 std::vector<std::filesystem::path> cas) {
  return SignatureVerifier(CertificateTrust{std::move(cas)}).verify(bundle);
}

TEST(CertificateTrust, EveryModelSigningRelease) {
  for (const char* name : {"v0.2.0-certificate", "v0.3.1-certificate", "v1.0.0-certificate",
                           "v1.0.1-certificate", "v1.1.0-certificate"}) {
    SCOPED_TRACE(name);
    const auto manifest = verify_with_cas(testing::data_file(std::string(name) + "/model.sig"),
                                          {data_dir() / "keys/ca-cert.pem"});
    ASSERT_EQ(manifest.files().size(), 2u);
    EXPECT_EQ(manifest.files()[0].path, "signme-1");
    EXPECT_EQ(manifest.files()[1].path, "signme-2");
    EXPECT_EQ(manifest.files()[1].shards.at(0).digest.hex(),
              "32dcb1f8e1ae52d5963e56a6ba06ab58b424c15ed2a6b70d2feca1d089370028");
    EXPECT_EQ(manifest.signer().description, "certificate CN=intermediate-ca");
  }
  // 0.2 recorded no model name and no root digest.
  EXPECT_EQ(verify_with_cas(testing::data_file("v0.2.0-certificate/model.sig"),
                            {data_dir() / "keys/ca-cert.pem"})
                .model_name(),
            kModelSigning02ModelName);
}

TEST(CertificateTrust, OmsSpecCertificateVector) {
  const auto manifest =
      verify_with_cas(testing::data_file("oms-spec/valid/certificate.bundle.json"),
                      {data_dir() / "keys/ca-cert.pem"});
  EXPECT_EQ(manifest.files().size(), 2u);
}

TEST(CertificateTrust, IntermediateAsAnchorWorksAlone) {
  EXPECT_NO_THROW(verify_with_cas(testing::data_file("v1.1.0-certificate/model.sig"),
                                  {data_dir() / "keys/int-ca-cert.pem"}));
}

TEST(CertificateTrust, UnrelatedCaIsRejected) {
  TempDir dir;
  const EvpPkey ca_key = testing::generate_ec_key("P-256");
  const X509Cert ca =
      testing::make_certificate(ca_key.get(), nullptr, nullptr,
                                {.common_name = "other", .ca = true, .key_usage_cert_sign = true});
  const auto ca_file = dir.write("ca.pem", testing::certificate_pem(ca.get()));
  EXPECT_THROW(verify_with_cas(testing::data_file("v1.1.0-certificate/model.sig"), {ca_file}),
               VerificationError);
}

TEST(CertificateTrust, KeyBundleUnderCertificatePolicyFailsClearly) {
  try {
    verify_with_cas(testing::data_file("v1.1.0-elliptic-key/model.sig"),
                    {data_dir() / "keys/ca-cert.pem"});
    FAIL();
  } catch (const VerificationError& e) {
    EXPECT_NE(std::string(e.what()).find("public key"), std::string::npos) << e.what();
  }
}

TEST(CertificateTrust, EmptyCaFileIsAnError) {
  TempDir dir;
  EXPECT_THROW(verify_with_cas(testing::data_file("v1.1.0-certificate/model.sig"),
                               {dir.write("empty.pem", "")}),
               FormatError);
  EXPECT_THROW(verify_with_cas(testing::data_file("v1.1.0-certificate/model.sig"), {}),
               FormatError);
}

// A root (RSA or EC) -> intermediate -> leaf chain made for one test.
struct Pki {
  EvpPkey root_key, intermediate_key, leaf_key;
  X509Cert root, intermediate, leaf;
  TempDir dir;

  explicit Pki(CertificateOptions leaf_options = {}, bool rsa_cas = true,
               const char* leaf_curve = "P-256")
      : root_key(rsa_cas ? testing::generate_rsa_key() : testing::generate_ec_key("P-384")),
        intermediate_key(rsa_cas ? testing::generate_rsa_key() : testing::generate_ec_key("P-256")),
        leaf_key(testing::generate_ec_key(leaf_curve)) {
    root = testing::make_certificate(root_key.get(), nullptr, nullptr,
                                     {.common_name = "root",
                                      .ca = true,
                                      .key_usage_digital_signature = false,
                                      .key_usage_cert_sign = true,
                                      .not_before_offset = -7200});
    intermediate = testing::make_certificate(intermediate_key.get(), root_key.get(), root.get(),
                                             {.common_name = "intermediate",
                                              .ca = true,
                                              .key_usage_digital_signature = false,
                                              .key_usage_cert_sign = true,
                                              .not_before_offset = -7200});
    leaf_options.common_name = "leaf";
    leaf = testing::make_certificate(leaf_key.get(), intermediate_key.get(), intermediate.get(),
                                     leaf_options);
  }
  std::filesystem::path root_file() {
    return dir.write("root.pem", testing::certificate_pem(root.get()));
  }
  std::string sign(const std::string& statement, bool include_intermediate = true) {
    std::vector<std::string> chain;
    if (include_intermediate) chain.push_back(testing::certificate_pem(intermediate.get()));
    return trust::sign_statement(
        statement, trust::CertificateSigner(testing::private_pem(leaf_key.get()), std::nullopt,
                                            testing::certificate_pem(leaf.get()), chain));
  }
};

std::string sample_statement() {
  const std::vector<Resource> resources = {{"w.bin", "sha256", hashing::Digest(Bytes(32, 7))}};
  return write_statement("model", Serialization{}, resources);
}

TEST(CertificateRoundTrip, RsaCasEcLeafOnEveryCurve) {
  for (const char* curve : {"P-256", "P-384", "P-521"}) {
    SCOPED_TRACE(curve);
    Pki pki({}, true, curve);
    const std::string bundle = pki.sign(sample_statement());
    const auto manifest = verify_with_cas(bundle, {pki.root_file()});
    EXPECT_EQ(manifest.files().at(0).path, "w.bin");
    EXPECT_EQ(manifest.signer().description, "certificate CN=leaf");
    EXPECT_EQ(bundle.find("\"x509CertificateChain\":{\"certificates\":[{\"rawBytes\":\""),
              bundle.find("\"verificationMaterial\":{") + 24);
  }
}

TEST(CertificateRoundTrip, EcCas) {
  Pki pki({}, false);
  EXPECT_NO_THROW(verify_with_cas(pki.sign(sample_statement()), {pki.root_file()}));
}

TEST(CertificateRoundTrip, MissingIntermediateIsRejected) {
  Pki pki;
  EXPECT_THROW(verify_with_cas(pki.sign(sample_statement(), false), {pki.root_file()}),
               VerificationError);
}

TEST(CertificateRoundTrip, LeafWithoutSigningUsageIsRejected) {
  Pki pki({.key_usage_digital_signature = false});
  try {
    verify_with_cas(pki.sign(sample_statement()), {pki.root_file()});
    FAIL();
  } catch (const VerificationError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot be used for signing"), std::string::npos);
  }
}

TEST(CertificateRoundTrip, CodeSigningEkuAloneIsEnough) {
  Pki pki({.key_usage_digital_signature = false, .eku_code_signing = true});
  EXPECT_NO_THROW(verify_with_cas(pki.sign(sample_statement()), {pki.root_file()}));
}

TEST(CertificateRoundTrip, ValidatedAtTheLeafsNotBefore) {
  // Expired now, but valid when issued: accepted, as model_signing accepts it.
  Pki expired({.not_before_offset = -3600, .not_after_offset = -60});
  EXPECT_NO_THROW(verify_with_cas(expired.sign(sample_statement()), {expired.root_file()}));
  // Issued before its CAs were valid: rejected.
  Pki early({.not_before_offset = -3L * 3600});
  EXPECT_THROW(verify_with_cas(early.sign(sample_statement()), {early.root_file()}),
               VerificationError);
}

TEST(CertificateRoundTrip, SignatureByAnotherKeyIsRejected) {
  Pki pki;
  Pki other;
  // `other` signs, but the bundle carries `pki`'s leaf and intermediate.
  const std::string forged = other.sign(sample_statement());
  const std::string genuine = pki.sign(sample_statement());
  const auto sig_at = [](const std::string& b) { return b.find(R"("sig":")") + 7; };
  std::string bundle = genuine;
  const auto start = sig_at(bundle);
  bundle.replace(start, bundle.find('"', start) - start,
                 forged.substr(sig_at(forged), forged.find('"', sig_at(forged)) - sig_at(forged)));
  EXPECT_THROW(verify_with_cas(bundle, {pki.root_file()}), VerificationError);
  EXPECT_NO_THROW(verify_with_cas(genuine, {pki.root_file()}));
}

TEST(CertificateSigner, LeafMustMatchThePrivateKey) {
  Pki pki;
  const EvpPkey other = testing::generate_ec_key("P-256");
  EXPECT_THROW(trust::CertificateSigner(testing::private_pem(other.get()), std::nullopt,
                                        testing::certificate_pem(pki.leaf.get()), {}),
               FormatError);
}

TEST(CertificateTrust, RsaLeafIsRejected) {
  Pki pki;
  const EvpPkey rsa = testing::generate_rsa_key();
  // An RSA leaf cannot even sign (model_signing keys are EC only).
  EXPECT_THROW(trust::CertificateSigner(testing::private_pem(rsa.get()), std::nullopt,
                                        testing::certificate_pem(pki.leaf.get()), {}),
               FormatError);
}

}  // namespace
}  // namespace sigmount::verifier
