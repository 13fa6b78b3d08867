// `sigmount mount` and `sigmount status`: the CLI parses argv into these, fs/ does the work.
#pragma once

#include <filesystem>
#include <optional>

#include "fs/mount_options.h"
#include "verifier/trust_policy.h"

namespace sigmount::tools {

struct MountCommand {
  verifier::TrustPolicy policy;
  // --signature PATH; nullopt: SOURCE/model.sig (model_signing's default file name). The
  // signature file is never visible through the mount.
  std::optional<std::filesystem::path> signature;
  std::filesystem::path source;      // the signed model directory (or single signed file)
  std::filesystem::path mountpoint;  // an existing empty directory
  fs::MountOptions options;
};

// Verifies the signature, checks SOURCE against the manifest's file list, mounts and serves
// until unmounted (or, without -f, returns once the daemon's mount is ready). Returns the
// process exit code: 0 ok, 1 verification/mount failure (one line per problem on stderr).
int run_mount(const MountCommand& command);

// Prints the daemon's counters for MOUNTPOINT as one JSON object on stdout. 0 ok, 1 when
// MOUNTPOINT is not a sigmount mount.
int run_status(const std::filesystem::path& mountpoint);

}  // namespace sigmount::tools
