// `sigmount status MOUNTPOINT`: see run_status() in tools/mount_command.h. The counters are
// read from the xattr fs::kStatusXattr ("user.sigmount.status") of the mount root.
#pragma once

#include "tools/mount_command.h"
