// What a mount needs of its MOUNTPOINT and of /dev/fuse, checked before any verification so
// that a mistake is told in one line at once, not after minutes of --verify-all or as
// libfuse's own terse failure.
#pragma once

#include <filesystem>
#include <string>

namespace sigmount::fs {

// Throws std::runtime_error naming MOUNTPOINT and what to do when it is not an existing
// directory, is a mount point already (sigmount does not stack a second daemon on a first),
// is a mount whose daemon is gone, or is not empty and `allow_nonempty` (-o nonempty) is not
// given: a mount over files hides them.
void check_mountpoint(const std::filesystem::path& mountpoint, bool allow_nonempty);

// Why this process cannot open /dev/fuse, and what gives access ("" when it can).
std::string fuse_device_problem();

}  // namespace sigmount::fs
