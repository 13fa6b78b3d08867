#include "fs/mount_options.h"

#include <unistd.h>

namespace sigmount::fs {

std::vector<std::string> split_nonempty(std::string_view list, char separator) {
  std::vector<std::string> items;
  std::size_t start = 0;
  while (start <= list.size()) {
    std::size_t end = list.find(separator, start);
    if (end == std::string_view::npos) end = list.size();
    if (end > start) items.emplace_back(list.substr(start, end - start));
    start = end + 1;
  }
  return items;
}

std::vector<std::string> split_option_list(std::string_view list) {
  return split_nonempty(list, ',');
}

bool MountOptions::allows_nonempty() const {
  for (const std::string& entry : fuse_options) {
    for (const std::string& option : split_option_list(entry)) {
      if (option == "nonempty") return true;
    }
  }
  return false;
}

std::string cache_size_problem(std::uint64_t cache_size) {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page_size = ::sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page_size <= 0) return "";
  const auto memory = static_cast<std::uint64_t>(pages);
  const auto page = static_cast<std::uint64_t>(page_size);
  if (cache_size / page <= memory) return "";
  return "is more than this machine's memory (" + std::to_string(memory * page) + " bytes)";
}

}  // namespace sigmount::fs
