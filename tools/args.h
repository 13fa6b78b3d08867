// A tiny command-line parser for the sigmount subcommands: long options spelled as
// model_signing spells them (underscores accepted for hyphens, as its click normalizer does),
// `--flag=value` and `--flag value`, boolean flags with an optional `--no-` form, repeatable
// options, and positional arguments. No global state: each command builds its own parser.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace sigmount::tools {

// A command line that does not follow the command's syntax. The CLI prints it with the
// command's usage line and exits 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The result of a parse: option values by canonical (hyphenated) name, and positionals.
class ParsedArgs {
 public:
  bool help_requested() const { return help_requested_; }
  bool flag(const std::string& name) const;
  std::optional<std::string> value(const std::string& name) const;
  // Throws UsageError ("missing --name") when the option was not given.
  std::string required(const std::string& name) const;
  std::vector<std::string> list(const std::string& name) const;
  const std::vector<std::string>& positionals() const { return positionals_; }
  bool given(const std::string& name) const { return values_.contains(name); }

 private:
  friend class ArgParser;
  bool help_requested_ = false;
  std::map<std::string, std::vector<std::string>> values_;  // flags hold "1" or "0"
  std::map<std::string, bool> flag_defaults_;
  std::vector<std::string> positionals_;
};

class ArgParser {
 public:
  // `command` is how the help names it ("sigmount verify key"); `summary` one line about it.
  ArgParser(std::string command, std::string summary);

  // A boolean flag; `negation` (e.g. "no-ignore-git-paths") sets it back to false.
  ArgParser& flag(const std::string& name, const std::string& help, bool default_value = false,
                  const std::string& negation = "");
  // An option taking one value; given twice, the last one wins.
  ArgParser& value(const std::string& name, const std::string& metavar, const std::string& help);
  // A repeatable option collecting every value.
  ArgParser& list(const std::string& name, const std::string& metavar, const std::string& help);
  // A one-letter spelling of an already declared option: `-f`, `-o VALUE`, `-oVALUE`.
  ArgParser& short_name(char letter, const std::string& name);
  // A positional argument; all declared positionals are required, in order.
  ArgParser& positional(const std::string& metavar, const std::string& help);
  // Allows more positionals after the declared ones (the last one may repeat: "ARTIFACT...").
  ArgParser& repeat_last_positional();

  // Throws UsageError. `-h`/`--help` anywhere before `--` sets help_requested() and stops
  // checking required positionals.
  ParsedArgs parse(std::span<const std::string> args) const;

  std::string usage_line() const;
  std::string help() const;

 private:
  enum class Kind { flag, value, list };
  struct Option {
    std::string name;
    Kind kind;
    std::string metavar;
    std::string help;
    bool default_value = false;
    std::string negation;
    char letter = 0;
  };
  struct Positional {
    std::string metavar;
    std::string help;
  };
  // Finds the option a spelled name refers to; sets `negated` when it is a `--no-` form.
  const Option* find(const std::string& spelled, bool& negated) const;
  const Option* find_short(char letter) const;
  void store(ParsedArgs& parsed, const Option& option, std::string value) const;

  std::string command_;
  std::string summary_;
  std::vector<Option> options_;
  std::vector<Positional> positionals_;
  bool repeat_last_ = false;
};

// `--private_key` -> `private-key`: model_signing accepts both spellings.
std::string canonical_option_name(std::string spelled);

}  // namespace sigmount::tools
