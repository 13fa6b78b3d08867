#include "verifier/trust/signing.h"

#include <filesystem>

#include "verifier/errors.h"
#include "verifier/format/bounded_file.h"
#include "verifier/format/bundle_writer.h"
#include "verifier/format/dsse.h"
#include "verifier/trust/ec_key.h"
#include "verifier/trust/pem_certificates.h"

namespace sigmount::verifier::trust {

KeySigner::KeySigner(std::string_view private_key_pem, const std::optional<std::string>& password,
                     std::string_view key_name)
    : key_(load_ec_private_key(private_key_pem, password, key_name)) {}

KeySigner KeySigner::from_file(const std::filesystem::path& private_key,
                               const std::optional<std::string>& password) {
  return KeySigner(read_bounded_file(private_key, kMaxPemFileBytes, "private key"), password,
                   "private key " + private_key.string());
}

std::string KeySigner::hint() const {
  return public_key_hint(key_.get());
}

CertificateSigner::CertificateSigner(std::string_view private_key_pem,
                                     const std::optional<std::string>& password,
                                     std::string_view signing_certificate_pem,
                                     const std::vector<std::string>& chain_pems,
                                     std::string_view key_name)
    : key_(load_ec_private_key(private_key_pem, password, key_name)) {
  auto leaf = load_pem_certificates(signing_certificate_pem, "signing certificate");
  if (leaf.size() != 1) {
    throw FormatError("signing certificate: expected exactly one PEM certificate, found " +
                      std::to_string(leaf.size()));
  }
  EvpPkey leaf_key(X509_get_pubkey(leaf[0].get()));
  if (!leaf_key || !same_public_key(leaf_key.get(), key_.get())) {
    throw FormatError(
        "signing certificate: its public key is not the one paired with the private key");
  }
  der_chain_.push_back(certificate_der(leaf[0].get()));
  for (const std::string& pem : chain_pems) {
    for (const X509Cert& certificate : load_pem_certificates(pem, "certificate chain")) {
      der_chain_.push_back(certificate_der(certificate.get()));
    }
  }
}

CertificateSigner CertificateSigner::from_files(const std::filesystem::path& private_key,
                                                const std::optional<std::string>& password,
                                                const std::filesystem::path& signing_certificate,
                                                const std::vector<std::filesystem::path>& chain) {
  std::vector<std::string> chain_pems;
  chain_pems.reserve(chain.size());
  for (const auto& path : chain)
    chain_pems.push_back(read_bounded_file(path, kMaxPemFileBytes, "certificate"));
  return {read_bounded_file(private_key, kMaxPemFileBytes, "private key"), password,
          read_bounded_file(signing_certificate, kMaxPemFileBytes, "signing certificate"),
          chain_pems, "private key " + private_key.string()};
}

namespace {

Bytes sign_payload(const EVP_PKEY* key, std::string_view statement_json) {
  return ecdsa_sign(key, curve_hash(key), dsse_pae(kInTotoPayloadType, as_bytes(statement_json)));
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
