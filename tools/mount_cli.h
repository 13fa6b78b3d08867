// `sigmount mount` and `sigmount status`: argv -> MountCommand, then the fs engineer's
// run_mount / run_status (tools/mount_command.h) do the work.
#pragma once

#include <span>
#include <string>

#include "tools/mount_command.h"

namespace sigmount::tools {

// Parses `mount METHOD [options] SOURCE MOUNTPOINT` (args start after "mount"). Throws
// UsageError. Returns nullopt when help was requested (and printed).
std::optional<MountCommand> parse_mount_command(std::span<const std::string> args);

int mount_main(std::span<const std::string> args);
int status_main(std::span<const std::string> args);

}  // namespace sigmount::tools
