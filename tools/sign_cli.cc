#include "tools/sign_cli.h"

#include <array>
#include <fstream>
#include <iostream>
#include <system_error>
#include <variant>

#include "tools/command_support.h"
#include "tools/model_options.h"
#include "tools/progress_bar.h"
#include "tools/signer_options.h"
#include "verifier/trust/sign_model.h"

namespace sigmount::tools {
namespace {

constexpr const char* kSignUsage =
    "usage: sigmount sign key|certificate|pkcs11-key|pkcs11-certificate [options] MODEL_PATH\n";

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
  add_signer_options(parser, method);
  add_signature_option(parser, "Where to write the signature bundle");
  add_model_options(parser);
  add_serialization_options(parser);
  parser.positional("MODEL_PATH", "The model directory, or a single model file.");
  return parser;
}

// sign_model() with a progress bar on the hashing (big models on a terminal only). Taking the
// signer built means the key is loaded first: a wrong password should not cost a model hash.
template <class OneSigner>
std::string sign_with_progress(const std::filesystem::path& model,
                               const verifier::ModelOptions& options,
                               const verifier::Serialization& serialization,
                               const OneSigner& signer) {
  ProgressBar progress("hashing");
  verifier::HashingKnobs knobs;
  progress.attach(knobs);
  return verifier::trust::sign_model(model, options, serialization, signer, knobs);
}

}  // namespace

int sign_main(std::span<const std::string> args) {
  if (args.empty() || !is_signing_method(args[0])) {
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
              << " (expected " << kSigningMethods << ")\n"
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
    const Signer signer = signer_from(*parsed, method);
    const std::string bundle = std::visit(
        [&](const auto& chosen) {
          return sign_with_progress(model, options, serialization, chosen);
        },
        signer);
    write_output_file(signature, bundle, "signature");
    std::cout << "Signing succeeded\n";
    return kExitOk;
  });
}

}  // namespace sigmount::tools
