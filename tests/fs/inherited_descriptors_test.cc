// The mount daemon keeps only descriptors it opens itself, and the /dev/fuse descriptor
// mount.fuse3 may hand it as the mountpoint /dev/fd/N. Checked in a forked child: closing
// every descriptor of the test process would take gtest's with it.
#include "fs/inherited_descriptors.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

namespace sigmount::fs {
namespace {

// In a child: opens descriptors 40 and 41, calls close_inherited_descriptors(mountpoint) and
// exits with a bit set for each of 0, 1, 2, 40, 41 still open afterwards.
int open_after_closing(const std::string& mountpoint) {
  const pid_t child = ::fork();
  if (child == 0) {
    const int fd = ::open("/dev/null", O_RDONLY);
    if (fd < 0 || ::dup2(fd, 40) != 40 || ::dup2(fd, 41) != 41) ::_exit(255);
    const bool closed = close_inherited_descriptors(mountpoint).empty();
    int open = 0;
    const int probes[] = {0, 1, 2, 40, 41};
    for (int i = 0; i < 5; ++i) {
      if (::fcntl(probes[i], F_GETFD) != -1) open |= 1 << i;
    }
    ::_exit(closed ? open : 254);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

constexpr int kStandard = 0b00111;
constexpr int k40 = 0b01000;
constexpr int k41 = 0b10000;

TEST(InheritedDescriptors, AllButTheStandardThreeAreClosed) {
  EXPECT_EQ(open_after_closing("/mnt/model"), kStandard);
}

TEST(InheritedDescriptors, TheDescriptorADevFdMountpointNamesIsKept) {
  EXPECT_EQ(open_after_closing("/dev/fd/41"), kStandard | k41);
  EXPECT_EQ(open_after_closing("/dev/fd/40"), kStandard | k40);
  // Only the exact form names a descriptor.
  EXPECT_EQ(open_after_closing("/dev/fd/41x"), kStandard);
  EXPECT_EQ(open_after_closing("/dev/fd/2"), kStandard);
  EXPECT_EQ(open_after_closing("/dev/fd/"), kStandard);
}

}  // namespace
}  // namespace sigmount::fs
