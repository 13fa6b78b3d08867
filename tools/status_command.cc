#include "tools/status_command.h"

#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "fs/fuse_filesystem.h"

namespace sigmount::tools {
namespace {

// mountinfo writes space, tab, newline and backslash in paths as \ooo (octal).
std::string unescape_mountinfo(std::string_view field) {
  std::string out;
  for (std::size_t i = 0; i < field.size(); ++i) {
    const std::string_view digits = field.substr(i + 1, 3);
    if (field[i] == '\\' && digits.size() == 3 &&
        digits.find_first_not_of("01234567") == std::string_view::npos) {
      out += static_cast<char>((digits[0] - '0') * 64 + (digits[1] - '0') * 8 + (digits[2] - '0'));
      i += 3;
    } else {
      out += field[i];
    }
  }
  return out;
}

}  // namespace

std::string sigmount_mount_problem(const std::filesystem::path& path, std::istream& mountinfo,
                                   uid_t caller) {
  // The topmost mount at `path` is the one its name reaches: the last listed there.
  std::optional<std::pair<std::string, std::string>> found;  // type, super options
  std::string line;
  while (std::getline(mountinfo, line)) {
    std::istringstream fields(line);
    std::string id, parent, device, root, point;
    fields >> id >> parent >> device >> root >> point;
    if (unescape_mountinfo(point) != path.string()) continue;
    std::string field;
    while (fields >> field && field != "-") {
    }
    std::string type, source, super_options;
    fields >> type >> source >> super_options;
    found = {type, super_options};
  }
  if (!found) return "is not a mount point (give the directory the model is mounted on)";
  if (found->first != "fuse.sigmount") return "is a " + found->first + " mount, not sigmount's";
  // FUSE records who mounted it. A user may mount a FUSE file system of any subtype on a
  // directory of theirs: only the caller's own or root's is believed.
  const std::string owner = "user_id=";
  const std::string options = "," + found->second + ",";
  if (options.find("," + owner + "0,") == std::string::npos &&
      options.find("," + owner + std::to_string(caller) + ",") == std::string::npos) {
    return "is a sigmount mount made by another user (" + found->second + ")";
  }
  return "";
}

int run_status(const std::filesystem::path& given) {
  // Its extended attribute alone proves nothing: anyone can set user.sigmount.status on a
  // directory of their own. So first: is this the root of a sigmount mount?
  std::error_code error;
  const std::filesystem::path mountpoint = std::filesystem::canonical(given, error);
  if (error) throw std::system_error(error, given.string());
  std::ifstream mountinfo("/proc/self/mountinfo");
  if (!mountinfo) throw std::runtime_error("cannot read /proc/self/mountinfo");
  if (const std::string problem = sigmount_mount_problem(mountpoint, mountinfo, ::getuid());
      !problem.empty()) {
    std::cerr << "Status failed: " << given.string() << " " << problem << "\n";
    return 1;
  }
  std::string value(4096, '\0');
  while (true) {
    const ssize_t size =
        ::getxattr(mountpoint.c_str(), fs::kStatusXattr, value.data(), value.size());
    if (size >= 0) {
      value.resize(static_cast<std::size_t>(size));
      break;
    }
    if (errno == ERANGE) {
      value.resize(value.size() * 4);
      continue;
    }
    if (errno == ENODATA || errno == ENOTSUP) {
      std::cerr << "Status failed: " << mountpoint.string() << " is not a sigmount mount\n";
      return 1;
    }
    throw std::system_error(errno, std::generic_category(), mountpoint.string());
  }
  std::cout << value << "\n";
  return 0;
}

}  // namespace sigmount::tools
