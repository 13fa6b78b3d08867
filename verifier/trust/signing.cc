#include "verifier/trust/signing.h"

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "verifier/errors.h"
#include "verifier/format/bundle_writer.h"
#include "verifier/format/dsse.h"
#include "verifier/trust/ec_key.h"
#include "verifier/trust/pem_certificates.h"

namespace sigmount::verifier::trust {

std::string read_text_file(const std::filesystem::path& path) {
  // One read into a string sized from the file (a 10,000-file bundle is 2 MB: a stringstream
  // copy of it showed up in the mount time). Bounded like every document we parse.
  constexpr std::uintmax_t kMaxBytes = std::uintmax_t{256} << 20;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw std::system_error(errno, std::generic_category(), "cannot open " + path.string());
  }
  std::error_code error;
  const std::uintmax_t size = std::filesystem::file_size(path, error);
  if (!error && size > kMaxBytes) {
    throw FormatError(path.string() + ": larger than " + std::to_string(kMaxBytes) + " bytes");
  }
  std::string text;
  if (!error) {
    text.resize(static_cast<std::size_t>(size));
    in.read(text.data(), static_cast<std::streamsize>(size));
    text.resize(static_cast<std::size_t>(in.gcount()));
  }
  // Whatever is left (a file that grew, or one without a size such as a pipe).
  char chunk[65536];
  while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
    text.append(chunk, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxBytes) {
      throw FormatError(path.string() + ": larger than " + std::to_string(kMaxBytes) + " bytes");
    }
  }
  if (in.bad()) {
    throw std::system_error(errno, std::generic_category(), "cannot read " + path.string());
  }
  return text;
}

KeySigner::KeySigner(std::string_view private_key_pem, const std::optional<std::string>& password)
    : key_(load_ec_private_key(private_key_pem, password, "private key")) {}

KeySigner KeySigner::from_file(const std::filesystem::path& private_key,
                               const std::optional<std::string>& password) {
  return KeySigner(read_text_file(private_key), password);
}

std::string KeySigner::hint() const {
  return public_key_hint(key_.get());
}

CertificateSigner::CertificateSigner(std::string_view private_key_pem,
                                     const std::optional<std::string>& password,
                                     std::string_view signing_certificate_pem,
                                     const std::vector<std::string>& chain_pems)
    : key_(load_ec_private_key(private_key_pem, password, "private key")) {
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
  for (const auto& path : chain) chain_pems.push_back(read_text_file(path));
  return {read_text_file(private_key), password, read_text_file(signing_certificate), chain_pems};
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
