#include "fs/inherited_descriptors.h"

#include <dirent.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <string_view>
#include <vector>

namespace sigmount::fs {

std::string close_inherited_descriptors() {
  if (::close_range(3, ~0U, 0) == 0) return {};
  // Kernels before 5.9: close what /proc lists.
  DIR* const listing = ::opendir("/proc/self/fd");
  if (listing == nullptr) {
    return std::string("cannot list /proc/self/fd: ") + std::strerror(errno);
  }
  std::vector<int> open;
  while (const dirent* entry = ::readdir(listing)) {
    const std::string_view name(&entry->d_name[0]);
    int fd = -1;
    const auto parsed = std::from_chars(name.data(), name.data() + name.size(), fd);
    if (parsed.ec == std::errc() && fd > 2 && fd != ::dirfd(listing)) open.push_back(fd);
  }
  ::closedir(listing);
  for (const int fd : open) ::close(fd);
  return {};
}

}  // namespace sigmount::fs
