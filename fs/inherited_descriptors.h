// A mount daemon lives as long as its mount, so it must not keep descriptors it was started
// with beyond stdin, stdout and stderr (which it points at /dev/null). Whoever waits for EOF
// on a pipe handed down to `sigmount mount` (a build step's log pipe, a supervisor's status
// pipe) would otherwise wait for as long as the model stays mounted.
#pragma once

#include <string>

namespace sigmount::fs {

// Closes every descriptor from 3 up but the one a mountpoint of the form /dev/fd/N names
// (mount.fuse3's drop_privileges mounts first and hands the daemon the /dev/fuse descriptor
// that way). Call it before opening anything that must stay open. Returns "" or why it could
// not (then some may be left open).
std::string close_inherited_descriptors(const std::string& mountpoint);

}  // namespace sigmount::fs
