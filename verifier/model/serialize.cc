#include "verifier/model/serialize.h"

#include <stdexcept>
#include <string>
#include <system_error>

#include "hashing/parallel_hash.h"
#include "verifier/errors.h"
#include "verifier/model/model_path.h"

namespace sigmount::verifier {
namespace {

namespace fs = std::filesystem;

struct PlannedResource {
  std::string name;
  hashing::FileRange range;
};

std::vector<PlannedResource> plan(std::span<const ModelFile> files,
                                  const Serialization& serialization) {
  std::vector<PlannedResource> planned;
  if (serialization.method == SerializationMethod::files) {
    for (const auto& file : files) planned.push_back({file.name, {file.path, 0, file.size}});
    return planned;
  }
  const std::uint64_t step = serialization.shard_size;
  if (step == 0) throw std::invalid_argument("shard size must be positive");
  for (const auto& file : files) {
    for (std::uint64_t start = 0; start < file.size; start += std::min(step, file.size - start)) {
      const std::uint64_t end = start + std::min(step, file.size - start);
      planned.push_back({file.name + ":" + std::to_string(start) + ":" + std::to_string(end),
                         {file.path, start, end}});
    }
  }
  return planned;
}

std::string algorithm_string(const Serialization& serialization) {
  std::string name(hashing::algorithm_name(serialization.hash));
  if (serialization.method == SerializationMethod::shards) {
    name += "-sharded-" + std::to_string(serialization.shard_size);
  }
  return name;
}

// A file that grows or shrinks while hashed would be signed (or verified) by a digest of bytes
// that no longer exist together: refuse rather than report a wrong result.
void check_sizes_unchanged(std::span<const ModelFile> files) {
  for (const auto& file : files) {
    std::error_code error;
    const auto size = fs::file_size(file.path, error);
    if (error) throw std::system_error(error, file.path.string());
    if (size != file.size) {
      throw VerificationError(quoted_name(file.name) + " changed size while it was hashed (" +
                              std::to_string(file.size) + " -> " + std::to_string(size) +
                              " bytes)");
    }
  }
}

}  // namespace

std::vector<Resource> serialize_files(std::span<const ModelFile> files,
                                      const Serialization& serialization,
                                      const HashingKnobs& knobs) {
  const auto planned = plan(files, serialization);
  std::vector<hashing::FileRange> ranges;
  ranges.reserve(planned.size());
  for (const auto& item : planned) ranges.push_back(item.range);

  if (knobs.on_start) {
    std::uint64_t total = 0;
    for (const auto& file : files) total += file.size;
    knobs.on_start(total);
  }
  hashing::HashOptions options;
  options.algorithm = serialization.hash;
  options.workers = knobs.workers;
  options.backend = knobs.backend;
  options.progress = knobs.progress;
  const auto digests = hashing::hash_ranges(ranges, options);
  check_sizes_unchanged(files);

  const std::string algorithm = algorithm_string(serialization);
  std::vector<Resource> resources;
  resources.reserve(planned.size());
  for (std::size_t i = 0; i < planned.size(); ++i) {
    resources.push_back(Resource{planned[i].name, algorithm, digests[i]});
  }
  return resources;
}

ModelOptions with_recorded_ignores(ModelOptions options, const Serialization& serialization) {
  options.model_relative_ignore_paths.insert(options.model_relative_ignore_paths.end(),
                                             serialization.ignore_paths.begin(),
                                             serialization.ignore_paths.end());
  return options;
}

std::vector<Resource> serialize_model(const fs::path& root, const ModelOptions& options,
                                      const Serialization& serialization,
                                      const HashingKnobs& knobs) {
  const auto files = list_model_files(root, with_recorded_ignores(options, serialization));
  return serialize_files(files, serialization, knobs);
}

}  // namespace sigmount::verifier
