#include "verifier/model/serialize.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>

#include "tests/model/model_test_util.h"
#include "verifier/errors.h"

namespace sigmount::verifier {
namespace {

using testing::TempDir;
using testing::write_file;

Serialization shards(std::uint64_t size,
                     hashing::HashAlgorithm hash = hashing::HashAlgorithm::sha256) {
  Serialization s;
  s.method = SerializationMethod::shards;
  s.hash = hash;
  s.shard_size = size;
  return s;
}

std::string content_of_size(std::size_t size) {
  std::string content(size, '\0');
  for (std::size_t i = 0; i < size; ++i) content[i] = static_cast<char>('a' + i % 26);
  return content;
}

TEST(Serialize, ShardsAreNumericallyOrderedRangesOfNonEmptyFiles) {
  TempDir dir;
  const std::string content = content_of_size(100);
  write_file(dir / "big", content);
  write_file(dir / "empty", "");
  write_file(dir / "small", "abc");
  const auto resources = serialize_model(dir.path(), {}, shards(8));
  // 100 bytes = 12 full shards + one of 4; the empty file has no shard at all.
  ASSERT_EQ(resources.size(), 14u);
  for (std::size_t i = 0; i < 13; ++i) {
    const std::size_t start = i * 8;
    const std::size_t end = std::min<std::size_t>(start + 8, 100);
    EXPECT_EQ(resources[i].name, "big:" + std::to_string(start) + ":" + std::to_string(end));
    EXPECT_EQ(resources[i].algorithm, "sha256-sharded-8");
    EXPECT_EQ(resources[i].digest,
              testing::sha256_of(std::string_view(content).substr(start, end - start)));
  }
  EXPECT_EQ(resources[13].name, "small:0:3");
}

TEST(Serialize, FilesIncludeEmptyFiles) {
  TempDir dir;
  write_file(dir / "empty", "");
  write_file(dir / "x", "x");
  const auto resources = serialize_model(dir.path(), {}, Serialization{});
  ASSERT_EQ(resources.size(), 2u);
  EXPECT_EQ(resources[0].name, "empty");
  EXPECT_EQ(resources[0].algorithm, "sha256");
  EXPECT_EQ(resources[0].digest.hex(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Serialize, OtherHashes) {
  TempDir dir;
  const std::string content = content_of_size(20);
  write_file(dir / "f", content);
  Serialization blake2b;
  blake2b.hash = hashing::HashAlgorithm::blake2b;
  const auto files = serialize_model(dir.path(), {}, blake2b);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].algorithm, "blake2b");
  EXPECT_EQ(files[0].digest.size(), 64u);
  EXPECT_EQ(files[0].digest,
            hashing::hash_bytes(hashing::HashAlgorithm::blake2b, as_bytes(content)));

  // BLAKE3 shards: we produce them (model_signing would silently hash whole files instead).
  const auto blake3 = serialize_model(dir.path(), {}, shards(16, hashing::HashAlgorithm::blake3));
  ASSERT_EQ(blake3.size(), 2u);
  EXPECT_EQ(blake3[1].name, "f:16:20");
  EXPECT_EQ(blake3[1].algorithm, "blake3-sharded-16");
  EXPECT_EQ(blake3[1].digest, hashing::hash_bytes(hashing::HashAlgorithm::blake3,
                                                  as_bytes(std::string_view(content).substr(16))));
  EXPECT_NO_THROW(signed_files_from_resources(shards(16, hashing::HashAlgorithm::blake3), blake3));
}

TEST(Serialize, RecordedIgnorePathsOfTheSerializationApply) {
  TempDir dir;
  write_file(dir / "keep", "k");
  write_file(dir / "ignore-me", "i");
  Serialization s;
  s.ignore_paths = {"ignore-me"};
  const auto resources = serialize_model(dir.path(), {}, s);
  ASSERT_EQ(resources.size(), 1u);
  EXPECT_EQ(resources[0].name, "keep");
}

TEST(Serialize, ZeroShardSizeIsRefused) {
  TempDir dir;
  write_file(dir / "f", "x");
  EXPECT_THROW(serialize_model(dir.path(), {}, shards(0)), std::invalid_argument);
}

TEST(Serialize, FileChangingSizeDuringHashingIsRefused) {
  TempDir dir;
  write_file(dir / "f", "abc");
  auto files = list_model_files(dir.path(), {});
  write_file(dir / "f", "abcdef");  // grew after it was listed
  EXPECT_THROW(serialize_files(files, Serialization{}), VerificationError);
}

// The sign and verify commands size their progress bar from on_start: it must come first, once,
// with exactly the bytes that progress then reports.
TEST(Serialize, OnStartReportsTheTotalBeforeAnyProgress) {
  for (const Serialization& serialization : {Serialization{}, shards(7)}) {
    TempDir dir;
    write_file(dir / "a", content_of_size(100));
    write_file(dir / "empty", "");
    write_file(dir / "sub" / "b", content_of_size(33));
    std::atomic<int> starts{0};
    std::atomic<std::uint64_t> total{0};
    std::atomic<std::uint64_t> progressed{0};
    std::atomic<bool> progress_before_start{false};
    HashingKnobs knobs;
    knobs.workers = 2;
    knobs.on_start = [&](std::uint64_t bytes) {
      ++starts;
      total = bytes;
    };
    knobs.progress = [&](std::uint64_t bytes) {
      if (starts == 0) progress_before_start = true;
      progressed += bytes;
    };
    serialize_model(dir.path(), {}, serialization, knobs);
    EXPECT_EQ(starts, 1);
    EXPECT_EQ(total, 133u);
    EXPECT_EQ(progressed, 133u);
    EXPECT_FALSE(progress_before_start);
  }
}

}  // namespace
}  // namespace sigmount::verifier
