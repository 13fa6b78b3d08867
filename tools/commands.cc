#include "tools/commands.h"

#include <iostream>

#include "tools/command_support.h"
#include "tools/digest_cli.h"
#include "tools/inspect_cli.h"
#include "tools/mount_cli.h"
#include "tools/provenance_cli.h"
#include "tools/sign_cli.h"
#include "tools/verify_bundle_command.h"
#include "tools/verify_cli.h"

namespace sigmount::tools {
const std::vector<CommandEntry>& command_table() {
  static const std::vector<CommandEntry> table = {
      {"sign", &sign_main},
      {"verify", &verify_main},
      {"digest", &digest_main},
      {"inspect", &inspect_main},
      {"mount", &mount_main},
      {"status", &status_main},
      {"provenance", &provenance_main},
      {"verify-bundle", &run_verify_bundle},
  };
  return table;
}

}  // namespace sigmount::tools
