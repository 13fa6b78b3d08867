#include "verifier/model/path_order.h"

#include <algorithm>
#include <tuple>

namespace sigmount::verifier {
namespace {

// Splits off the next component; advances `rest` past it and its separator.
std::string_view next_component(std::string_view& rest) {
  const auto slash = rest.find('/');
  const auto component = rest.substr(0, slash);
  rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
  return component;
}

int compare_bytes(std::string_view a, std::string_view b) {
  const auto common = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < common; ++i) {
    const auto ca = static_cast<unsigned char>(a[i]);
    const auto cb = static_cast<unsigned char>(b[i]);
    if (ca != cb) return ca < cb ? -1 : 1;
  }
  if (a.size() == b.size()) return 0;
  return a.size() < b.size() ? -1 : 1;
}

}  // namespace

int compare_model_paths(std::string_view a, std::string_view b) {
  // An empty string has no components; "x" has one. Keep that distinction explicit, since
  // next_component() cannot tell "" from a trailing empty component.
  if (a.empty() || b.empty()) return a.empty() == b.empty() ? 0 : (a.empty() ? -1 : 1);
  std::string_view rest_a = a;
  std::string_view rest_b = b;
  bool more_a = true;
  bool more_b = true;
  while (more_a && more_b) {
    more_a = rest_a.find('/') != std::string_view::npos;
    more_b = rest_b.find('/') != std::string_view::npos;
    const int c = compare_bytes(next_component(rest_a), next_component(rest_b));
    if (c != 0) return c;
  }
  // All shared components are equal: the path with fewer components sorts first.
  if (more_a == more_b) return 0;
  return more_a ? 1 : -1;
}

bool shard_key_less(const ShardKey& a, const ShardKey& b) {
  const int by_path = compare_model_paths(a.path, b.path);
  if (by_path != 0) return by_path < 0;
  return std::tie(a.start, a.end) < std::tie(b.start, b.end);
}

}  // namespace sigmount::verifier
