#include "tools/commands.h"

#include <iostream>

#include "tools/command_support.h"
#include "tools/digest_cli.h"
#include "tools/inspect_cli.h"
#include "tools/mount_cli.h"
#include "tools/sign_cli.h"
#include "tools/verify_cli.h"
#ifdef SIGMOUNT_HAVE_VERIFY_BUNDLE
#include "tools/verify_bundle_command.h"
#endif

namespace sigmount::tools {
namespace {

[[maybe_unused]] int not_built(std::span<const std::string> /*args*/) {
  std::cerr << "error: this command is not built into this sigmount\n";
  return kExitFailure;
}

}  // namespace

const std::vector<CommandEntry>& command_table() {
  static const std::vector<CommandEntry> table = {
      {"sign", &sign_main},
      {"verify", &verify_main},
      {"digest", &digest_main},
      {"inspect", &inspect_main},
      {"mount", &mount_main},
      {"status", &status_main},
#ifdef SIGMOUNT_HAVE_VERIFY_BUNDLE
      {"verify-bundle", &run_verify_bundle},
#else
      {"verify-bundle", &not_built},
#endif
  };
  return table;
}

}  // namespace sigmount::tools
