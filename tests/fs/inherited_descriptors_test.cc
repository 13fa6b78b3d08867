// The mount daemon drops the descriptors it was started with, after reading what it needed
// from them, and never one of its own; it keeps the /dev/fuse descriptor mount.fuse3 may hand
// it as the mountpoint /dev/fd/N. Checked in a forked child: closing descriptors of the test
// process would take gtest's with it.
#include "fs/inherited_descriptors.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <string>

namespace sigmount::fs {
namespace {

// In a child: with descriptors 40 and 41 open ("inherited"), notes them for `mountpoint`,
// opens 50 (its own), closes what was noted. Exits with a bit set for each of 0, 1, 2, 40,
// 41, 50 still open afterwards.
int open_after_closing(const std::string& mountpoint) {
  const pid_t child = ::fork();
  if (child == 0) {
    const int fd = ::open("/dev/null", O_RDONLY);
    if (fd < 0 || ::dup2(fd, 40) != 40 || ::dup2(fd, 41) != 41) ::_exit(255);
    ::close(fd);
    InheritedDescriptors inherited(mountpoint);
    if (::dup2(40, 50) != 50) ::_exit(255);
    const bool closed = inherited.close_all().empty();
    int open = 0;
    constexpr std::array<int, 6> kProbes = {0, 1, 2, 40, 41, 50};
    for (std::size_t i = 0; i < kProbes.size(); ++i) {
      if (::fcntl(kProbes[i], F_GETFD) != -1) open |= 1 << i;
    }
    ::_exit(closed ? open : 254);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

constexpr int kStandard = 0b000111;
constexpr int k40 = 0b001000;
constexpr int k41 = 0b010000;
constexpr int kOwn = 0b100000;

TEST(InheritedDescriptors, AllButTheStandardThreeAreClosedAndNoneOpenedSince) {
  EXPECT_EQ(open_after_closing("/mnt/model"), kStandard | kOwn);
}

TEST(InheritedDescriptors, TheDescriptorADevFdMountpointNamesIsKept) {
  EXPECT_EQ(open_after_closing("/dev/fd/41"), kStandard | k41 | kOwn);
  EXPECT_EQ(open_after_closing("/dev/fd/40"), kStandard | k40 | kOwn);
  // Only the exact form names a descriptor.
  EXPECT_EQ(open_after_closing("/dev/fd/41x"), kStandard | kOwn);
  EXPECT_EQ(open_after_closing("/dev/fd/2"), kStandard | kOwn);
  EXPECT_EQ(open_after_closing("/dev/fd/"), kStandard | kOwn);
}

}  // namespace
}  // namespace sigmount::fs
