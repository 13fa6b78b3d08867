#include "tools/command_support.h"

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <iostream>
#include <system_error>

#include "verifier/errors.h"

namespace sigmount::tools {

std::optional<ParsedArgs> parse_or_exit(const ArgParser& parser, std::span<const std::string> args,
                                        int& exit_code) {
  try {
    ParsedArgs parsed = parser.parse(args);
    if (parsed.help_requested()) {
      std::cout << parser.help();
      exit_code = kExitOk;
      return std::nullopt;
    }
    return parsed;
  } catch (const UsageError& error) {
    std::cerr << "error: " << error.what() << "\n" << parser.usage_line() << "\n";
    exit_code = kExitUsage;
    return std::nullopt;
  }
}

std::string method_help(std::string_view command, std::string_view operands,
                        std::string_view description, std::span<const MethodSummary> methods) {
  std::string help = "usage: sigmount " + std::string(command) + " METHOD [options] " +
                     std::string(operands) + "\n\n" + std::string(description) + "\n\nmethods:\n";
  std::size_t width = 0;
  for (const MethodSummary& method : methods) width = std::max(width, method.name.size());
  for (const MethodSummary& method : methods) {
    help += "  " + std::string(method.name) + std::string(width + 3 - method.name.size(), ' ') +
            std::string(method.summary) + "\n";
  }
  help += "\nRun 'sigmount " + std::string(command) + " METHOD -h' for a method's options.\n";
  return help;
}

int run_reporting_failures(std::string_view failure_prefix, const std::function<int()>& body) {
  try {
    return body();
  } catch (const UsageError& error) {
    std::cerr << "error: " << error.what() << "\n";
    return kExitUsage;
  } catch (const verifier::VerificationError& error) {
    for (const auto& problem : error.problems()) {
      std::cerr << failure_prefix << ": " << problem << "\n";
    }
    return kExitFailure;
  } catch (const verifier::FormatError& error) {
    std::cerr << failure_prefix << ": " << error.what() << "\n";
    return kExitFailure;
  } catch (const verifier::SigningError& error) {
    std::cerr << failure_prefix << ": " << error.what() << "\n";
    return kExitFailure;
  } catch (const std::system_error& error) {
    std::cerr << failure_prefix << ": " << error.what() << "\n";
    return kExitFailure;
  } catch (const std::exception& error) {
    // Anything else is a bug or an unexpected environment problem; still one line, exit 1.
    std::cerr << failure_prefix << ": " << error.what() << "\n";
    return kExitFailure;
  }
}

void write_output_file(const std::filesystem::path& path, std::string_view text,
                       std::string_view what) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    throw std::system_error(errno, std::generic_category(),
                            "cannot write the " + std::string(what) + " " + path.string());
  }
}

}  // namespace sigmount::tools
