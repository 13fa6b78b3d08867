#include "tools/status_command.h"

#include <sys/xattr.h>

#include <cerrno>
#include <iostream>
#include <string>
#include <system_error>

#include "fs/fuse_filesystem.h"

namespace sigmount::tools {

int run_status(const std::filesystem::path& mountpoint) {
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
