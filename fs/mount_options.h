// What `sigmount mount` lets the user choose about the mounted file system. Filled by the CLI
// (tools/) from argv; read by fs/ and tools/mount_command.cc. Plain data, and two pure helpers:
// the fingerprint budget of a cache size, and how an -o list splits into options.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sigmount::fs {

struct MountOptions {
  // 192 MiB: with the fingerprints (budget below: 32 MiB) and the program itself, the daemon
  // stays under 256 MiB resident for a model of any size.
  static constexpr std::uint64_t kDefaultCacheSize = 192ULL << 20;

  // Fingerprints kept for a cache of `cache_size`: a sixth of it (at 16 bytes per 64 KiB, a
  // 192 MiB cache keeps those of 128 GiB of verified shards), at least 4 MiB.
  static std::uint64_t fingerprint_budget_for(std::uint64_t cache_size) {
    return std::max<std::uint64_t>(4ULL << 20, cache_size / 6);
  }

  // -f: stay in the foreground and log JSON lines to stderr. Without it the daemon forks once
  // the mount is ready (the parent exits 0 then) and logs to syslog.
  bool foreground = false;
  // --verify-all: hash every signed byte in parallel before the mount is made; any mismatch
  // fails the mount. Without it nothing is hashed at mount time and shards are verified on
  // first read.
  bool verify_all = false;
  // --fail-closed: after the first mismatch every read of every file fails with EIO.
  bool fail_closed = false;
  // --no-verify-ahead clears it: after the first read of a shard, the next shard (or the next
  // file, in manifest order) is verified on a background thread.
  bool verify_ahead = true;
  // --cache-size BYTES: upper bound for verified shard bytes held in daemon memory.
  std::uint64_t cache_size = kDefaultCacheSize;
  // -o OPTS: FUSE/mount options, each entry as given on the command line (an entry may be a
  // comma-separated list, e.g. "allow_other,default_permissions"). Passed through to libfuse
  // except "ro" (always on), "rw" (refused) and the mount.fuse helper's "nofail"/"_netdev"/
  // "defaults"/"noauto"/"user"/"users" (ignored). "sigmount.*" keys are reserved for sigmount.
  std::vector<std::string> fuse_options;
  // --log-file PATH: the daemon's JSON lines are appended to PATH, in the foreground and after
  // it detaches, instead of going to stderr or syslog. Empty: not given.
  std::string log_file;
  // -d / --debug: libfuse request tracing (implies foreground).
  bool debug = false;
  // FUSE worker threads; 0: libfuse's default (10).
  unsigned max_threads = 0;

  // -o nonempty: mount over a MOUNTPOINT that holds files (hiding them). libfuse 3 dropped the
  // option; sigmount refuses a non-empty MOUNTPOINT without it.
  bool allows_nonempty() const;
};

// Why `cache_size` cannot be this machine's cache ("" if it can): the cache is reserved up front
// as 64 KiB slots, and more than the machine's memory is a typo. Used by the command line and
// by the mount.fuse3 form alike.
std::string cache_size_problem(std::uint64_t cache_size);

// The options of one -o argument ("a,b,c"), in order. Every ',' separates: there is no
// escaping or quoting, so an option cannot contain a comma. Empty items ("a,,b", a leading or
// trailing ',', "") are dropped. Used by fs/fuse_session.cc and the mount.fuse helper in
// tools/mount_command.cc, so both read a list the same way.
std::vector<std::string> split_option_list(std::string_view list);
// The same for any separator (sigmount.ca's "CA1:CA2" list).
std::vector<std::string> split_nonempty(std::string_view list, char separator);

}  // namespace sigmount::fs
