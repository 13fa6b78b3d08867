#include "tools/verify_cli.h"

#include <iostream>

#include "tools/command_support.h"
#include "tools/model_options.h"
#include "tools/progress_bar.h"
#include "tools/verification_options.h"
#include "verifier/format/bounded_file.h"
#include "verifier/format/bundle.h"
#include "verifier/model/model_check.h"
#include "verifier/signature_verifier.h"

namespace sigmount::tools {
namespace {

constexpr const char* kVerifyUsage =
    "usage: sigmount verify key|certificate|sigstore [options] MODEL_PATH\n";

ArgParser verify_parser(TrustMethod method, const std::string& method_word) {
  ArgParser parser("sigmount verify " + method_word,
                   "Verify the signature of the model at MODEL_PATH, then check every file "
                   "against the signed manifest.");
  add_trust_options(parser, method);
  add_signature_option(parser, "The signature bundle to verify");
  parser.flag("ignore-unsigned-files",
              "Check only the signed files; files the signature does not list are allowed.", false,
              "no-ignore-unsigned-files");
  add_model_options(parser);
  parser.positional("MODEL_PATH", "The model directory, or a single model file.");
  return parser;
}

int verify(const ParsedArgs& args, TrustMethod method) {
  const auto policy = trust_policy_from(args, method);
  const std::filesystem::path model = args.positionals()[0];
  const std::filesystem::path signature = signature_path_from(args);
  const auto options = model_options_from(args, signature);

  const std::string bundle =
      verifier::read_bounded_file(signature, verifier::kMaxBundleBytes, "signature");
  const verifier::VerifiedManifest manifest = verifier::SignatureVerifier(policy).verify(bundle);

  ProgressBar progress("verifying");
  verifier::CheckOptions check;
  check.ignore_unsigned_files = args.flag("ignore-unsigned-files");
  progress.attach(check.hashing);
  verifier::check_model(manifest, model, options, check);
  std::cout << "Verification succeeded\n";
  return kExitOk;
}

}  // namespace

int verify_main(std::span<const std::string> args) {
  if (args.empty() || args[0] == "-h" || args[0] == "--help") {
    (args.empty() ? std::cerr : std::cout)
        << method_help("verify", "MODEL_PATH",
                       "Verify the signature of the model at MODEL_PATH, then check every file "
                       "against the signed manifest.",
                       trust_methods());
    return args.empty() ? kExitUsage : kExitOk;
  }
  TrustMethod method;
  try {
    method = parse_trust_method(args[0]);
  } catch (const UsageError& error) {
    std::cerr << "error: " << error.what() << "\n" << kVerifyUsage;
    return kExitUsage;
  }
  const ArgParser parser = verify_parser(method, args[0]);
  int exit_code = kExitOk;
  auto parsed = parse_or_exit(parser, args.subspan(1), exit_code);
  if (!parsed) return exit_code;
  return run_reporting_failures("Verification failed", [&] { return verify(*parsed, method); });
}

}  // namespace sigmount::tools
