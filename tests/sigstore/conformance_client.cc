// The sigstore-conformance client entry point for tests: `conformance_client verify-bundle ...`
// behaves like `sigmount verify-bundle ...`.
#include <string>
#include <vector>

#include "tools/verify_bundle_command.h"

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  return sigmount::tools::run_verify_bundle(args);
}
