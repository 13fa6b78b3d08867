// Compares a model directory with a verified manifest, as model_signing's verifier does:
// re-serialize the model with the signed serialization, then compare file by file.
#pragma once

#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "verifier/model/model_walk.h"
#include "verifier/model/serialize.h"
#include "verifier/verified_manifest.h"

namespace sigmount::verifier {

struct CheckOptions {
  // Check only the signed files; other files in the model are not reported (model_signing's
  // --ignore-unsigned-files). Signed names are resolved with resolve_inside_model().
  bool ignore_unsigned_files = false;
  HashingKnobs hashing;
};

// One line per problem, sorted by file in model_signing order; empty when the model matches:
//   Extra file in model: <name>
//   Missing file in model: <name>
//   Hash mismatch for <name>: expected <hex>, actual <hex>
//   Hash mismatch for <name> (shard <start>:<end>): expected <hex>, actual <hex>
//   Size mismatch for <name>: expected <n> bytes, actual <m> bytes      (shards only)
// The model is walked with `options` plus the manifest's recorded ignore_paths, and hashed
// with the signed method, hash and shard size. Throws (rather than reports) when the model
// cannot be read as a model: VerificationError for a refused symlink or special file,
// std::system_error for I/O errors.
std::vector<std::string> model_problems(const VerifiedManifest& manifest,
                                        const std::filesystem::path& root,
                                        const ModelOptions& options,
                                        const CheckOptions& check = {});

// model_problems(), throwing VerificationError carrying every problem line if there is any.
void check_model(const VerifiedManifest& manifest, const std::filesystem::path& root,
                 const ModelOptions& options, const CheckOptions& check = {});

// The same comparison against signed data not (yet) wrapped in a VerifiedManifest: `files`
// as signed_files_from_resources() returns them. Only pass data whose signature was verified.
std::vector<std::string> compare_model_with_signed_files(const Serialization& serialization,
                                                         std::span<const SignedFile> files,
                                                         const std::filesystem::path& root,
                                                         const ModelOptions& options,
                                                         const CheckOptions& check = {});

}  // namespace sigmount::verifier
