#include "verifier/trust/signing.h"

#include <filesystem>

#include "verifier/errors.h"
#include "verifier/format/bounded_file.h"
#include "verifier/format/bundle_writer.h"
#include "verifier/format/dsse.h"
#include "verifier/trust/ec_key.h"
#include "verifier/trust/pem_certificates.h"

namespace sigmount::verifier::trust {
namespace {

// A private key held in this process (`sign key`, `sign certificate`).
class SoftwareKey final : public SigningKey {
 public:
  explicit SoftwareKey(EvpPkey key) : key_(std::move(key)) {}
  const EVP_PKEY* public_key() const override { return key_.get(); }
  Bytes sign(ByteView message) const override {
    return ecdsa_sign(key_.get(), curve_hash(key_.get()), message);
  }

 private:
  EvpPkey key_;
};

std::unique_ptr<const SigningKey> software_key(std::string_view private_key_pem,
                                               const std::optional<std::string>& password,
                                               std::string_view key_name) {
  return std::make_unique<SoftwareKey>(load_ec_private_key(private_key_pem, password, key_name));
}

std::vector<Bytes> checked_chain(const SigningKey& key, std::string_view signing_certificate_pem,
                                 const std::vector<std::string>& chain_pems) {
  auto leaf = load_pem_certificates(signing_certificate_pem, "signing certificate");
  if (leaf.size() != 1) {
    throw FormatError("signing certificate: expected exactly one PEM certificate, found " +
                      std::to_string(leaf.size()));
  }
  EvpPkey leaf_key(X509_get_pubkey(leaf[0].get()));
  if (!leaf_key || !same_public_key(leaf_key.get(), key.public_key())) {
    throw FormatError(
        "signing certificate: its public key is not the one paired with the private key");
  }
  std::vector<Bytes> der_chain{certificate_der(leaf[0].get())};
  for (const std::string& pem : chain_pems) {
    for (const X509Cert& certificate : load_pem_certificates(pem, "certificate chain")) {
      der_chain.push_back(certificate_der(certificate.get()));
    }
  }
  return der_chain;
}

std::vector<std::string> read_chain(const std::vector<std::filesystem::path>& chain) {
  std::vector<std::string> chain_pems;
  chain_pems.reserve(chain.size());
  for (const auto& path : chain)
    chain_pems.push_back(read_bounded_file(path, kMaxPemFileBytes, "certificate"));
  return chain_pems;
}

}  // namespace

KeySigner::KeySigner(std::string_view private_key_pem, const std::optional<std::string>& password,
                     std::string_view key_name)
    : key_(software_key(private_key_pem, password, key_name)) {}

KeySigner::KeySigner(std::unique_ptr<const SigningKey> key) : key_(std::move(key)) {}

KeySigner KeySigner::from_file(const std::filesystem::path& private_key,
                               const std::optional<std::string>& password) {
  return KeySigner(read_bounded_file(private_key, kMaxPemFileBytes, "private key"), password,
                   "private key " + private_key.string());
}

std::string KeySigner::hint() const {
  return public_key_hint(key_->public_key());
}

CertificateSigner::CertificateSigner(std::string_view private_key_pem,
                                     const std::optional<std::string>& password,
                                     std::string_view signing_certificate_pem,
                                     const std::vector<std::string>& chain_pems,
                                     std::string_view key_name)
    : CertificateSigner(software_key(private_key_pem, password, key_name), signing_certificate_pem,
                        chain_pems) {}

CertificateSigner::CertificateSigner(std::unique_ptr<const SigningKey> key,
                                     std::string_view signing_certificate_pem,
                                     const std::vector<std::string>& chain_pems)
    : key_(std::move(key)), der_chain_(checked_chain(*key_, signing_certificate_pem, chain_pems)) {}

CertificateSigner CertificateSigner::from_files(const std::filesystem::path& private_key,
                                                const std::optional<std::string>& password,
                                                const std::filesystem::path& signing_certificate,
                                                const std::vector<std::filesystem::path>& chain) {
  return {read_bounded_file(private_key, kMaxPemFileBytes, "private key"), password,
          read_bounded_file(signing_certificate, kMaxPemFileBytes, "signing certificate"),
          read_chain(chain), "private key " + private_key.string()};
}

CertificateSigner CertificateSigner::from_files(std::unique_ptr<const SigningKey> key,
                                                const std::filesystem::path& signing_certificate,
                                                const std::vector<std::filesystem::path>& chain) {
  return {std::move(key),
          read_bounded_file(signing_certificate, kMaxPemFileBytes, "signing certificate"),
          read_chain(chain)};
}

namespace {

Bytes sign_payload(const SigningKey& key, std::string_view statement_json) {
  return key.sign(dsse_pae(kInTotoPayloadType, as_bytes(statement_json)));
}

}  // namespace

std::string sign_statement(std::string_view statement_json, const KeySigner& signer) {
  const Bytes signature = sign_payload(signer.key(), statement_json);
  return write_key_bundle(signer.hint(), kInTotoPayloadType, as_bytes(statement_json), signature);
}

std::string sign_statement(std::string_view statement_json, const CertificateSigner& signer) {
  const Bytes signature = sign_payload(signer.key(), statement_json);
  return write_certificate_bundle(signer.der_chain(), kInTotoPayloadType, as_bytes(statement_json),
                                  signature);
}

}  // namespace sigmount::verifier::trust
