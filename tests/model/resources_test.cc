#include "verifier/model/resources.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/model/model_test_util.h"
#include "verifier/errors.h"

namespace sigmount::verifier {
namespace {

using ::testing::HasSubstr;
using testing::sha256_of;

Serialization files_sha256() {
  return Serialization{};
}

Serialization shards_sha256(std::uint64_t shard_size) {
  Serialization s;
  s.method = SerializationMethod::shards;
  s.shard_size = shard_size;
  return s;
}

Resource file_resource(std::string name, std::string_view content = "x") {
  return Resource{std::move(name), "sha256", sha256_of(content)};
}

Resource shard_resource(std::string name, std::uint64_t shard_size = 8) {
  return Resource{std::move(name), "sha256-sharded-" + std::to_string(shard_size), sha256_of("x")};
}

// The FormatError message for `resources`, or "" when they are accepted.
std::string rejection(const Serialization& serialization, std::vector<Resource> resources) {
  try {
    signed_files_from_resources(serialization, resources);
  } catch (const FormatError& error) {
    return error.what();
  }
  return "";
}

TEST(RootDigest, HashesConcatenatedRawDigestsInListedOrder) {
  // The empty manifest hashes to sha256("").
  EXPECT_EQ(root_digest({}).hex(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  const std::vector<Resource> resources{file_resource("a", "1"), file_resource("b", "2")};
  const std::string concatenated = std::string(as_chars(resources[0].digest.bytes())) +
                                   std::string(as_chars(resources[1].digest.bytes()));
  EXPECT_EQ(root_digest(resources), sha256_of(concatenated));
  const std::vector<Resource> reversed{resources[1], resources[0]};
  EXPECT_FALSE(root_digest(reversed) == root_digest(resources));
}

TEST(SignedFiles, FilesBecomeWholeFileShardsInModelSigningOrder) {
  const auto files = signed_files_from_resources(
      files_sha256(), std::vector<Resource>{file_resource("a.txt"), file_resource("a-b"),
                                            file_resource("a/b"), file_resource("a")});
  ASSERT_EQ(files.size(), 4u);
  EXPECT_EQ(files[0].path, "a");
  EXPECT_EQ(files[1].path, "a/b");
  EXPECT_EQ(files[2].path, "a-b");
  EXPECT_EQ(files[3].path, "a.txt");
  for (const auto& file : files) {
    EXPECT_TRUE(file.whole_file());
    EXPECT_EQ(file.shards[0].start, 0u);
  }
}

TEST(SignedFiles, ShardsAreGroupedSortedAndMayContainColons) {
  const auto files = signed_files_from_resources(
      shards_sha256(8),
      std::vector<Resource>{shard_resource("w:x:16:23"), shard_resource("w:x:0:8"),
                            shard_resource("w:x:8:16"), shard_resource("b:0:3")});
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].path, "b");
  ASSERT_EQ(files[0].shards.size(), 1u);
  EXPECT_EQ(files[0].shards[0].end, 3u);
  EXPECT_EQ(files[1].path, "w:x");
  ASSERT_EQ(files[1].shards.size(), 3u);
  EXPECT_EQ(files[1].shards[0].start, 0u);
  EXPECT_EQ(files[1].shards[1].start, 8u);
  EXPECT_EQ(files[1].shards[2].start, 16u);
  EXPECT_EQ(files[1].shards[2].end, 23u);
  EXPECT_FALSE(files[1].whole_file());
}

TEST(SignedFiles, ManyShardsSortNumerically) {
  std::vector<Resource> resources;
  for (std::uint64_t i = 0; i < 25; ++i) {
    resources.push_back(
        shard_resource("f:" + std::to_string(i * 8) + ":" + std::to_string(i * 8 + 8)));
  }
  std::reverse(resources.begin(), resources.end());
  const auto files = signed_files_from_resources(shards_sha256(8), resources);
  ASSERT_EQ(files.size(), 1u);
  ASSERT_EQ(files[0].shards.size(), 25u);
  for (std::uint64_t i = 0; i < 25; ++i) EXPECT_EQ(files[0].shards[i].start, i * 8);
}

TEST(SignedFiles, AcceptsOmsPlainAlgorithmForShards) {
  const auto files = signed_files_from_resources(
      shards_sha256(8), std::vector<Resource>{{"f:0:8", "sha256", sha256_of("x")},
                                              {"f:8:9", "sha256", sha256_of("y")}});
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].shards.size(), 2u);
}

TEST(SignedFiles, SingleFileModelNameDot) {
  EXPECT_EQ(rejection(files_sha256(), {file_resource(".")}), "");
  EXPECT_EQ(rejection(shards_sha256(8), {shard_resource(".:0:8"), shard_resource(".:8:10")}), "");
  EXPECT_THAT(rejection(files_sha256(), {file_resource("."), file_resource("a")}),
              HasSubstr("must be the only file"));
  EXPECT_THAT(rejection(shards_sha256(8), {shard_resource(".:0:8"), shard_resource("a:0:8")}),
              HasSubstr("must be the only file"));
}

TEST(SignedFiles, EmptyManifestIsWellFormed) {
  EXPECT_TRUE(signed_files_from_resources(files_sha256(), {}).empty());
  EXPECT_TRUE(signed_files_from_resources(shards_sha256(8), {}).empty());
}

TEST(SignedFiles, RejectsUnsafeNames) {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"", "empty name"},
      {"/etc/passwd", "absolute path"},
      {"..", "\"..\" path component"},
      {"../x", "\"..\" path component"},
      {"a/../../x", "\"..\" path component"},
      {"./a", "\".\" path component"},
      {"a/./b", "\".\" path component"},
      {"a/.", "\".\" path component"},
      {"a//b", "empty path component"},
      {"a/", "empty path component"},
      {"a\\..\\b", "backslash"},
      {std::string("a\0b", 3), "NUL character"},
      {"a\nb", "control character"},
      {"a\x1b[31mb", "control character"},
      {"a\x7f", "control character"},
      {"bad\xff", "not valid UTF-8"},
      {"\xc0\xaf", "not valid UTF-8"},      // overlong '/'
      {"\xed\xa0\x80", "not valid UTF-8"},  // surrogate
  };
  for (const auto& [name, problem] : cases) {
    const std::string message = rejection(files_sha256(), {file_resource(name)});
    EXPECT_THAT(message, HasSubstr(problem)) << "name: " << name;
    EXPECT_THAT(message, HasSubstr("Invalid resource")) << "name: " << name;
    // The same rules apply to the path part of a shard name.
    EXPECT_THAT(rejection(shards_sha256(8), {shard_resource(name + ":0:8")}), HasSubstr(problem))
        << "shard of: " << name;
  }
}

TEST(SignedFiles, ErrorMessagesEscapeControlCharacters) {
  const std::string message = rejection(files_sha256(), {file_resource("a\x1b[2Jb")});
  EXPECT_THAT(message, HasSubstr("\"a\\x1b[2Jb\""));
  EXPECT_EQ(message.find('\x1b'), std::string::npos);
}

TEST(SignedFiles, AcceptsUnicodeNames) {
  const auto files = signed_files_from_resources(
      files_sha256(), std::vector<Resource>{file_resource("模型/权重.bin"), file_resource("é")});
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].path, "é");
}

TEST(SignedFiles, RejectsDuplicates) {
  EXPECT_THAT(rejection(files_sha256(), {file_resource("a"), file_resource("a", "other")}),
              HasSubstr("duplicate name"));
  EXPECT_THAT(rejection(shards_sha256(8), {shard_resource("a:0:8"), shard_resource("a:0:8")}),
              HasSubstr("duplicate shard"));
}

TEST(SignedFiles, RejectsBadShardRanges) {
  const auto s = shards_sha256(8);
  EXPECT_THAT(rejection(s, {shard_resource("a")}), HasSubstr("not path:start:end"));
  EXPECT_THAT(rejection(s, {shard_resource("a:8")}), HasSubstr("not path:start:end"));
  EXPECT_THAT(rejection(s, {shard_resource(":0:8")}), HasSubstr("empty name"));
  EXPECT_THAT(rejection(s, {shard_resource("a:8:8")}), HasSubstr("start is not before"));
  EXPECT_THAT(rejection(s, {shard_resource("a:8:0")}), HasSubstr("start is not before"));
  for (const char* bad : {"a:00:8", "a:+0:8", "a: 0:8", "a:0:8 ", "a:0x0:8", "a:-1:8", "a::8",
                          "a:0:18446744073709551616"}) {
    EXPECT_THAT(rejection(s, {shard_resource(bad)}), HasSubstr("canonical decimal")) << bad;
  }
  EXPECT_THAT(rejection(s, {shard_resource("a:8:16")}), HasSubstr("gap before"));
  EXPECT_THAT(rejection(s, {shard_resource("a:0:8"), shard_resource("a:16:20")}),
              HasSubstr("gap before"));
  EXPECT_THAT(rejection(s, {shard_resource("a:0:8"), shard_resource("a:4:12")}),
              HasSubstr("overlaps"));
  EXPECT_THAT(rejection(s, {shard_resource("a:0:4"), shard_resource("a:4:12")}),
              HasSubstr("does not fit shard size"));
  EXPECT_THAT(rejection(s, {shard_resource("a:0:9")}), HasSubstr("does not fit shard size"));
  EXPECT_THAT(rejection(shards_sha256(0), {}), HasSubstr("shard size 0"));
}

TEST(SignedFiles, RejectsAlgorithmsThatDoNotMatchTheSerialization) {
  EXPECT_THAT(rejection(files_sha256(), {{"a", "md5", sha256_of("x")}}),
              HasSubstr("is not \"sha256\""));
  EXPECT_THAT(rejection(files_sha256(), {{"a", "blake2b", sha256_of("x")}}), HasSubstr("is not"));
  EXPECT_THAT(rejection(files_sha256(), {{"a:0:8", "sha256-sharded-8", sha256_of("x")}}),
              HasSubstr("shard algorithm in a files manifest"));
  const auto s = shards_sha256(8);
  EXPECT_THAT(rejection(s, {shard_resource("a:0:8", 16)}),
              HasSubstr("is not \"sha256-sharded-8\""));
  EXPECT_THAT(rejection(s, {{"a:0:8", "blake2b-sharded-8", sha256_of("x")}}), HasSubstr("is not"));
  EXPECT_THAT(rejection(s, {{"a:0:8", "sha256-sharded-08", sha256_of("x")}}), HasSubstr("is not"));
  EXPECT_THAT(rejection(s, {shard_resource("a:0:8"), {"a:8:9", "sha256", sha256_of("x")}}),
              HasSubstr("mixed"));
}

TEST(SignedFiles, RejectsDigestsOfTheWrongLength) {
  EXPECT_THAT(rejection(files_sha256(), {{"a", "sha256", testing::digest_of("00")}}),
              HasSubstr("digest has 1 bytes"));
  Serialization blake2b;
  blake2b.hash = hashing::HashAlgorithm::blake2b;
  EXPECT_THAT(rejection(blake2b, {{"a", "blake2b", sha256_of("x")}}),
              HasSubstr("digest has 32 bytes"));
  EXPECT_THAT(rejection(shards_sha256(8), {{"a:0:8", "sha256-sharded-8", hashing::Digest{}}}),
              HasSubstr("digest has 0 bytes"));
}

}  // namespace
}  // namespace sigmount::verifier
