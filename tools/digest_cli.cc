#include "tools/digest_cli.h"

#include <iostream>

#include "tools/command_support.h"
#include "tools/model_options.h"
#include "verifier/model/serialize.h"

namespace sigmount::tools {

int digest_main(std::span<const std::string> args) {
  ArgParser parser("sigmount digest",
                   "Print the model's root digest (sha256:<hex>), the subject digest a "
                   "files/sha256 signature of it would carry, as `model_signing digest` does.");
  add_model_options(parser);
  parser.positional("MODEL_PATH", "The model directory, or a single model file.");
  int exit_code = kExitOk;
  auto parsed = parse_or_exit(parser, args, exit_code);
  if (!parsed) return exit_code;

  return run_reporting_failures("Computing digest failed", [&] {
    const std::filesystem::path model = parsed->positionals()[0];
    const auto options = model_options_from(*parsed, std::nullopt);
    verifier::Serialization serialization;  // files, sha256: what model_signing digest uses
    const auto resources = verifier::serialize_model(model, options, serialization);
    std::cout << "sha256:" << verifier::root_digest(resources).hex() << "\n";
    return kExitOk;
  });
}

}  // namespace sigmount::tools
