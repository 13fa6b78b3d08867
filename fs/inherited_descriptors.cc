#include "fs/inherited_descriptors.h"

#include <dirent.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <string_view>

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

}  // namespace

InheritedDescriptors::InheritedDescriptors(const std::string& mountpoint)
    : keep_(passed_descriptor(mountpoint)) {
  DIR* const listing = ::opendir("/proc/self/fd");
  if (listing == nullptr) return;
  listed_ = true;
  while (const dirent* entry = ::readdir(listing)) {
    const std::string_view name(&entry->d_name[0]);
    int fd = -1;
    const auto parsed = std::from_chars(name.data(), name.data() + name.size(), fd);
    if (parsed.ec == std::errc() && fd > 2 && fd != keep_ && fd != ::dirfd(listing)) {
      noted_.push_back(fd);
    }
  }
  ::closedir(listing);
}

std::string InheritedDescriptors::close_all() {
  if (listed_) {
    for (const int fd : noted_) ::close(fd);
    noted_.clear();
    return {};
  }
  const auto keep = static_cast<unsigned>(keep_);
  const bool closed = keep_ < 0 ? ::close_range(3, ~0U, 0) == 0
                                : (keep == 3 || ::close_range(3, keep - 1, 0) == 0) &&
                                      ::close_range(keep + 1, ~0U, 0) == 0;
  if (closed) return {};
  return std::string("cannot list /proc/self/fd, and close_range failed: ") + std::strerror(errno);
}

}  // namespace sigmount::fs
