#include "tools/sign_cli.h"

#include <array>
#include <fstream>
#include <iostream>
#include <system_error>

#include "tools/command_support.h"
#include "tools/model_options.h"
#include "tools/progress_bar.h"
#include "verifier/pkcs11/token_key.h"
#include "verifier/trust/sign_model.h"

namespace sigmount::tools {
namespace {

constexpr const char* kSignUsage =
    "usage: sigmount sign key|certificate|pkcs11-key|pkcs11-certificate [options] MODEL_PATH\n";

bool is_method(const std::string& word) {
  return word == "key" || word == "certificate" || word == "pkcs11-key" ||
         word == "pkcs11-certificate";
}

bool on_token(const std::string& method) {
  return method.starts_with("pkcs11-");
}

bool with_certificate(const std::string& method) {
  return method.ends_with("certificate");
}

std::string method_description(const std::string& method) {
  if (method == "key") return "Sign the model at MODEL_PATH with an EC private key.";
  if (method == "certificate") {
    return "Sign the model at MODEL_PATH with a private key and its certificate.";
  }
  if (method == "pkcs11-key") {
    return "Sign the model at MODEL_PATH with an EC key on a PKCS#11 token (the token signs; "
           "the key never leaves it).";
  }
  return "Sign the model at MODEL_PATH with an EC key on a PKCS#11 token and its certificate.";
}

ArgParser sign_parser(const std::string& method) {
  ArgParser parser("sigmount sign " + method, method_description(method));
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
  add_signature_option(parser, "Where to write the signature bundle");
  add_model_options(parser);
  add_serialization_options(parser);
  parser.positional("MODEL_PATH", "The model directory, or a single model file.");
  return parser;
}

// sign_model() with a progress bar on the hashing (big models on a terminal only). Taking the
// signer built means the key is loaded first: a wrong password should not cost a model hash.
template <class Signer>
std::string sign_with_progress(const std::filesystem::path& model,
                               const verifier::ModelOptions& options,
                               const verifier::Serialization& serialization, const Signer& signer) {
  ProgressBar progress("hashing");
  verifier::HashingKnobs knobs;
  progress.attach(knobs);
  return verifier::trust::sign_model(model, options, serialization, signer, knobs);
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    throw std::system_error(errno, std::generic_category(),
                            "cannot write the signature " + path.string());
  }
}

// The token key the --pkcs11-uri names; the URI text (which may hold the PIN) goes no further.
std::unique_ptr<const verifier::trust::SigningKey> token_key(const ParsedArgs& parsed) {
  return verifier::pkcs11::open_token_key(
      verifier::pkcs11::Uri::parse(parsed.required("pkcs11-uri")));
}

}  // namespace

int sign_main(std::span<const std::string> args) {
  if (args.empty() || !is_method(args[0])) {
    if (!args.empty() && (args[0] == "-h" || args[0] == "--help")) {
      static constexpr std::array<MethodSummary, 4> kMethods{{
          {"key", "with an EC private key (PEM); verify with `verify key`"},
          {"certificate",
           "with a private key and its certificate chain; verify with `verify "
           "certificate`"},
          {"pkcs11-key", "with an EC key on a PKCS#11 token; verify with `verify key`"},
          {"pkcs11-certificate",
           "with a PKCS#11 token's key and its certificate chain; verify with `verify "
           "certificate`"},
      }};
      std::cout << method_help("sign", "MODEL_PATH",
                               "Hash the model at MODEL_PATH and write an OMS signature bundle "
                               "(default: model.sig).",
                               kMethods);
      return kExitOk;
    }
    std::cerr << "error: "
              << (args.empty() ? std::string("missing method")
                               : "unknown signing method '" + args[0] + "'")
              << " (expected key, certificate, pkcs11-key or pkcs11-certificate)\n"
              << kSignUsage;
    return kExitUsage;
  }
  const std::string& method = args[0];
  const ArgParser parser = sign_parser(method);
  int exit_code = kExitOk;
  auto parsed = parse_or_exit(parser, args.subspan(1), exit_code);
  if (!parsed) return exit_code;

  return run_reporting_failures("Signing failed", [&] {
    const std::filesystem::path model = parsed->positionals()[0];
    const std::filesystem::path signature = signature_path_from(*parsed);
    const auto serialization = serialization_from(*parsed);
    const auto options = model_options_from(*parsed, signature);
    std::vector<std::filesystem::path> chain;
    if (with_certificate(method)) {
      for (const auto& path : parsed->list("certificate-chain")) chain.emplace_back(path);
    }

    std::string bundle;
    if (method == "key") {
      bundle = sign_with_progress(model, options, serialization,
                                  verifier::trust::KeySigner::from_file(
                                      parsed->required("private-key"), parsed->value("password")));
    } else if (method == "certificate") {
      bundle = sign_with_progress(model, options, serialization,
                                  verifier::trust::CertificateSigner::from_files(
                                      parsed->required("private-key"), parsed->value("password"),
                                      parsed->required("signing-certificate"), chain));
    } else if (method == "pkcs11-key") {
      bundle = sign_with_progress(model, options, serialization,
                                  verifier::trust::KeySigner(token_key(*parsed)));
    } else {
      bundle = sign_with_progress(
          model, options, serialization,
          verifier::trust::CertificateSigner::from_files(
              token_key(*parsed), parsed->required("signing-certificate"), chain));
    }
    write_file(signature, bundle);
    std::cout << "Signing succeeded\n";
    return kExitOk;
  });
}

}  // namespace sigmount::tools
