#include "tools/model_options.h"

#include <charconv>

namespace sigmount::tools {

void add_model_options(ArgParser& parser) {
  parser
      .list("ignore-paths", "PATH",
            "A file or directory to leave out (relative to the current directory).")
      .flag("ignore-git-paths",
            "Leave out .git, .gitattributes, .github and .gitignore at the model root "
            "(default).",
            true, "no-ignore-git-paths")
      .flag("allow-symlinks",
            "Include symlinked files (hashing their targets' content); otherwise a symlink "
            "is an error.");
}

void add_serialization_options(ArgParser& parser) {
  parser
      .value("hash", "sha256|blake2|blake3",
             "Digest of each file or shard (default sha256; blake2 is BLAKE2b-512, also "
             "spelled blake2b).")
      .value("serialization", "files|shards",
             "One digest per file (default), or per shard of --shard-size bytes.")
      .value("shard-size", "BYTES", "Shard size for --serialization shards (default 1000000000).");
}

void add_signature_option(ArgParser& parser, const std::string& help) {
  parser.value("signature", "PATH", help + " (default: model.sig in the current directory).");
}

std::filesystem::path signature_path_from(const ParsedArgs& args) {
  return args.value("signature").value_or(kDefaultSignature);
}

verifier::ModelOptions model_options_from(const ParsedArgs& args,
                                          const std::optional<std::filesystem::path>& signature) {
  verifier::ModelOptions options;
  for (const auto& path : args.list("ignore-paths")) options.ignore_paths.emplace_back(path);
  options.ignore_git_paths = args.flag("ignore-git-paths");
  options.allow_symlinks = args.flag("allow-symlinks");
  options.signature_path = signature;
  return options;
}

namespace {

hashing::HashAlgorithm parse_hash(const std::string& name) {
  if (name == "sha256") return hashing::HashAlgorithm::sha256;
  if (name == "blake2" || name == "blake2b") return hashing::HashAlgorithm::blake2b;
  if (name == "blake3") return hashing::HashAlgorithm::blake3;
  throw UsageError("unknown --hash '" + name + "' (expected sha256, blake2 or blake3)");
}

std::uint64_t parse_shard_size(const std::string& text) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc{} || ptr != end || value == 0) {
    throw UsageError("--shard-size needs a positive number of bytes, got '" + text + "'");
  }
  return value;
}

}  // namespace

verifier::Serialization serialization_from(const ParsedArgs& args) {
  verifier::Serialization serialization;
  serialization.hash = parse_hash(args.value("hash").value_or("sha256"));
  serialization.allow_symlinks = args.flag("allow-symlinks");
  const std::string method = args.value("serialization").value_or("files");
  if (method == "files") {
    serialization.method = verifier::SerializationMethod::files;
    if (args.given("shard-size")) {
      throw UsageError("--shard-size needs --serialization shards");
    }
  } else if (method == "shards") {
    serialization.method = verifier::SerializationMethod::shards;
    serialization.shard_size = kDefaultShardSize;
    if (auto size = args.value("shard-size")) serialization.shard_size = parse_shard_size(*size);
  } else {
    throw UsageError("unknown --serialization '" + method + "' (expected files or shards)");
  }
  return serialization;
}

}  // namespace sigmount::tools
