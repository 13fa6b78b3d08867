#include "verifier/model/model_check.h"

#include "verifier/errors.h"
#include "verifier/model/path_order.h"
#include "verifier/model/resources.h"

namespace sigmount::verifier {
namespace {

namespace fs = std::filesystem;

std::uint64_t signed_size(const SignedFile& file) {
  return file.shards.empty() ? 0 : file.shards.back().end;
}

void compare_file(const SignedFile& expected, const SignedFile& actual,
                  std::vector<std::string>& problems) {
  if (expected.whole_file() && actual.whole_file()) {
    const auto& want = expected.shards[0].digest;
    const auto& got = actual.shards[0].digest;
    if (!(want == got)) {
      problems.push_back("Hash mismatch for " + expected.path + ": expected " + want.hex() +
                         ", actual " + got.hex());
    }
    return;
  }
  // Shards: both tables come from the same shard size, so equal sizes mean equal ranges.
  if (signed_size(expected) != signed_size(actual) ||
      expected.shards.size() != actual.shards.size()) {
    problems.push_back("Size mismatch for " + expected.path + ": expected " +
                       std::to_string(signed_size(expected)) + " bytes, actual " +
                       std::to_string(signed_size(actual)) + " bytes");
    return;
  }
  for (std::size_t i = 0; i < expected.shards.size(); ++i) {
    const Shard& want = expected.shards[i];
    const Shard& got = actual.shards[i];
    if (!(want.digest == got.digest)) {
      problems.push_back("Hash mismatch for " + expected.path + " (shard " +
                         std::to_string(want.start) + ":" + std::to_string(want.end) +
                         "): expected " + want.digest.hex() + ", actual " + got.digest.hex());
    }
  }
}

}  // namespace

std::vector<std::string> compare_model_with_signed_files(const Serialization& serialization,
                                                         std::span<const SignedFile> files,
                                                         const fs::path& root,
                                                         const ModelOptions& options,
                                                         const CheckOptions& check) {
  const ModelOptions walk_options = with_recorded_ignores(options, serialization);
  std::vector<ModelFile> local;
  if (check.ignore_unsigned_files) {
    std::vector<std::string> names;
    names.reserve(files.size());
    for (const auto& file : files) names.push_back(file.path);
    local = list_named_files(root, walk_options, names);
  } else {
    local = list_model_files(root, walk_options);
  }
  const auto local_resources = serialize_files(local, serialization, check.hashing);
  const auto actual = signed_files_from_resources(serialization, local_resources);

  // Both lists are sorted in model_signing order: merge them.
  std::vector<std::string> problems;
  std::size_t e = 0;
  std::size_t a = 0;
  while (e < files.size() || a < actual.size()) {
    const int order = e == files.size()    ? 1
                      : a == actual.size() ? -1
                                           : compare_model_paths(files[e].path, actual[a].path);
    if (order < 0) {
      problems.push_back("Missing file in model: " + files[e++].path);
    } else if (order > 0) {
      problems.push_back("Extra file in model: " + actual[a++].path);
    } else {
      compare_file(files[e++], actual[a++], problems);
    }
  }
  return problems;
}

std::vector<std::string> model_problems(const VerifiedManifest& manifest, const fs::path& root,
                                        const ModelOptions& options, const CheckOptions& check) {
  return compare_model_with_signed_files(manifest.serialization(), manifest.files(), root, options,
                                         check);
}

void check_model(const VerifiedManifest& manifest, const fs::path& root,
                 const ModelOptions& options, const CheckOptions& check) {
  auto problems = model_problems(manifest, root, options, check);
  if (!problems.empty()) throw VerificationError(std::move(problems));
}

}  // namespace sigmount::verifier
