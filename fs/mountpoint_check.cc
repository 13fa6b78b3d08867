#include "fs/mountpoint_check.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include "hashing/unique_fd.h"

namespace sigmount::fs {

void check_mountpoint(const std::filesystem::path& mountpoint, bool allow_nonempty) {
  const std::string name = "MOUNTPOINT " + mountpoint.string();
  struct statx st {};
  if (::statx(AT_FDCWD, mountpoint.c_str(), 0, STATX_TYPE, &st) != 0) {
    const int error = errno;
    if (error == ENOTCONN) {
      throw std::runtime_error(name +
                               " is a mount whose daemon is gone (Transport endpoint is not "
                               "connected): unmount it first (fusermount3 -u " +
                               mountpoint.string() + ")");
    }
    throw std::runtime_error(name + " is not an existing directory (" + std::strerror(error) + ")");
  }
  if (!S_ISDIR(st.stx_mode)) throw std::runtime_error(name + " is not a directory");
  if ((st.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) != 0 &&
      (st.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0) {
    throw std::runtime_error(name +
                             " is a mount point already: unmount what is there first "
                             "(fusermount3 -u " +
                             mountpoint.string() + "); sigmount does not stack mounts");
  }
  if (allow_nonempty) return;
  std::error_code error;
  std::filesystem::directory_iterator entries(mountpoint, error);
  if (error) {
    throw std::runtime_error(name + " cannot be listed (" + error.message() + ")");
  }
  if (entries != std::filesystem::directory_iterator()) {
    throw std::runtime_error(name + " is not empty (it holds " +
                             entries->path().filename().string() +
                             "): the mount would hide what is there; give an empty directory, "
                             "or -o nonempty to mount over it");
  }
}

std::string fuse_device_problem() {
  const UniqueFd device(::open("/dev/fuse", O_RDWR | O_CLOEXEC));
  if (device.get() >= 0) return "";
  const int error = errno;
  if (error == ENOENT || error == ENXIO || error == ENODEV) {
    return "there is no /dev/fuse (" + std::string(std::strerror(error)) +
           "): load the fuse module (modprobe fuse), or give a container the device "
           "(docker run --device /dev/fuse --cap-add SYS_ADMIN)";
  }
  if (error == EACCES || error == EPERM) {
    return "/dev/fuse is not accessible to this user (uid " + std::to_string(::getuid()) + ": " +
           std::strerror(error) +
           "): mount as root or with CAP_SYS_ADMIN, or give this user read-write access to "
           "/dev/fuse; in a container, run it with --device /dev/fuse --cap-add SYS_ADMIN";
  }
  return "cannot open /dev/fuse: " + std::string(std::strerror(error));
}

}  // namespace sigmount::fs
