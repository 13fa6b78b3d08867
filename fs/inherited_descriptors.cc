#include "fs/inherited_descriptors.h"

#include <dirent.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <string_view>
#include <vector>

namespace sigmount::fs {

namespace {

// N of "/dev/fd/N" when N > 2; otherwise -1.
int passed_descriptor(std::string_view mountpoint) {
  constexpr std::string_view kPrefix = "/dev/fd/";
  if (!mountpoint.starts_with(kPrefix)) return -1;
  mountpoint.remove_prefix(kPrefix.size());
  int fd = -1;
  const auto parsed = std::from_chars(mountpoint.data(), mountpoint.data() + mountpoint.size(), fd);
  if (parsed.ec != std::errc() || parsed.ptr != mountpoint.data() + mountpoint.size()) return -1;
  return fd > 2 ? fd : -1;
}

bool close_range_except(int keep) {
  if (keep < 0) return ::close_range(3, ~0U, 0) == 0;
  const auto kept = static_cast<unsigned>(keep);
  return (kept == 3 || ::close_range(3, kept - 1, 0) == 0) && ::close_range(kept + 1, ~0U, 0) == 0;
}

}  // namespace

std::string close_inherited_descriptors(const std::string& mountpoint) {
  const int keep = passed_descriptor(mountpoint);
  if (close_range_except(keep)) return {};
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
    if (parsed.ec == std::errc() && fd > 2 && fd != keep && fd != ::dirfd(listing)) {
      open.push_back(fd);
    }
  }
  ::closedir(listing);
  for (const int fd : open) ::close(fd);
  return {};
}

}  // namespace sigmount::fs
