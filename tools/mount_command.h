// `sigmount mount` and `sigmount status`: the CLI parses argv into these, fs/ does the work.
#pragma once

#include <filesystem>
#include <optional>
#include <span>
#include <string>

#include "fs/mount_options.h"
#include "verifier/provenance/provenance_policy.h"
#include "verifier/trust_policy.h"

namespace sigmount::tools {

struct MountCommand {
  verifier::TrustPolicy policy;
  // --signature PATH; nullopt: SOURCE/model.sig (model_signing's default file name), or
  // model.sig next to SOURCE when SOURCE is a single file. Never visible through the mount.
  std::optional<std::filesystem::path> signature;
  std::filesystem::path source;      // the signed model directory (or single signed file)
  std::filesystem::path mountpoint;  // an existing empty directory
  fs::MountOptions options;
  // --provenance PATH: SLSA provenance that must verify under `provenance_policy` and describe
  // the signed bytes (its subjects: the manifest's files, or its root digest).
  std::optional<std::filesystem::path> provenance;
  verifier::provenance::ProvenancePolicy provenance_policy;
};

// Verifies the signature, checks SOURCE against the manifest's file list, mounts and serves
// until unmounted (or, without -f, returns once the daemon's mount is ready). Returns the
// process exit code: 0 ok, 1 verification/mount failure (one line per problem on stderr).
// Becomes the daemon: it first closes every descriptor above stderr that the process holds,
// so it is only for the process's main path, never for a caller that goes on.
int run_mount(const MountCommand& command);

// mount(8) runs `mount.fuse3 SOURCE MOUNTPOINT -o OPTS` for type fuse.sigmount, which runs
// `sigmount SOURCE MOUNTPOINT -o OPTS`. True when `args` (argv without argv[0]) has that shape.
bool is_mount_helper_invocation(std::span<const std::string> args);
// Runs such an invocation. The trust policy and sigmount's own settings come as -o keys:
//   sigmount.key=PUBKEY | sigmount.ca=CA[:CA...] | sigmount.identity=ID,sigmount.issuer=URL
//   [,sigmount.trusted_root=PATH]; sigmount.signature=PATH, sigmount.verify_all,
//   sigmount.fail_closed, sigmount.no_verify_ahead, sigmount.cache_size=BYTES; every other
//   option goes to FUSE.
// Returns the exit code (2 for a usage problem).
int run_mount_helper(std::span<const std::string> args);

// Prints the daemon's counters for MOUNTPOINT as one JSON object on stdout. 0 ok, 1 when
// MOUNTPOINT is not a sigmount mount.
int run_status(const std::filesystem::path& mountpoint);

}  // namespace sigmount::tools
