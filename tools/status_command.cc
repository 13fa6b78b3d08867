#include "tools/status_command.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <system_error>

#include "fs/fuse_filesystem.h"
#include "hashing/unique_fd.h"

namespace sigmount::tools {
std::string sigmount_mount_problem(std::uint64_t mount_id, std::istream& mountinfo, uid_t caller) {
  std::string line;
  while (std::getline(mountinfo, line)) {
    std::istringstream fields(line);
    std::uint64_t id = 0;
    std::string parent, device, root, point;
    if (!(fields >> id >> parent >> device >> root >> point) || id != mount_id) continue;
    std::string field;
    while (fields >> field && field != "-") {
    }
    std::string type, source, super_options;
    fields >> type >> source >> super_options;
    if (type != "fuse.sigmount") return "is not a sigmount mount (it is on " + type + ")";
    // ("/" is the same escaped or not: mountinfo escapes only spaces, tabs, newlines and \.)
    if (root != "/") return "is a bind mount of part of a sigmount mount";
    // FUSE records who mounted it. A user may mount a FUSE file system of any subtype on a
    // directory of theirs: only the caller's own or root's is believed.
    const std::string options = "," + super_options + ",";
    if (options.find(",user_id=0,") == std::string::npos &&
        options.find(",user_id=" + std::to_string(caller) + ",") == std::string::npos) {
      return "is a sigmount mount made by another user (" + super_options + ")";
    }
    return "";
  }
  // A chroot's root that is no mount point of its own: its mount lies outside, unlisted.
  return "is not a sigmount mount (its mount is outside this process's root: "
         "/proc/self/mountinfo does not list it)";
}

int run_status(const std::filesystem::path& mountpoint) {
  // Its extended attribute alone proves nothing: anyone can set user.sigmount.status on a
  // directory of their own. So the directory is opened once, and both the question "on which
  // mount is it" and the attribute are asked of that descriptor: no name can be swapped in
  // between, and a mount stacked on a parent cannot stand in for it.
  const UniqueFd fd(::open(mountpoint.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) throw std::system_error(errno, std::generic_category(), mountpoint.string());
  struct statx identity {};
  if (::statx(fd.get(), "", AT_EMPTY_PATH, STATX_MNT_ID, &identity) != 0 ||
      (identity.stx_mask & STATX_MNT_ID) == 0) {
    throw std::runtime_error(mountpoint.string() + ": the kernel does not tell its mount (statx)");
  }
  std::ifstream mountinfo("/proc/self/mountinfo");
  if (!mountinfo) throw std::runtime_error("cannot read /proc/self/mountinfo");
  if (const std::string problem =
          sigmount_mount_problem(identity.stx_mnt_id, mountinfo, ::getuid());
      !problem.empty()) {
    std::cerr << "Status failed: " << mountpoint.string() << " " << problem << "\n";
    return 1;
  }
  std::string value(4096, '\0');
  while (true) {
    const ssize_t size = ::fgetxattr(fd.get(), fs::kStatusXattr, value.data(), value.size());
    if (size >= 0) {
      value.resize(static_cast<std::size_t>(size));
      break;
    }
    if (errno == ERANGE) {
      value.resize(value.size() * 4);
      continue;
    }
    if (errno == ENODATA || errno == ENOTSUP) {
      std::cerr << "Status failed: " << mountpoint.string()
                << " is not the root of a sigmount mount\n";
      return 1;
    }
    throw std::system_error(errno, std::generic_category(), mountpoint.string());
  }
  std::cout << value << "\n";
  return 0;
}

}  // namespace sigmount::tools
