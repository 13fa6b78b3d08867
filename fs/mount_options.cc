#include "fs/mount_options.h"

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

}  // namespace sigmount::fs
