// `sigmount status MOUNTPOINT`: see run_status() in tools/mount_command.h. The counters are
// read from the xattr fs::kStatusXattr ("user.sigmount.status") of the mount root.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <istream>
#include <string>

#include "tools/mount_command.h"

namespace sigmount::tools {

// Why `path` (canonical) is not a sigmount mount whose status `caller` may believe, from the
// text of /proc/self/mountinfo; "" if it is: the topmost mount at `path` has type
// fuse.sigmount and was made by root or by `caller`. Exposed for tests.
std::string sigmount_mount_problem(const std::filesystem::path& path, std::istream& mountinfo,
                                   uid_t caller);

}  // namespace sigmount::tools
