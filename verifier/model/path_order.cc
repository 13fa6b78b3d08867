#include "verifier/model/path_order.h"

#include <algorithm>
#include <tuple>

namespace sigmount::verifier {
namespace {

// Comparing component lists equals comparing the strings with '/' ranked below every other
// byte: at the first difference, a component that ended (at '/' or at the end of the path)
// sorts before one that goes on, and a path whose components are a prefix of the other's sorts
// first. Every other byte moves up by one, so '/' ranks below all of them, NUL included.
int rank(unsigned char c) {
  return c == '/' ? 0 : c + 1;
}

}  // namespace

int compare_model_paths(std::string_view a, std::string_view b) {
  const auto [at_a, at_b] = std::mismatch(a.begin(), a.end(), b.begin(), b.end());
  if (at_a == a.end() && at_b == b.end()) return 0;
  if (at_a == a.end()) return -1;
  if (at_b == b.end()) return 1;
  return rank(static_cast<unsigned char>(*at_a)) < rank(static_cast<unsigned char>(*at_b)) ? -1 : 1;
}

bool shard_key_less(const ShardKey& a, const ShardKey& b) {
  const int by_path = compare_model_paths(a.path, b.path);
  if (by_path != 0) return by_path < 0;
  return std::tie(a.start, a.end) < std::tie(b.start, b.end);
}

}  // namespace sigmount::verifier
