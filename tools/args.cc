#include "tools/args.h"

#include <algorithm>
#include <sstream>

namespace sigmount::tools {

std::string canonical_option_name(std::string spelled) {
  std::replace(spelled.begin(), spelled.end(), '_', '-');
  return spelled;
}

bool ParsedArgs::flag(const std::string& name) const {
  auto it = values_.find(name);
  if (it != values_.end() && !it->second.empty()) return it->second.back() == "1";
  auto def = flag_defaults_.find(name);
  return def != flag_defaults_.end() && def->second;
}

std::optional<std::string> ParsedArgs::value(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::string ParsedArgs::required(const std::string& name) const {
  auto found = value(name);
  if (!found) throw UsageError("missing required option --" + name);
  return *found;
}

std::vector<std::string> ParsedArgs::list(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

ArgParser::ArgParser(std::string command, std::string summary)
    : command_(std::move(command)), summary_(std::move(summary)) {}

ArgParser& ArgParser::flag(const std::string& name, const std::string& help, bool default_value,
                           const std::string& negation) {
  options_.push_back({name, Kind::flag, "", help, default_value, negation});
  return *this;
}

ArgParser& ArgParser::value(const std::string& name, const std::string& metavar,
                            const std::string& help) {
  options_.push_back({name, Kind::value, metavar, help, false, ""});
  return *this;
}

ArgParser& ArgParser::list(const std::string& name, const std::string& metavar,
                           const std::string& help) {
  options_.push_back({name, Kind::list, metavar, help, false, ""});
  return *this;
}

ArgParser& ArgParser::short_name(char letter, const std::string& name) {
  for (auto& option : options_) {
    if (option.name == name) option.letter = letter;
  }
  return *this;
}

ArgParser& ArgParser::repeat_last_positional() {
  repeat_last_ = true;
  return *this;
}

ArgParser& ArgParser::positional(const std::string& metavar, const std::string& help) {
  positionals_.push_back({metavar, help});
  return *this;
}

const ArgParser::Option* ArgParser::find(const std::string& spelled, bool& negated) const {
  const std::string name = canonical_option_name(spelled);
  for (const auto& option : options_) {
    if (option.name == name) {
      negated = false;
      return &option;
    }
    if (!option.negation.empty() && option.negation == name) {
      negated = true;
      return &option;
    }
  }
  return nullptr;
}

const ArgParser::Option* ArgParser::find_short(char letter) const {
  for (const auto& option : options_) {
    if (option.letter == letter) return &option;
  }
  return nullptr;
}

void ArgParser::store(ParsedArgs& parsed, const Option& option, std::string value) const {
  auto& slot = parsed.values_[option.name];
  if (option.kind == Kind::value) slot.clear();
  slot.push_back(std::move(value));
}

ParsedArgs ArgParser::parse(std::span<const std::string> args) const {
  ParsedArgs parsed;
  for (const auto& option : options_) {
    if (option.kind == Kind::flag) parsed.flag_defaults_[option.name] = option.default_value;
  }
  bool options_ended = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (options_ended || arg == "-" || arg.empty() || arg[0] != '-') {
      parsed.positionals_.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_ended = true;
      continue;
    }
    if (arg == "-h" || arg == "--help") {
      parsed.help_requested_ = true;
      continue;
    }
    if (!arg.starts_with("--")) {
      const Option* option = find_short(arg[1]);
      if (option == nullptr) throw UsageError("unknown option " + arg);
      if (option->kind == Kind::flag) {
        if (arg.size() != 2) throw UsageError("unknown option " + arg);
        parsed.values_[option->name] = {"1"};
      } else if (arg.size() > 2) {
        store(parsed, *option, arg.substr(2));
      } else if (i + 1 < args.size()) {
        store(parsed, *option, args[++i]);
      } else {
        throw UsageError("option " + arg + " needs a value (" + option->metavar + ")");
      }
      continue;
    }

    std::string spelled = arg.substr(2);
    std::optional<std::string> inline_value;
    if (auto eq = spelled.find('='); eq != std::string::npos) {
      inline_value = spelled.substr(eq + 1);
      spelled.resize(eq);
    }
    bool negated = false;
    const Option* option = find(spelled, negated);
    if (option == nullptr) throw UsageError("unknown option --" + spelled);

    if (option->kind == Kind::flag) {
      if (inline_value) throw UsageError("option --" + spelled + " takes no value");
      parsed.values_[option->name] = {negated ? "0" : "1"};
      continue;
    }
    std::string value;
    if (inline_value) {
      value = *inline_value;
    } else {
      // A value may itself start with '-' (a file named "-x"), but a following "--option"
      // almost always means the value was forgotten.
      if (i + 1 >= args.size() || args[i + 1].starts_with("--")) {
        throw UsageError("option --" + option->name + " needs a value (" + option->metavar + ")");
      }
      value = args[++i];
    }
    store(parsed, *option, std::move(value));
  }
  if (parsed.help_requested_) return parsed;
  if (parsed.positionals_.size() < positionals_.size()) {
    throw UsageError("missing argument " + positionals_[parsed.positionals_.size()].metavar);
  }
  if (!repeat_last_ && parsed.positionals_.size() > positionals_.size()) {
    throw UsageError("unexpected argument '" + parsed.positionals_[positionals_.size()] + "'");
  }
  return parsed;
}

std::string ArgParser::usage_line() const {
  std::ostringstream out;
  out << "usage: " << command_ << " [options]";
  for (const auto& positional : positionals_) out << ' ' << positional.metavar;
  return out.str();
}

std::string ArgParser::help() const {
  std::ostringstream out;
  out << usage_line() << "\n\n" << summary_ << "\n";
  if (!positionals_.empty()) {
    out << "\narguments:\n";
    for (const auto& positional : positionals_) {
      out << "  " << positional.metavar << "\n      " << positional.help << "\n";
    }
  }
  out << "\noptions:\n";
  for (const auto& option : options_) {
    out << "  ";
    if (option.letter != 0) out << '-' << option.letter << ", ";
    out << "--" << option.name;
    if (!option.negation.empty()) out << " / --" << option.negation;
    if (option.kind != Kind::flag) out << ' ' << option.metavar;
    if (option.kind == Kind::list) out << " (repeatable)";
    out << "\n      " << option.help << "\n";
  }
  out << "  -h, --help\n      Show this help and exit.\n";
  return out.str();
}

}  // namespace sigmount::tools
