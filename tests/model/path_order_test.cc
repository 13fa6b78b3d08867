#include "verifier/model/path_order.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace sigmount::verifier {
namespace {

std::vector<std::string> sorted_paths(std::vector<std::string> paths) {
  std::sort(paths.begin(), paths.end(), ModelPathLess{});
  return paths;
}

TEST(PathOrder, ComponentsSortBeforeSiblingsWithLowerBytes) {
  // Python: sorted(PurePosixPath(p) for p in ...) -> a, a/b, a-b, a.txt. strcmp would put
  // "a/b" last because '/' (0x2F) is above '-' and '.'.
  EXPECT_EQ(sorted_paths({"a.txt", "a-b", "a/b", "a"}),
            (std::vector<std::string>{"a", "a/b", "a-b", "a.txt"}));
  EXPECT_EQ(sorted_paths({"d 1/x", "d/x", "d!/x", "d/x/y", "d"}),
            (std::vector<std::string>{"d", "d/x", "d/x/y", "d 1/x", "d!/x"}));
}

TEST(PathOrder, ByteOrderWithinAComponentIsCodePointOrder) {
  // UTF-8 byte order equals code point order: 'Z' < 'a' < 'é' (U+00E9) < '中' (U+4E2D) < '😀'.
  EXPECT_EQ(sorted_paths({"😀", "中", "é", "a", "Z"}),
            (std::vector<std::string>{"Z", "a", "é", "中", "😀"}));
  EXPECT_LT(compare_model_paths("abc", "abd"), 0);
  EXPECT_LT(compare_model_paths("ab", "abc"), 0);
  EXPECT_EQ(compare_model_paths("d0/f00", "d0/f00"), 0);
  EXPECT_GT(compare_model_paths("d1/f10", "d0/f00"), 0);
  EXPECT_LT(compare_model_paths("d0/d1/d2/f", "d0/f"), 0);
}

TEST(PathOrder, FewerComponentsFirstWhenShared) {
  EXPECT_LT(compare_model_paths("a", "a/b"), 0);
  EXPECT_GT(compare_model_paths("a/b", "a"), 0);
  EXPECT_LT(compare_model_paths("", "a"), 0);
  EXPECT_LT(compare_model_paths(".", "a"), 0);
}

// The definition, spelled out: compare the lists of components, each component by bytes.
int compare_by_components(std::string_view a, std::string_view b) {
  auto split = [](std::string_view path) {
    std::vector<std::string> parts;
    if (path.empty()) return parts;
    std::size_t start = 0;
    while (true) {
      const auto slash = path.find('/', start);
      parts.emplace_back(path.substr(start, slash - start));
      if (slash == std::string_view::npos) return parts;
      start = slash + 1;
    }
  };
  const auto pa = split(a);
  const auto pb = split(b);
  if (pa == pb) return 0;
  return std::lexicographical_compare(pa.begin(), pa.end(), pb.begin(), pb.end()) ? -1 : 1;
}

TEST(PathOrder, AgreesWithComparingComponentListsOnRandomPaths) {
  std::mt19937 random(11);
  const std::string alphabet = "/-.a0Z \x7f\xc3\xa9";
  auto random_path = [&] {
    std::string path;
    const std::size_t length = random() % 7;
    for (std::size_t i = 0; i < length; ++i) path += alphabet[random() % alphabet.size()];
    return path;
  };
  for (int i = 0; i < 200000; ++i) {
    const std::string a = random_path();
    const std::string b = random() % 4 == 0 ? a + random_path() : random_path();
    ASSERT_EQ(compare_model_paths(a, b), compare_by_components(a, b)) << a << " | " << b;
  }
}

TEST(PathOrder, ShardsSortNumericallyNotAsStrings) {
  std::vector<ShardKey> keys;
  // 12 shards of 1e9 bytes: string order would put 10000000000 before 2000000000.
  for (std::uint64_t i = 12; i-- > 0;)
    keys.push_back({"f", i * 1'000'000'000, (i + 1) * 1'000'000'000});
  keys.push_back({"a/b", 8, 16});
  keys.push_back({"a-b", 0, 8});
  keys.push_back({"a/b", 0, 8});
  std::sort(keys.begin(), keys.end(), shard_key_less);
  EXPECT_EQ(keys[0].path, "a/b");
  EXPECT_EQ(keys[0].start, 0u);
  EXPECT_EQ(keys[1].path, "a/b");
  EXPECT_EQ(keys[1].start, 8u);
  EXPECT_EQ(keys[2].path, "a-b");
  for (std::uint64_t i = 0; i < 12; ++i) {
    EXPECT_EQ(keys[3 + i].path, "f");
    EXPECT_EQ(keys[3 + i].start, i * 1'000'000'000);
  }
}

}  // namespace
}  // namespace sigmount::verifier
