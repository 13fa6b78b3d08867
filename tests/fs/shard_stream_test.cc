// The pieces under the core's first pass: the block pool, the read-ahead stream, fingerprints.
#include "fs/shard_stream.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <set>
#include <stdexcept>
#include <string>

#include "fs/block_fingerprints.h"
#include "fs/block_pool.h"
#include "hashing/block_mac.h"
#include "tests/common/random_bytes.h"

namespace sigmount::fs {
namespace {

using sigmount::testing::random_bytes;

constexpr std::uint64_t kB = kBlockSize;

std::shared_ptr<const hashing::BlockMac> fresh_mac() {
  return std::make_shared<const hashing::BlockMac>();
}

TEST(BlockPool, ReusesTheMostRecentlyFreedSlot) {
  auto pool = std::make_shared<BlockPool>(4);
  const std::uint8_t* first = nullptr;
  {
    BlockBuffer a(pool, kB);
    first = a.bytes().data();
    EXPECT_EQ(pool->in_use(), 1u);
  }
  EXPECT_EQ(pool->in_use(), 0u);
  BlockBuffer b(pool, 100);
  EXPECT_EQ(b.bytes().data(), first) << "a freed slot is handed out again, its pages resident";
  EXPECT_EQ(b.size(), 100u);
  EXPECT_EQ(pool->high_water(), 1u);
}

// A cold mount fills the whole cache once: faulted in 4 KiB at a time, that cost more than the
// hashing (every fault is a host exit on a VM). The pool asks for huge pages, aligned.
TEST(BlockPool, AsksForHugePagesAlignedToThem) {
  auto pool = std::make_shared<BlockPool>(64);  // 4 MiB
  BlockBuffer first(pool, kB);
  const auto address = reinterpret_cast<std::uintptr_t>(first.bytes().data());
  EXPECT_EQ(address % (2U << 20), 0u) << "slot 0 starts a huge page";
  std::ifstream thp("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string modes;
  std::getline(thp, modes);
  if (modes.empty() || modes.find("[never]") != std::string::npos) {
    GTEST_SKIP() << "transparent huge pages are off here: nothing to ask for";
  }
  // The pool's mapping in smaps: eligible for THP (in "madvise" mode only with the advice).
  std::ifstream smaps("/proc/self/smaps");
  bool in_pool = false;
  std::string eligible;
  for (std::string line; std::getline(smaps, line);) {
    const std::string first_word = line.substr(0, line.find(' '));
    std::uintptr_t start = 0;
    std::uintptr_t end = 0;
    if (first_word.find(':') == std::string::npos &&
        std::sscanf(first_word.c_str(), "%" SCNxPTR "-%" SCNxPTR, &start, &end) == 2) {
      in_pool = start <= address && address < end;  // a mapping's first line
    } else if (in_pool && first_word == "THPeligible:") {
      eligible = line;
      break;
    }
  }
  ASSERT_FALSE(eligible.empty()) << "no THPeligible line for the pool's mapping";
  EXPECT_EQ(eligible.back(), '1') << eligible;
}

TEST(BlockPool, AnEmptyPoolStillHandsOutWorkingBuffers) {
  auto pool = std::make_shared<BlockPool>(2);
  std::vector<std::unique_ptr<BlockBuffer>> buffers;
  std::set<const std::uint8_t*> distinct;
  for (int i = 0; i < 5; ++i) {
    buffers.push_back(std::make_unique<BlockBuffer>(pool, kB));
    auto bytes = buffers.back()->writable();
    std::fill(bytes.begin(), bytes.end(), static_cast<std::uint8_t>(i));
    distinct.insert(bytes.data());
  }
  EXPECT_EQ(distinct.size(), 5u);
  EXPECT_EQ(pool->in_use(), 2u);
  EXPECT_EQ(pool->overflows(), 3u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(buffers[i]->bytes()[kB - 1], i);
  buffers.clear();
  EXPECT_EQ(pool->in_use(), 0u);
}

TEST(BlockPool, OutlivesItsOwnerWhileBuffersRemain) {
  auto pool = std::make_shared<BlockPool>(1);
  auto buffer = std::make_unique<BlockBuffer>(pool, 10);
  pool.reset();  // the core went away while a reply still holds a block
  buffer->writable()[9] = 1;
  buffer.reset();  // returns its slot to a pool that only the buffer kept alive
}

// Every shard digest algorithm; the fingerprints are the same keyed tags for all.
class Fingerprints : public ::testing::TestWithParam<hashing::HashAlgorithm> {};

TEST_P(Fingerprints, AnyChangedBitOrLengthFailsTheCheck) {
  const hashing::HashAlgorithm algorithm = GetParam();
  const auto mac = fresh_mac();
  auto pool = std::make_shared<BlockPool>(8);
  const Bytes shard = random_bytes(2 * kB + 5, 1);
  ShardHasher hasher(algorithm, shard.size(), mac);
  auto block_of = [&](std::uint64_t index, const Bytes& source) {
    auto buffer = std::make_shared<BlockBuffer>(pool, block_length(source.size(), index));
    auto out = buffer->writable();
    std::copy_n(source.begin() + static_cast<std::ptrdiff_t>(index * kB), out.size(), out.begin());
    return TaggedBlock(std::move(buffer), *mac);
  };
  for (std::uint64_t i = 0; i < 3; ++i) hasher.add_block(block_of(i, shard));
  hashing::Digest actual;
  const auto fingerprints = hasher.matches(hashing::hash_bytes(algorithm, shard), actual);
  ASSERT_TRUE(fingerprints.has_value());
  for (std::uint64_t i = 0; i < 3; ++i) {
    EXPECT_FALSE((*fingerprints)->check(i, block_of(i, shard)).has_value()) << i;
  }
  for (const std::uint64_t offset : {std::uint64_t{0}, kB + 1234, 2 * kB + 4}) {
    Bytes changed = shard;
    changed[offset] ^= 0x10;
    const std::uint64_t block = offset / kB;
    EXPECT_TRUE((*fingerprints)->check(block, block_of(block, changed)).has_value()) << offset;
  }
  // The right bytes for another position are wrong here.
  EXPECT_TRUE((*fingerprints)->check(0, block_of(1, shard)).has_value());
  auto short_buffer = std::make_shared<BlockBuffer>(pool, 4);
  const auto mismatch = (*fingerprints)->check(2, TaggedBlock(std::move(short_buffer), *mac));
  ASSERT_TRUE(mismatch.has_value());
  EXPECT_EQ(mismatch->expected, "length 5");
}

INSTANTIATE_TEST_SUITE_P(Algorithms, Fingerprints,
                         ::testing::Values(hashing::HashAlgorithm::sha256,
                                           hashing::HashAlgorithm::blake2b,
                                           hashing::HashAlgorithm::blake3));

TEST(Fingerprints, ABlockTaggedUnderAnotherKeyIsRefusedNotCompared) {
  const auto mac = fresh_mac();
  const hashing::BlockMac other_key;
  auto pool = std::make_shared<BlockPool>(4);
  ShardHasher hasher(hashing::HashAlgorithm::sha256, 10, mac);
  EXPECT_THROW(hasher.add_block(TaggedBlock(std::make_shared<BlockBuffer>(pool, 10), other_key)),
               std::logic_error);
  hasher.add_block(TaggedBlock(std::make_shared<BlockBuffer>(pool, 10), *mac));
  hashing::Digest actual;
  const auto fingerprints =
      hasher.matches(hashing::hash_bytes(hashing::HashAlgorithm::sha256, Bytes(10, 0)), actual);
  ASSERT_TRUE(fingerprints.has_value());
  EXPECT_FALSE(
      (*fingerprints)->check(0, TaggedBlock(std::make_shared<BlockBuffer>(pool, 10), *mac)));
  EXPECT_THROW((void)(*fingerprints)
                   ->check(0, TaggedBlock(std::make_shared<BlockBuffer>(pool, 10), other_key)),
               std::logic_error);
}

TEST(TaggedBlock, TakesOnlyTheSoleReferenceToABuffer) {
  // Bytes someone else can still write to could change after they were tagged.
  const auto mac = fresh_mac();
  auto pool = std::make_shared<BlockPool>(2);
  auto shared = std::make_shared<BlockBuffer>(pool, 10);
  const auto other_owner = shared;
  EXPECT_THROW(TaggedBlock(std::move(shared), *mac), std::logic_error);
  std::shared_ptr<BlockBuffer> none;
  EXPECT_THROW(TaggedBlock(std::move(none), *mac), std::logic_error);
}

TEST(ShardHasher, HandsOutNoFingerprintsForAShardThatDoesNotMatch) {
  const auto mac = fresh_mac();
  auto pool = std::make_shared<BlockPool>(2);
  ShardHasher hasher(hashing::HashAlgorithm::blake2b, 10, mac);
  auto buffer = std::make_shared<BlockBuffer>(pool, 10);
  hasher.add_block(TaggedBlock(std::move(buffer), *mac));  // ten zeros
  hashing::Digest actual;
  EXPECT_FALSE(
      hasher.matches(hashing::hash_bytes(hashing::HashAlgorithm::blake2b, Bytes(10, 1)), actual)
          .has_value());
  EXPECT_EQ(actual, hashing::hash_bytes(hashing::HashAlgorithm::blake2b, Bytes(10, 0)));
}

// Both paths: on the calling thread (few blocks) and with a reader thread ahead.
class ShardStream : public ::testing::TestWithParam<std::uint64_t> {};

TEST_P(ShardStream, DeliversEveryBlockInOrderWithItsTag) {
  const Bytes shard = random_bytes(GetParam(), 2);
  auto pool = std::make_shared<BlockPool>(64);
  const auto read = [&](std::uint64_t offset, std::span<std::uint8_t> out) {
    std::copy_n(shard.begin() + static_cast<std::ptrdiff_t>(offset), out.size(), out.begin());
    return 0;
  };
  const hashing::BlockMac mac;
  std::uint64_t next = 0;
  Bytes joined;
  const auto consume = [&](std::uint64_t index, const TaggedBlock& block) {
    EXPECT_EQ(index, next++);
    EXPECT_EQ(mac.tag(block.bytes()), block.tag());
    joined.insert(joined.end(), block.bytes().begin(), block.bytes().end());
  };
  ShardStreamOptions options;
  options.depth = 6;
  options.batch = 3;
  EXPECT_EQ(stream_shard_blocks(pool, mac, shard.size(), read, consume, options), 0);
  EXPECT_EQ(next, block_count(shard.size()));
  EXPECT_EQ(joined, shard);
  EXPECT_EQ(pool->in_use(), 0u);
}

TEST_P(ShardStream, StopsAtTheFirstFailedRead) {
  const std::uint64_t length = GetParam();
  const std::uint64_t failing = block_count(length) / 2;
  auto pool = std::make_shared<BlockPool>(64);
  const auto read = [&](std::uint64_t offset, std::span<std::uint8_t>) {
    return offset / kB == failing ? EIO : 0;
  };
  std::uint64_t consumed = 0;
  const auto consume = [&](std::uint64_t, const TaggedBlock&) { ++consumed; };
  ShardStreamOptions options;
  options.depth = 2;
  EXPECT_EQ(stream_shard_blocks(pool, hashing::BlockMac(), length, read, consume, options), EIO);
  EXPECT_EQ(consumed, failing) << "no block at or after the failed read is consumed";
  EXPECT_EQ(pool->in_use(), 0u);
}

TEST_P(ShardStream, AConsumerThatThrowsStopsTheReader) {
  const std::uint64_t length = GetParam();
  constexpr std::uint64_t kThrowingBlock = 1;
  for (const std::size_t batch : {std::size_t{1}, std::size_t{4}}) {
    auto pool = std::make_shared<BlockPool>(64);
    std::uint64_t reads = 0;
    const auto read = [&](std::uint64_t, std::span<std::uint8_t>) {
      ++reads;
      return 0;
    };
    const auto consume = [&](std::uint64_t index, const TaggedBlock&) {
      if (index == kThrowingBlock) throw std::runtime_error("consumer gave up");
    };
    ShardStreamOptions options;
    options.depth = 2 * batch;
    options.batch = batch;
    EXPECT_THROW(stream_shard_blocks(pool, hashing::BlockMac(), length, read, consume, options),
                 std::runtime_error);
    // The reader stopped a bounded distance ahead instead of reading the whole shard: the
    // batches popped up to the one that threw, a full queue behind them, and the one the reader
    // had read but could not queue. No bound tighter than that holds on every schedule.
    if (block_count(length) >= options.min_blocks_for_reader_thread) {
      const std::size_t popped = kThrowingBlock / batch + 1;
      const std::size_t queue_capacity = std::max<std::size_t>(2, options.depth / batch);
      EXPECT_LE(reads, (popped + queue_capacity + 1) * batch);
    }
    EXPECT_EQ(pool->in_use(), 0u);
  }
}

INSTANTIATE_TEST_SUITE_P(Sizes, ShardStream,
                         ::testing::Values(3 * kB + 1,     // on the calling thread
                                           40 * kB + 7));  // reader thread

}  // namespace
}  // namespace sigmount::fs
