// Turns the statement's flat resource list into per-file shard tables, refusing anything a
// mount could misread: the names become paths on disk, the ranges become the only bytes served.
#include "verifier/model/resources.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>
#include <string_view>

#include "verifier/errors.h"
#include "verifier/model/model_path.h"
#include "verifier/model/path_order.h"

namespace sigmount::verifier {
namespace {

[[noreturn]] void reject(std::string_view name, std::string_view problem) {
  throw FormatError("Invalid resource " + quoted_name(name) + ": " + std::string(problem));
}

void check_path(std::string_view resource_name, std::string_view path) {
  if (auto problem = model_path_problem(path)) reject(resource_name, *problem);
}

// Canonical unsigned decimal only: no sign, no spaces, no leading zeros, fits in 64 bits.
std::optional<std::uint64_t> parse_offset(std::string_view text) {
  if (text.empty() || (text.size() > 1 && text.front() == '0')) return std::nullopt;
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

struct ShardName {
  std::string_view path;
  std::uint64_t start = 0;
  std::uint64_t end = 0;
};

// "path:start:end", split from the right so that a path may itself contain ':'.
ShardName parse_shard_name(std::string_view name) {
  const auto last = name.rfind(':');
  if (last == std::string_view::npos || last == 0) reject(name, "shard name is not path:start:end");
  const auto middle = name.rfind(':', last - 1);
  if (middle == std::string_view::npos) reject(name, "shard name is not path:start:end");
  const auto start = parse_offset(name.substr(middle + 1, last - middle - 1));
  const auto end = parse_offset(name.substr(last + 1));
  if (!start || !end) reject(name, "shard offsets are not canonical decimal numbers");
  if (*start >= *end) reject(name, "shard start is not before its end");
  const auto path = name.substr(0, middle);
  check_path(name, path);
  return {path, *start, *end};
}

void check_digest_size(const Resource& resource, hashing::HashAlgorithm hash) {
  if (resource.digest.size() != hashing::digest_size(hash)) {
    reject(resource.name, "digest has " + std::to_string(resource.digest.size()) + " bytes, " +
                              std::string(hashing::algorithm_name(hash)) + " has " +
                              std::to_string(hashing::digest_size(hash)));
  }
}

using FileTable = std::map<std::string, std::vector<Shard>, ModelPathLess>;

void add_whole_files(const Serialization& serialization, std::span<const Resource> resources,
                     FileTable& files) {
  const std::string_view expected = hashing::algorithm_name(serialization.hash);
  for (const auto& resource : resources) {
    if (resource.algorithm != expected) {
      reject(resource.name, resource.algorithm.find("-sharded-") != std::string::npos
                                ? "shard algorithm in a files manifest"
                                : "algorithm \"" + resource.algorithm + "\" is not \"" +
                                      std::string(expected) + "\"");
    }
    check_digest_size(resource, serialization.hash);
    check_path(resource.name, resource.name);
    auto [it, inserted] = files.try_emplace(resource.name);
    if (!inserted) reject(resource.name, "duplicate name");
    it->second.push_back(Shard{0, Shard::kToEndOfFile, resource.digest});
  }
}

void check_contiguous(const std::string& path, std::vector<Shard>& shards,
                      std::uint64_t shard_size) {
  std::sort(shards.begin(), shards.end(), [](const Shard& a, const Shard& b) {
    return std::tie(a.start, a.end) < std::tie(b.start, b.end);
  });
  const auto shard_name = [&](const Shard& s) {
    return path + ":" + std::to_string(s.start) + ":" + std::to_string(s.end);
  };
  std::uint64_t expected_start = 0;
  for (std::size_t i = 0; i < shards.size(); ++i) {
    const Shard& shard = shards[i];
    if (i > 0 && shard.start == shards[i - 1].start && shard.end == shards[i - 1].end) {
      reject(shard_name(shard), "duplicate shard");
    }
    if (shard.start != expected_start) {
      reject(shard_name(shard),
             shard.start < expected_start
                 ? "shard overlaps the previous one"
                 : "gap before this shard (expected start " + std::to_string(expected_start) + ")");
    }
    const std::uint64_t length = shard.end - shard.start;
    const bool last = i + 1 == shards.size();
    if (last ? length > shard_size : length != shard_size) {
      reject(shard_name(shard), "shard length " + std::to_string(length) +
                                    " does not fit shard size " + std::to_string(shard_size));
    }
    expected_start = shard.end;
  }
}

void add_shards(const Serialization& serialization, std::span<const Resource> resources,
                FileTable& files) {
  if (serialization.shard_size == 0) throw FormatError("Shard serialization with shard size 0");
  const std::string plain(hashing::algorithm_name(serialization.hash));
  const std::string sharded = plain + "-sharded-" + std::to_string(serialization.shard_size);
  // model_signing writes "<hash>-sharded-<size>"; the OMS spec writes the plain hash name. Either
  // is fine, but one manifest uses one spelling.
  std::optional<bool> uses_sharded_spelling;
  for (const auto& resource : resources) {
    const bool is_sharded = resource.algorithm == sharded;
    if (!is_sharded && resource.algorithm != plain) {
      reject(resource.name, "algorithm \"" + resource.algorithm + "\" is not \"" + sharded + "\"");
    }
    if (uses_sharded_spelling.value_or(is_sharded) != is_sharded) {
      reject(resource.name, "algorithm spellings \"" + plain + "\" and \"" + sharded + "\" mixed");
    }
    uses_sharded_spelling = is_sharded;
    check_digest_size(resource, serialization.hash);
    const ShardName shard = parse_shard_name(resource.name);
    files[std::string(shard.path)].push_back(Shard{shard.start, shard.end, resource.digest});
  }
  for (auto& [path, shards] : files) check_contiguous(path, shards, serialization.shard_size);
}

}  // namespace

hashing::Digest root_digest(std::span<const Resource> resources) {
  hashing::Hasher hasher(hashing::HashAlgorithm::sha256);
  for (const auto& resource : resources) hasher.update(resource.digest.bytes());
  return hasher.finish();
}

std::vector<SignedFile> signed_files_from_resources(const Serialization& serialization,
                                                    std::span<const Resource> resources) {
  FileTable files;
  if (serialization.method == SerializationMethod::files) {
    add_whole_files(serialization, resources, files);
  } else {
    add_shards(serialization, resources, files);
  }
  // "." names the model itself (a single-file model); nothing can sit beside it.
  if (files.contains(".") && files.size() > 1) {
    throw FormatError("Invalid resource \".\": the single-file model name must be the only file");
  }
  std::vector<SignedFile> result;
  result.reserve(files.size());
  for (auto& [path, shards] : files) result.push_back(SignedFile{path, std::move(shards)});
  return result;
}

}  // namespace sigmount::verifier
