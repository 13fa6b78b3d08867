// Shared helpers of the format/trust tests: test data, keys and certificates made on the fly
// with OpenSSL (temporary directories come from tests/common).
#pragma once

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "hashing/bytes.h"
#include "hashing/openssl_handle.h"
#include "tests/common/temp_dir.h"

namespace sigmount::verifier::testing {

inline std::filesystem::path data_dir() {
  const char* dir = std::getenv("SIGMOUNT_TEST_DATA");
  if (dir == nullptr) throw std::runtime_error("SIGMOUNT_TEST_DATA is not set");
  return std::filesystem::path(dir) / "format";
}

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return std::move(text).str();
}

inline std::string data_file(const std::string& relative) {
  return read_file(data_dir() / relative);
}

using sigmount::testing::TempDir;

inline void check(bool ok, const char* what) {
  if (!ok) {
    ERR_print_errors_fp(stderr);
    throw std::runtime_error(what);
  }
}

// "P-256", "P-384", "P-521", or any OpenSSL group name.
inline EvpPkey generate_ec_key(const char* curve) {
  EvpPkey key(EVP_EC_gen(curve));
  check(key != nullptr, "EVP_EC_gen");
  return key;
}

// RSA key generation is slow (more so under sanitizers); tests take keys from a small pool
// made once per process. Each call returns a new handle to the next key of the pool.
inline EvpPkey generate_rsa_key() {
  static std::vector<EvpPkey> pool = [] {
    std::vector<EvpPkey> keys;
    for (int i = 0; i < 4; ++i) {
      keys.emplace_back(EVP_RSA_gen(2048));
      check(keys.back() != nullptr, "EVP_RSA_gen");
    }
    return keys;
  }();
  static std::size_t next = 0;
  EVP_PKEY* key = pool[next++ % pool.size()].get();
  EVP_PKEY_up_ref(key);
  return EvpPkey(key);
}

inline std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(size));
}

inline std::string public_pem(const EVP_PKEY* key) {
  Bio bio(BIO_new(BIO_s_mem()));
  check(PEM_write_bio_PUBKEY(bio.get(), key) == 1, "PEM_write_bio_PUBKEY");
  return bio_text(bio.get());
}

// PKCS#8 by default; SEC1 ("EC PRIVATE KEY") when `sec1`; encrypted with AES-256 when a
// password is given.
inline std::string private_pem(const EVP_PKEY* key, const std::optional<std::string>& password = {},
                               bool sec1 = false) {
  Bio bio(BIO_new(BIO_s_mem()));
  const EVP_CIPHER* cipher = password ? EVP_aes_256_cbc() : nullptr;
  auto* pass =
      password ? reinterpret_cast<unsigned char*>(const_cast<char*>(password->data())) : nullptr;
  const int pass_len = password ? static_cast<int>(password->size()) : 0;
  if (sec1) {
    check(PEM_write_bio_PrivateKey_traditional(bio.get(), key, cipher, pass, pass_len, nullptr,
                                               nullptr) == 1,
          "PEM_write_bio_PrivateKey_traditional");
  } else {
    check(PEM_write_bio_PKCS8PrivateKey(bio.get(), key, cipher, reinterpret_cast<char*>(pass),
                                        pass_len, nullptr, nullptr) == 1,
          "PEM_write_bio_PKCS8PrivateKey");
  }
  return bio_text(bio.get());
}

struct CertificateOptions {
  std::string common_name = "test";
  bool ca = false;
  bool key_usage_digital_signature = true;
  bool key_usage_cert_sign = false;
  bool eku_code_signing = false;
  long not_before_offset = -3600;  // seconds from now
  long not_after_offset = 365L * 24 * 3600;
};

inline void add_extension(X509* certificate, X509* issuer, int nid, const char* value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
  check(extension != nullptr, "X509V3_EXT_conf_nid");
  X509_add_ext(certificate, extension, -1);
  X509_EXTENSION_free(extension);
}

// A certificate for `subject_key`, signed by `issuer_key` (self-signed when issuer is null).
inline X509Cert make_certificate(const EVP_PKEY* subject_key, const EVP_PKEY* issuer_key,
                                 const X509* issuer, const CertificateOptions& options) {
  static long serial = 1;
  X509Cert certificate(X509_new());
  X509* c = certificate.get();
  X509_set_version(c, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(c), serial++);
  X509_gmtime_adj(X509_getm_notBefore(c), options.not_before_offset);
  X509_gmtime_adj(X509_getm_notAfter(c), options.not_after_offset);
  X509_set_pubkey(c, const_cast<EVP_PKEY*>(subject_key));
  X509_NAME* name = X509_get_subject_name(c);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(options.common_name.c_str()),
                             -1, -1, 0);
  X509_set_issuer_name(c, issuer ? X509_get_subject_name(issuer) : name);
  X509* issuer_cert = issuer ? const_cast<X509*>(issuer) : c;
  add_extension(c, issuer_cert, NID_basic_constraints,
                options.ca ? "critical,CA:TRUE" : "CA:FALSE");
  std::string usage;
  if (options.key_usage_digital_signature) usage += "digitalSignature";
  if (options.key_usage_cert_sign) usage += std::string(usage.empty() ? "" : ",") + "keyCertSign";
  if (!usage.empty()) add_extension(c, issuer_cert, NID_key_usage, ("critical," + usage).c_str());
  if (options.eku_code_signing) add_extension(c, issuer_cert, NID_ext_key_usage, "codeSigning");
  add_extension(c, issuer_cert, NID_subject_key_identifier, "hash");
  if (issuer) add_extension(c, issuer_cert, NID_authority_key_identifier, "keyid:always");
  check(
      X509_sign(c, const_cast<EVP_PKEY*>(issuer_key ? issuer_key : subject_key), EVP_sha256()) > 0,
      "X509_sign");
  return certificate;
}

inline std::string certificate_pem(const X509* certificate) {
  Bio bio(BIO_new(BIO_s_mem()));
  check(PEM_write_bio_X509(bio.get(), const_cast<X509*>(certificate)) == 1, "PEM_write_bio_X509");
  return bio_text(bio.get());
}

}  // namespace sigmount::verifier::testing
