// The table of sigmount's top-level commands. Each entry receives the arguments after its
// name and returns the process exit code (0 ok, 1 failure, 2 usage).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sigmount::tools {

struct CommandEntry {
  std::string_view name;
  int (*run)(std::span<const std::string> args);
};

const std::vector<CommandEntry>& command_table();

}  // namespace sigmount::tools
