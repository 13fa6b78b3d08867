#include "fs/mount_options.h"

namespace sigmount::fs {

std::vector<std::string> split_option_list(std::string_view list) {
  std::vector<std::string> options;
  std::size_t start = 0;
  while (start <= list.size()) {
    std::size_t comma = list.find(',', start);
    if (comma == std::string_view::npos) comma = list.size();
    if (comma > start) options.emplace_back(list.substr(start, comma - start));
    start = comma + 1;
  }
  return options;
}

}  // namespace sigmount::fs
