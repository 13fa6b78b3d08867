// Mounting a FuseFilesystem and serving it: libfuse session, signals, daemon, readahead.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "fs/event_log.h"
#include "fs/fuse_filesystem.h"
#include "fs/mount_options.h"
#include "fs/service_notify.h"

namespace sigmount::fs {

// Mounts `fs` read-only at `mountpoint` and serves it until it is unmounted (fusermount3 -u,
// umount) or the process gets SIGTERM/SIGINT/SIGHUP, then unmounts. Without
// options.foreground, forks once the mount answers requests: the parent process exits 0 right
// there (or 1 if the daemon died first) and the child carries on with its log in syslog.
// `on_daemon_start` runs in the child right after the fork (e.g. to drop per-thread state).
// Returns the exit code: 0 after a clean unmount. Throws std::runtime_error if the mount
// cannot be made.
// `service_manager` is told READY=1 and STOPPING=1 with options.foreground.
int serve_fuse(FuseFilesystem& fs, const std::filesystem::path& mountpoint,
               const std::string& fsname, const MountOptions& options, EventLogger& log,
               ServiceManager& service_manager, const std::function<void()>& on_daemon_start);

// The -o options as libfuse gets them: always "ro,nosuid,nodev", our fsname/subtype, the
// user's options minus the ones mount(8)/fstab add that mean nothing to FUSE or that a model
// mount overrides ("suid", "dev"). Throws std::invalid_argument for "rw" and for
// "sigmount.*" (the mount.fuse3 form takes those out first). `sigmount mount`
// calls it once before verifying, so that a bad option is a usage error.
std::string fuse_option_string(const MountOptions& options, const std::string& fsname);

// Sets /sys/class/bdi/<dev>/read_ahead_kb of the file system holding `path`; returns an
// empty string on success or the reason it could not be done.
std::string set_read_ahead_kb(const std::filesystem::path& path, unsigned kib);

// The libfuse this binary runs with ("3.14.0"), for `sigmount --version`.
std::string libfuse_version();

}  // namespace sigmount::fs
