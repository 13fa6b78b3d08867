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
    "92 22 0:52 / /mnt/with\\040space ro,nosuid,nodev - fuse.sigmount /m "
    "ro,user_id=0,group_id=0\n"
    "93 22 0:53 / /mnt/covered ro - fuse.sigmount /m ro,user_id=0,group_id=0\n"
    "94 93 0:54 / /mnt/covered rw - tmpfs tmpfs rw\n";

std::string problem(const char* path, uid_t caller = 0) {
  std::istringstream mountinfo(kMountinfo);
  return sigmount_mount_problem(path, mountinfo, caller);
}

TEST(StatusMount, OnlyTheRootOfASigmountMountMadeByRootOrTheCallerIsBelieved) {
  EXPECT_EQ(problem("/mnt/llama"), "");
  EXPECT_EQ(problem("/mnt/llama", 1000), "") << "root's mount, asked by a user";
  EXPECT_EQ(problem("/mnt/with space"), "");
  // A directory with the attribute set by hand is not a mount at all, nor is one inside a mount.
  EXPECT_EQ(problem("/home/eve/dir"),
            "is not a mount point (give the directory the model is mounted on)");
  EXPECT_EQ(problem("/mnt/llama/sub"),
            "is not a mount point (give the directory the model is mounted on)");
  EXPECT_EQ(problem("/"), "is a ext4 mount, not sigmount's");
  // Any user may mount a FUSE file system with subtype=sigmount on a directory of theirs.
  EXPECT_EQ(problem("/home/eve/fake", 0),
            "is a sigmount mount made by another user (rw,user_id=1000,group_id=1000)");
  EXPECT_EQ(problem("/home/eve/fake", 1000), "") << "the caller's own";
  // What the path reaches is the topmost mount there.
  EXPECT_EQ(problem("/mnt/covered"), "is a tmpfs mount, not sigmount's");
}

}  // namespace
}  // namespace sigmount::tools
