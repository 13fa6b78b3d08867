#include "tools/signer_options.h"

#include <filesystem>
#include <vector>

#include "verifier/pkcs11/token_key.h"

namespace sigmount::tools {
namespace {

bool on_token(const std::string& method) {
  return method.starts_with("pkcs11-");
}

bool with_certificate(const std::string& method) {
  return method.ends_with("certificate");
}

}  // namespace

bool is_signing_method(const std::string& word) {
  return word == "key" || word == "certificate" || word == "pkcs11-key" ||
         word == "pkcs11-certificate";
}

void add_signer_options(ArgParser& parser, const std::string& method) {
  if (on_token(method)) {
    parser.value("pkcs11-uri", "URI",
                 "The key, as an RFC 7512 URI: pkcs11:token=T;object=LABEL (or id=%01) "
                 "?module-path=/path/to/module.so (or module-name=NAME) &pin-source=/path/to/pin "
                 "(or pin-value=PIN). Required.");
  } else {
    parser.value("private-key", "PATH", "The EC private key (PEM, SEC1 or PKCS#8). Required.")
        .value("password", "PASSWORD", "The private key's password, if it is encrypted.");
  }
  if (with_certificate(method)) {
    parser
        .value("signing-certificate", "PATH",
               "The certificate of the private key (PEM), put in the bundle. Required.")
        .list("certificate-chain", "PATH",
              "Certificates (PEM) to put in the bundle after the signing certificate.");
  }
}

Signer signer_from(const ParsedArgs& args, const std::string& method) {
  using verifier::trust::CertificateSigner;
  using verifier::trust::KeySigner;
  std::vector<std::filesystem::path> chain;
  if (with_certificate(method)) {
    for (const auto& path : args.list("certificate-chain")) chain.emplace_back(path);
  }
  if (on_token(method)) {
    // The URI (which may hold the PIN) goes no further than the token's key.
    auto key =
        verifier::pkcs11::open_token_key(verifier::pkcs11::Uri::parse(args.required("pkcs11-uri")));
    if (!with_certificate(method)) return KeySigner(std::move(key));
    return CertificateSigner::from_files(std::move(key), args.required("signing-certificate"),
                                         chain);
  }
  if (!with_certificate(method)) {
    return KeySigner::from_file(args.required("private-key"), args.value("password"));
  }
  return CertificateSigner::from_files(args.required("private-key"), args.value("password"),
                                       args.required("signing-certificate"), chain);
}

std::string sign_statement(std::string_view statement_json, const Signer& signer) {
  return std::visit(
      [&](const auto& chosen) { return verifier::trust::sign_statement(statement_json, chosen); },
      signer);
}

}  // namespace sigmount::tools
