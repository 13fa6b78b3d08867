// The argument parser: model_signing's spellings, both value forms, usage errors.
#include "tools/args.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sigmount::tools {
namespace {

ArgParser sample_parser() {
  ArgParser parser("sigmount test", "A parser for tests.");
  parser.value("private-key", "PATH", "key")
      .list("ignore-paths", "PATH", "ignore")
      .flag("ignore-git-paths", "git", true, "no-ignore-git-paths")
      .flag("allow-symlinks", "links")
      .flag("foreground", "fg")
      .list("options", "OPTS", "opts")
      .short_name('f', "foreground")
      .short_name('o', "options")
      .positional("MODEL_PATH", "model");
  return parser;
}

ParsedArgs parse(const std::vector<std::string>& args) {
  return sample_parser().parse(args);
}

TEST(ArgsTest, ValueInBothForms) {
  EXPECT_EQ(parse({"--private-key", "k.pem", "m"}).value("private-key"), "k.pem");
  EXPECT_EQ(parse({"--private-key=k.pem", "m"}).value("private-key"), "k.pem");
  EXPECT_EQ(parse({"--private-key=", "m"}).value("private-key"), "");
}

TEST(ArgsTest, UnderscoresSpellTheSameOption) {
  auto parsed = parse({"--private_key", "k.pem", "--allow_symlinks", "m"});
  EXPECT_EQ(parsed.value("private-key"), "k.pem");
  EXPECT_TRUE(parsed.flag("allow-symlinks"));
  EXPECT_FALSE(parse({"--no_ignore_git_paths", "m"}).flag("ignore-git-paths"));
}

TEST(ArgsTest, FlagDefaultsAndNegation) {
  auto defaults = parse({"m"});
  EXPECT_TRUE(defaults.flag("ignore-git-paths"));
  EXPECT_FALSE(defaults.flag("allow-symlinks"));
  EXPECT_FALSE(parse({"--no-ignore-git-paths", "m"}).flag("ignore-git-paths"));
  EXPECT_TRUE(parse({"--no-ignore-git-paths", "--ignore-git-paths", "m"}).flag("ignore-git-paths"));
}

TEST(ArgsTest, RepeatableOptionsKeepEveryValueInOrder) {
  auto parsed = parse({"--ignore-paths", "a", "m", "--ignore-paths=b"});
  EXPECT_EQ(parsed.list("ignore-paths"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(parsed.positionals(), std::vector<std::string>{"m"});
  EXPECT_TRUE(parse({"m"}).list("ignore-paths").empty());
}

TEST(ArgsTest, LastValueWins) {
  EXPECT_EQ(parse({"--private-key", "a", "--private-key", "b", "m"}).value("private-key"), "b");
}

TEST(ArgsTest, ShortNames) {
  auto parsed = parse({"-f", "-o", "allow_other", "-oro", "m"});
  EXPECT_TRUE(parsed.flag("foreground"));
  EXPECT_EQ(parsed.list("options"), (std::vector<std::string>{"allow_other", "ro"}));
}

TEST(ArgsTest, DoubleDashEndsOptions) {
  auto parsed = parse({"--", "--private-key"});
  EXPECT_EQ(parsed.positionals(), std::vector<std::string>{"--private-key"});
  EXPECT_FALSE(parsed.value("private-key"));
}

TEST(ArgsTest, HelpSkipsPositionalChecks) {
  EXPECT_TRUE(parse({"-h"}).help_requested());
  EXPECT_TRUE(parse({"--help"}).help_requested());
  EXPECT_NE(sample_parser().help().find("--ignore-git-paths / --no-ignore-git-paths"),
            std::string::npos);
}

TEST(ArgsTest, UsageErrors) {
  EXPECT_THROW(parse({}), UsageError);                      // missing MODEL_PATH
  EXPECT_THROW(parse({"m", "n"}), UsageError);              // extra positional
  EXPECT_THROW(parse({"--unknown", "m"}), UsageError);      // unknown option
  EXPECT_THROW(parse({"-x", "m"}), UsageError);             // unknown short option
  EXPECT_THROW(parse({"m", "--private-key"}), UsageError);  // value missing at end
  EXPECT_THROW(parse({"--private-key", "--allow-symlinks", "m"}), UsageError);  // value forgotten
  EXPECT_THROW(parse({"--allow-symlinks=yes", "m"}), UsageError);               // flag with a value
  EXPECT_THROW(parse({"m"}).required("private-key"), UsageError);
}

}  // namespace
}  // namespace sigmount::tools
