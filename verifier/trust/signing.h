// Signing an OMS statement into a bundle, with a private key or with a key + certificate
// chain, in exactly the shape model_signing 1.1 writes (see format/bundle_writer.h). The key
// is a file's (below) or a token's (pkcs11/token_key.h): a SigningKey either way.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hashing/bytes.h"
#include "hashing/openssl_handle.h"
#include "verifier/trust/signing_key.h"

namespace sigmount::verifier::trust {

// `sign key`: an EC private key (P-256/P-384/P-521; SEC1 or PKCS#8, maybe encrypted).
class KeySigner {
 public:
  // Throws FormatError for a key that does not load (wrong password included); `key_name`
  // says in it which key was meant (from_file: "private key PATH").
  explicit KeySigner(std::string_view private_key_pem,
                     const std::optional<std::string>& password = std::nullopt,
                     std::string_view key_name = "private key");
  static KeySigner from_file(const std::filesystem::path& private_key,
                             const std::optional<std::string>& password = std::nullopt);
  // `sign pkcs11-key`: any key, a token's included.
  explicit KeySigner(std::unique_ptr<const SigningKey> key);

  const SigningKey& key() const { return *key_; }
  // model_signing's publicKey.hint for this key.
  std::string hint() const;

 private:
  std::unique_ptr<const SigningKey> key_;
};

// `sign certificate`: the private key, its certificate (leaf) and the chain to put in the
// bundle after it (all PEM certificates of the chain files, in file order).
class CertificateSigner {
 public:
  // Throws FormatError if the key or a certificate does not load, or the leaf's public key
  // is not the private key's.
  CertificateSigner(std::string_view private_key_pem, const std::optional<std::string>& password,
                    std::string_view signing_certificate_pem,
                    const std::vector<std::string>& chain_pems,
                    std::string_view key_name = "private key");
  static CertificateSigner from_files(const std::filesystem::path& private_key,
                                      const std::optional<std::string>& password,
                                      const std::filesystem::path& signing_certificate,
                                      const std::vector<std::filesystem::path>& chain);
  // `sign pkcs11-certificate`: any key, with the same checks of the leaf.
  CertificateSigner(std::unique_ptr<const SigningKey> key, std::string_view signing_certificate_pem,
                    const std::vector<std::string>& chain_pems);
  static CertificateSigner from_files(std::unique_ptr<const SigningKey> key,
                                      const std::filesystem::path& signing_certificate,
                                      const std::vector<std::filesystem::path>& chain);

  const SigningKey& key() const { return *key_; }
  // Leaf first, DER.
  const std::vector<Bytes>& der_chain() const { return der_chain_; }

 private:
  std::unique_ptr<const SigningKey> key_;
  std::vector<Bytes> der_chain_;
};

// Signs `statement_json` (the DSSE payload, application/vnd.in-toto+json) and returns the
// bundle JSON.
std::string sign_statement(std::string_view statement_json, const KeySigner& signer);
std::string sign_statement(std::string_view statement_json, const CertificateSigner& signer);

}  // namespace sigmount::verifier::trust
