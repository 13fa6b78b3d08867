// The order model_signing lists resources in. Its manifest sorts files as Python
// PurePosixPath objects (the list of '/'-separated components, each compared by code point)
// and shards as (path, start, end) with numeric offsets. Plain string order differs:
// "a/b" < "a-b" for Python but not for strcmp ('-' < '/'), and shard "f:8:16" precedes
// "f:16:23". Sorting the same way gives the same subject (root) digest as model_signing.
#pragma once

#include <cstdint>
#include <string_view>

namespace sigmount::verifier {

// <0, 0, >0 like strcmp, comparing component lists. UTF-8 byte order is code point order,
// so components compare as unsigned bytes.
int compare_model_paths(std::string_view a, std::string_view b);

struct ModelPathLess {
  bool operator()(std::string_view a, std::string_view b) const {
    return compare_model_paths(a, b) < 0;
  }
};

// A shard's sort key: path order first, then numeric start and end.
struct ShardKey {
  std::string_view path;
  std::uint64_t start = 0;
  std::uint64_t end = 0;
};

bool shard_key_less(const ShardKey& a, const ShardKey& b);

}  // namespace sigmount::verifier
