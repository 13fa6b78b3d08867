// `sigmount status` believes the status attribute only of a sigmount mount's root.
#include <gtest/gtest.h>

#include <sstream>

#include "tools/status_command.h"

namespace sigmount::tools {
namespace {

// Lines as the kernel writes them (the sigmount one from a real mount, as root).
constexpr const char* kMountinfo =
    "22 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda rw\n"
    "90 22 0:50 / /mnt/llama ro,nosuid,nodev,relatime shared:60 - fuse.sigmount "
    "/models/llama ro,user_id=0,group_id=0,default_permissions\n"
    "91 22 0:51 / /home/eve/fake rw,nosuid,nodev shared:61 - fuse.sigmount /home/eve/x "
    "rw,user_id=1000,group_id=1000\n"
    "92 22 0:50 /sub /srv/part ro,nosuid,nodev - fuse.sigmount /models/llama "
    "ro,user_id=0,group_id=0\n"
    "93 22 0:53 / /mnt/with\\040space ro - fuse.sigmount /m ro,user_id=0,group_id=0\n";

std::string problem(std::uint64_t mount_id, uid_t caller = 0) {
  std::istringstream mountinfo(kMountinfo);
  return sigmount_mount_problem(mount_id, mountinfo, caller);
}

// The mount is found by the id the kernel gives for the opened directory, not by a path that
// another mount (on a parent, or later) could shadow.
TEST(StatusMount, OnlyASigmountMountMadeByRootOrTheCallerIsBelieved) {
  EXPECT_EQ(problem(90), "");
  EXPECT_EQ(problem(90, 1000), "") << "root's mount, asked by a user";
  EXPECT_EQ(problem(93), "");
  // A directory with the attribute set by hand lies on some other file system.
  EXPECT_EQ(problem(22), "is not a sigmount mount (it is on ext4)");
  // Any user may mount a FUSE file system with subtype=sigmount on a directory of theirs.
  EXPECT_EQ(problem(91, 0),
            "is a sigmount mount made by another user (rw,user_id=1000,group_id=1000)");
  EXPECT_EQ(problem(91, 1000), "") << "the caller's own";
  EXPECT_EQ(problem(92), "is a bind mount of part of a sigmount mount");
  EXPECT_EQ(problem(7),
            "is not a sigmount mount (its mount is outside this process's root: "
            "/proc/self/mountinfo does not list it)");
}

}  // namespace
}  // namespace sigmount::tools
