// Fuzzes the validation of manifest resources (names become paths on disk for the mount).
// Input: first byte picks method and hash, second the shard size; then lines
// "name\talgorithm\tdigest-length". Accepted output must satisfy every promise of
// signed_files_from_resources(), or the target traps.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "verifier/errors.h"
#include "verifier/model/model_path.h"
#include "verifier/model/path_order.h"
#include "verifier/model/resources.h"

namespace {

using namespace sigmount;
using namespace sigmount::verifier;

void require(bool condition) {
  if (!condition) __builtin_trap();
}

std::vector<Resource> parse_resources(std::string_view text) {
  std::vector<Resource> resources;
  while (!text.empty() && resources.size() < 256) {
    const auto newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view{} : text.substr(newline + 1);
    const auto tab1 = line.find('\t');
    const auto tab2 = tab1 == std::string_view::npos ? tab1 : line.find('\t', tab1 + 1);
    Resource resource;
    resource.name = std::string(line.substr(0, tab1));
    std::size_t digest_length = 32;
    if (tab1 != std::string_view::npos) {
      resource.algorithm = std::string(line.substr(tab1 + 1, tab2 - tab1 - 1));
      if (tab2 != std::string_view::npos) digest_length = line.size() - tab2 - 1;
    } else {
      resource.algorithm = "sha256";
    }
    const Bytes digest(digest_length % (hashing::Digest::kMaxSize + 1), 0x5A);
    resource.digest = hashing::Digest(digest);
    resources.push_back(std::move(resource));
  }
  return resources;
}

void check_invariants(const Serialization& serialization, const std::vector<SignedFile>& files) {
  for (std::size_t i = 0; i < files.size(); ++i) {
    const auto& file = files[i];
    require(!model_path_problem(file.path).has_value());
    require(!file.shards.empty());
    if (i > 0) require(compare_model_paths(files[i - 1].path, file.path) < 0);
    if (file.path == ".") require(files.size() == 1);
    if (serialization.method == SerializationMethod::files) {
      require(file.whole_file());
      continue;
    }
    std::uint64_t expected_start = 0;
    for (std::size_t k = 0; k < file.shards.size(); ++k) {
      const auto& shard = file.shards[k];
      require(shard.start == expected_start && shard.start < shard.end);
      require(shard.end - shard.start <= serialization.shard_size);
      if (k + 1 < file.shards.size()) require(shard.end - shard.start == serialization.shard_size);
      expected_start = shard.end;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  Serialization serialization;
  serialization.method =
      (data[0] & 1) != 0 ? SerializationMethod::shards : SerializationMethod::files;
  serialization.hash = static_cast<hashing::HashAlgorithm>((data[0] >> 1) % 3);
  serialization.shard_size = data[1];
  const auto resources = parse_resources(as_chars({data + 2, size - 2}));
  (void)quoted_name(as_chars({data + 2, size - 2}));
  try {
    check_invariants(serialization, signed_files_from_resources(serialization, resources));
  } catch (const FormatError&) {
  }
  return 0;
}
