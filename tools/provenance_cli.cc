#include "tools/provenance_cli.h"

#include <array>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <system_error>

#include "tools/command_support.h"
#include "tools/model_options.h"
#include "tools/provenance_options.h"
#include "tools/signer_options.h"
#include "tools/verification_options.h"
#include "verifier/errors.h"
#include "verifier/format/bounded_file.h"
#include "verifier/format/bundle.h"
#include "verifier/model/serialize.h"
#include "verifier/provenance/provenance_subjects.h"
#include "verifier/provenance/provenance_verifier.h"
#include "verifier/provenance/provenance_writer.h"
#include "verifier/trust/signing.h"

namespace sigmount::tools {
namespace {

namespace provenance = verifier::provenance;

constexpr const char* kUsage =
    "usage: sigmount provenance verify [sigstore|key|certificate] [options] "
    "ARTIFACT...|MODEL_PATH\n"
    "       sigmount provenance generate key|certificate [options] MODEL_PATH\n";
constexpr const char* kDefaultProvenance = "model.provenance.json";

// --- verify ---------------------------------------------------------------------------------

enum class ProvenanceMethod { sigstore, key, certificate };

ArgParser verify_parser(ProvenanceMethod method, const std::string& word) {
  ArgParser parser(
      "sigmount provenance verify" + (word.empty() ? std::string() : " " + word),
      "Verify SLSA provenance: who built ARTIFACT... (or the model at MODEL_PATH), from which "
      "source. Default method sigstore: signed keyless by a GitHub Actions builder.");
  parser.value("provenance-path", "PATH", "The provenance (a Sigstore bundle). Required.");
  add_provenance_requirement_options(parser);
  switch (method) {
    case ProvenanceMethod::sigstore:
      parser
          .value("trusted-root", "PATH",
                 "A Sigstore trusted_root.json (default: the built-in public-good root).")
          .value("trust-config", "PATH",
                 "A Sigstore ClientTrustConfig JSON; exclusive with --trusted-root.");
      break;
    case ProvenanceMethod::key:
      parser.value("public-key", "PATH", "The in-house builder's EC public key (PEM). Required.");
      break;
    case ProvenanceMethod::certificate:
      parser.list("certificate-chain", "PATH",
                  "A trusted CA certificate file (PEM). At least one is required.");
      break;
  }
  parser.flag("print-provenance", "Print the verified statement (JSON) on stdout.");
  add_model_options(parser);
  parser
      .positional("ARTIFACT",
                  "A built file whose SHA-256 must be a subject (repeatable); or "
                  "one model directory: every file, or its root digest.")
      .repeat_last_positional();
  return parser;
}

provenance::ProvenanceTrust provenance_trust_from(const ParsedArgs& args, ProvenanceMethod method) {
  switch (method) {
    case ProvenanceMethod::key:
      return verifier::KeyTrust{args.required("public-key")};
    case ProvenanceMethod::certificate:
      return certificate_trust_from(args);
    case ProvenanceMethod::sigstore: {
      provenance::GitHubBuilderTrust trust;
      const auto root = args.value("trusted-root");
      const auto config = args.value("trust-config");
      if (root && config) throw UsageError("--trusted-root and --trust-config are exclusive");
      if (root) trust.trusted_root = *root;
      if (config) trust.trusted_root = *config;
      return trust;
    }
  }
  throw UsageError("unknown method");
}

// The files/sha256 resources of `path` (a directory, or one file as ".").
std::vector<verifier::Resource> hash_files(const std::filesystem::path& path,
                                           const verifier::ModelOptions& options) {
  return verifier::serialize_model(path, options, verifier::Serialization{});
}

int run_verify(const ParsedArgs& args, ProvenanceMethod method) {
  provenance::ProvenancePolicy policy = provenance_requirements_from(args);
  policy.trust = provenance_trust_from(args, method);
  const std::filesystem::path path = args.required("provenance-path");
  const auto options = model_options_from(args, path);
  const std::string bundle =
      verifier::read_bounded_file(path, verifier::kMaxBundleBytes, "provenance");
  const provenance::VerifiedProvenance verified = provenance::verify_provenance(bundle, policy);

  const auto& operands = args.positionals();
  if (operands.size() == 1 && std::filesystem::is_directory(operands[0])) {
    provenance::require_model_subjects(verified, hash_files(operands[0], options));
  } else {
    for (const auto& artifact : operands) {
      if (!std::filesystem::is_regular_file(artifact)) {
        throw verifier::VerificationError(
            "artifact " + artifact +
            " is not a regular file (a model directory must be the only operand)");
      }
      const auto resources = hash_files(artifact, verifier::ModelOptions{});
      provenance::require_subject(verified, artifact, resources.front().digest);
    }
  }
  if (args.flag("print-provenance")) std::cout << verified.statement_json() << "\n";
  std::cout << "Provenance verification succeeded: built by " << verified.builder_id()
            << " (signed by " << verified.signer_description() << ")\n";
  return kExitOk;
}

int verify_main(std::span<const std::string> args) {
  ProvenanceMethod method = ProvenanceMethod::sigstore;
  std::string word;
  if (!args.empty() && (args[0] == "sigstore" || args[0] == "key" || args[0] == "certificate")) {
    word = args[0];
    method = word == "key"           ? ProvenanceMethod::key
             : word == "certificate" ? ProvenanceMethod::certificate
                                     : ProvenanceMethod::sigstore;
    args = args.subspan(1);
  }
  const ArgParser parser = verify_parser(method, word);
  int exit_code = kExitOk;
  auto parsed = parse_or_exit(parser, args, exit_code);
  if (!parsed) return exit_code;
  return run_reporting_failures("Provenance verification failed",
                                [&] { return run_verify(*parsed, method); });
}

// --- generate -------------------------------------------------------------------------------

ArgParser generate_parser(const std::string& method) {
  ArgParser parser("sigmount provenance generate " + method,
                   "Write SLSA provenance v1.0 for the model at MODEL_PATH, built on "
                   "infrastructure you control, signed into a Sigstore bundle.");
  add_signer_options(parser, method);
  parser.value("builder-id", "ID", "The builder's identity (runDetails.builder.id). Required.")
      .value("build-type", "URI",
             "buildDefinition.buildType (default: https://actions.github.io/buildtypes/workflow/v1 "
             "in GitHub Actions, else https://sigmount.dev/buildtypes/model/v1).")
      .list("external-parameter", "K=V",
            "An external parameter of the build (repeatable); source=git+https://HOST/O/R@REF "
            "names the source outside GitHub Actions.")
      .list("resolved-dependency", "URI@ALG:HEX",
            "An input of the build: base model, data set, source commit (repeatable).")
      .value("subjects", "files|root-digest",
             "The subjects: every model file (default), or one carrying the OMS root digest.")
      .value("provenance-path", "PATH",
             std::string("Where to write the provenance bundle (default: ") + kDefaultProvenance +
                 ").");
  add_model_options(parser);
  parser.positional("MODEL_PATH", "The model directory, or a single model file.");
  return parser;
}

std::optional<std::string> process_environment(const std::string& name) {
  const char* value = std::getenv(name.c_str());  // NOLINT(concurrency-mt-unsafe): one thread
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

int run_generate(const ParsedArgs& args, const std::string& method) {
  const std::filesystem::path model = args.positionals()[0];
  const std::filesystem::path out = args.value("provenance-path").value_or(kDefaultProvenance);
  const auto options = model_options_from(args, out);

  provenance::BuildRecord record =
      provenance::github_actions_record(&process_environment).value_or(provenance::BuildRecord{});
  if (record.build_type.empty()) record.build_type = std::string(provenance::kModelBuildType);
  if (auto type = args.value("build-type")) record.build_type = *type;
  record.builder_id = args.required("builder-id");
  for (const auto& parameter : args.list("external-parameter")) {
    auto [key, value] = key_value("external-parameter", parameter);
    record.external_parameters[key] = value;
  }
  for (const auto& dependency : args.list("resolved-dependency")) {
    record.resolved_dependencies.push_back(provenance::parse_resolved_dependency(dependency));
  }
  const std::string subjects_mode = args.value("subjects").value_or("files");
  if (subjects_mode != "files" && subjects_mode != "root-digest") {
    throw UsageError("--subjects must be files or root-digest, got '" + subjects_mode + "'");
  }
  // Load the key (open the token) before hashing: a wrong password should not cost a hash.
  const Signer signer = signer_from(args, method);

  const auto resources = hash_files(model, options);
  if (resources.empty()) {
    throw verifier::VerificationError("nothing to describe: no file of " + model.string() +
                                      " is left to hash");
  }
  std::vector<provenance::ProvenanceSubject> subjects;
  if (subjects_mode == "root-digest") {
    subjects.push_back({verifier::model_name(model), verifier::root_digest(resources)});
  } else {
    for (const auto& resource : resources) {
      subjects.push_back(
          {resource.name == "." ? model.filename().string() : resource.name, resource.digest});
    }
  }
  const std::string statement = provenance::write_provenance(subjects, record);
  write_output_file(out, sign_statement(statement, signer), "provenance");
  std::cout << "Provenance written to " << out.string() << "\n";
  return kExitOk;
}

int generate_main(std::span<const std::string> args) {
  static constexpr std::array<MethodSummary, 5> kMethods{{
      {"key", "sign with an EC private key; verify with `provenance verify key`"},
      {"certificate",
       "sign with a private key and its certificate chain; verify with `provenance verify "
       "certificate`"},
      {"pkcs11-key", "sign with an EC key on a PKCS#11 token; verify with `provenance verify key`"},
      {"pkcs11-certificate",
       "sign with a PKCS#11 token's key and its certificate chain; verify with `provenance "
       "verify certificate`"},
      {"sigstore", "keyless signing: not available yet (sigmount does not sign keyless yet)"},
  }};
  if (args.empty() || args[0] == "-h" || args[0] == "--help") {
    (args.empty() ? std::cerr : std::cout)
        << method_help("provenance generate", "MODEL_PATH",
                       "Write SLSA provenance v1.0 for a model built on infrastructure you "
                       "control (in GitHub Actions the workflow context fills it).",
                       kMethods);
    return args.empty() ? kExitUsage : kExitOk;
  }
  const std::string& method = args[0];
  if (method == "sigstore") {
    std::cerr << "error: signing method 'sigstore' is not available yet: sigmount cannot sign "
                 "keyless; use "
              << kSigningMethods
              << ", or produce provenance with slsa-github-generator (see README)\n";
    return kExitUsage;
  }
  if (!is_signing_method(method)) {
    std::cerr << "error: unknown signing method '" << method << "' (expected " << kSigningMethods
              << ")\n"
              << kUsage;
    return kExitUsage;
  }
  const ArgParser parser = generate_parser(method);
  int exit_code = kExitOk;
  auto parsed = parse_or_exit(parser, args.subspan(1), exit_code);
  if (!parsed) return exit_code;
  return run_reporting_failures("Provenance generation failed",
                                [&] { return run_generate(*parsed, method); });
}

}  // namespace

int provenance_main(std::span<const std::string> args) {
  if (args.empty() || args[0] == "-h" || args[0] == "--help") {
    (args.empty() ? std::cerr : std::cout) << kUsage;
    return args.empty() ? kExitUsage : kExitOk;
  }
  if (args[0] == "verify") return verify_main(args.subspan(1));
  if (args[0] == "generate") return generate_main(args.subspan(1));
  std::cerr << "error: unknown provenance command '" << args[0] << "'\n" << kUsage;
  return kExitUsage;
}

}  // namespace sigmount::tools
