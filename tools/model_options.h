// The options every model command shares (model_signing's "common" options): which files make
// up the model, and for signing how to hash them.
#pragma once

#include <filesystem>
#include <optional>

#include "tools/args.h"
#include "verifier/model/model_walk.h"
#include "verifier/verified_manifest.h"

namespace sigmount::tools {

// model_signing's default signature file, relative to the current directory.
inline constexpr const char* kDefaultSignature = "model.sig";
// model_signing's default shard size (decimal 1 GB).
inline constexpr std::uint64_t kDefaultShardSize = 1'000'000'000;

// --ignore-paths (repeatable), --ignore-git-paths / --no-ignore-git-paths, --allow-symlinks.
void add_model_options(ArgParser& parser);
// --hash, --serialization, --shard-size.
void add_serialization_options(ArgParser& parser);
// --signature PATH (default model.sig); `help` says what the file is for.
void add_signature_option(ArgParser& parser, const std::string& help);

// The signature path: --signature or model.sig in the current directory.
std::filesystem::path signature_path_from(const ParsedArgs& args);

// `signature`, when given, is always ignored (model_signing adds it to the ignore list).
verifier::ModelOptions model_options_from(const ParsedArgs& args,
                                          const std::optional<std::filesystem::path>& signature);

// The serialization to sign with (ignore_paths still empty); throws UsageError for an unknown
// hash or method, a zero shard size, or --shard-size without shards.
verifier::Serialization serialization_from(const ParsedArgs& args);

}  // namespace sigmount::tools
