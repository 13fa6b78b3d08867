// `sigmount status MOUNTPOINT`: see run_status() in tools/mount_command.h. The counters are
// read from the xattr fs::kStatusXattr ("user.sigmount.status") of the mount root.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <istream>
#include <string>

#include "tools/mount_command.h"

namespace sigmount::tools {

// Why the mount `mount_id` (statx STATX_MNT_ID) is not one whose status `caller` may believe,
// from the text of /proc/self/mountinfo; "" if it is: type fuse.sigmount, its whole file
// system (not a bind mount of a part), made by root or by `caller`. Exposed for tests.
std::string sigmount_mount_problem(std::uint64_t mount_id, std::istream& mountinfo, uid_t caller);

}  // namespace sigmount::tools
