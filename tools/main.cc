// sigmount: sign, verify and mount ML models in the OpenSSF Model Signing format. This file
// only dispatches to the command groups; each lives in its own *_cli.cc.
#include <iostream>
#include <span>
#include <string>
#include <vector>

#include "tools/command_support.h"
#include "tools/commands.h"
#include "tools/mount_command.h"
#include "tools/version.h"

namespace {

constexpr const char* kUsage =
    "usage: sigmount [--version] [-h] COMMAND [options] ...\n"
    "\n"
    "commands:\n"
    "  sign key|certificate      sign a model, writing an OMS bundle (model.sig)\n"
    "  verify key|certificate|sigstore\n"
    "                            verify a model against its signature\n"
    "  verify-bundle             verify a Sigstore bundle over an artifact (conformance)\n"
    "  digest                    print the model's root digest (sha256:...)\n"
    "  inspect                   print a signature's manifest, UNVERIFIED\n"
    "  mount key|certificate|sigstore\n"
    "                            verify, then mount the model read-only (FUSE)\n"
    "  status                    print a mount's counters\n"
    "  provenance verify|generate\n"
    "                            SLSA provenance: who built a model or artifact, from what\n"
    "\n"
    "Run 'sigmount COMMAND -h' for a command's options.\n";

}  // namespace

int main(int argc, char** argv) {
  using namespace sigmount::tools;
  const std::vector<std::string> all(argv + (argc > 0 ? 1 : 0), argv + argc);
  if (all.empty()) {
    std::cerr << kUsage;
    return kExitUsage;
  }
  const std::string& command = all[0];
  const std::span<const std::string> rest = std::span(all).subspan(1);
  if (command == "-h" || command == "--help" || command == "help") {
    std::cout << kUsage;
    return kExitOk;
  }
  if (command == "--version" || command == "version") {
    std::cout << version_report();
    return kExitOk;
  }
  for (const auto& entry : command_table()) {
    if (command == entry.name) return entry.run(rest);
  }
  // mount(8) with type fuse.sigmount runs `sigmount SOURCE MOUNTPOINT -o OPTS`. Checked only
  // after the command names: `sigmount digest A B` stays a usage error, not a mount.
  if (is_mount_helper_invocation(all)) return run_mount_helper(all);
  std::cerr << "error: unknown command '" << command << "'\n" << kUsage;
  return kExitUsage;
}
