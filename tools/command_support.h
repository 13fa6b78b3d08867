// What every sigmount subcommand shares: parsing its arguments with its parser, printing help
// and usage errors, and mapping the library's exceptions to exit codes and one line per
// problem (DEVELOPING.md: FormatError / VerificationError / std::system_error -> exit 1,
// usage -> exit 2).
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "tools/args.h"

namespace sigmount::tools {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// Parses `args`; on -h prints the help to stdout and returns kExitOk through `exit_code`; on
// a usage error prints it with the usage line to stderr and returns kExitUsage. Returns the
// parsed arguments only when the command should run.
std::optional<ParsedArgs> parse_or_exit(const ArgParser& parser, std::span<const std::string> args,
                                        int& exit_code);

// A method word of a command (`sign key`, `verify sigstore`) and what it means, for the help
// of the command given without one.
struct MethodSummary {
  std::string_view name;
  std::string_view summary;
};

// "usage: sigmount COMMAND METHOD [options] OPERANDS", the command's description, its methods
// one per line with their summaries, and how to see one method's options.
std::string method_help(std::string_view command, std::string_view operands,
                        std::string_view description, std::span<const MethodSummary> methods);

// Runs `body`; catches what the libraries throw and prints "<failure_prefix>: <line>" once per
// problem on stderr (e.g. "Verification failed: hash mismatch for d0/f00: ..."). UsageError
// thrown by the body (a semantic usage problem, like two exclusive options) exits 2.
int run_reporting_failures(std::string_view failure_prefix, const std::function<int()>& body);

// Writes `text` to `path` (truncating); std::system_error "cannot write the <what> PATH".
void write_output_file(const std::filesystem::path& path, std::string_view text,
                       std::string_view what);

}  // namespace sigmount::tools
