#include "hashing/block_mac.h"

#include <gtest/gtest.h>

#include <array>
#include <set>
#include <thread>
#include <vector>

#include "hashing/bytes.h"

namespace sigmount::hashing {
namespace {

// RFC 8439, section 2.5.2: the Poly1305 test vector.
TEST(BlockMac, IsPoly1305) {
  const std::array<std::uint8_t, BlockMac::kKeySize> key = {
      0x85, 0xd6, 0xbe, 0x78, 0x57, 0x55, 0x6d, 0x33, 0x7f, 0x44, 0x52,
      0xfe, 0x42, 0xd5, 0x06, 0xa8, 0x01, 0x03, 0x80, 0x8a, 0xfb, 0x0d,
      0xb2, 0xfd, 0x4a, 0xbf, 0xf6, 0xaf, 0x41, 0x49, 0xf5, 0x1b};
  const BlockMac mac(key);
  EXPECT_EQ(to_hex(mac.tag(as_bytes("Cryptographic Forum Research Group"))),
            "a8061dc1305136c6c22b8baf0c0127a9");
}

TEST(BlockMac, EveryInstanceDrawsItsOwnKey) {
  const Bytes block(64 * 1024, 0x5a);
  std::set<std::string> tags;
  for (int i = 0; i < 8; ++i) tags.insert(to_hex(BlockMac().tag(block)));
  EXPECT_EQ(tags.size(), 8u) << "a repeated tag means a repeated (guessable) key";
}

TEST(BlockMac, AnyFlippedBitChangesTheTag) {
  const BlockMac mac;
  Bytes block(64 * 1024);
  for (std::size_t i = 0; i < block.size(); ++i) block[i] = static_cast<std::uint8_t>(i * 7);
  const BlockMac::Tag original = mac.tag(block);
  for (const std::size_t at :
       {std::size_t{0}, std::size_t{15}, std::size_t{16}, block.size() - 1}) {
    for (int bit = 0; bit < 8; ++bit) {
      Bytes changed = block;
      changed[at] ^= static_cast<std::uint8_t>(1U << bit);
      EXPECT_FALSE(BlockMac::equal(mac.tag(changed), original)) << at << ":" << bit;
    }
  }
  // A trailing zero byte is a different message, not padding.
  Bytes longer = block;
  longer.push_back(0);
  EXPECT_FALSE(BlockMac::equal(mac.tag(longer), original));
  EXPECT_TRUE(BlockMac::equal(mac.tag(block), original));
}

TEST(BlockMac, OneInstanceTagsOnManyThreadsAtOnce) {
  const BlockMac mac;
  const Bytes block(64 * 1024, 1);
  const BlockMac::Tag expected = mac.tag(block);
  std::vector<int> wrong(8, 0);
  {
    std::vector<std::jthread> threads;
    for (std::size_t t = 0; t < wrong.size(); ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 200; ++i) wrong[t] += mac.tag(block) == expected ? 0 : 1;
      });
    }
  }
  for (const int count : wrong) EXPECT_EQ(count, 0);
}

}  // namespace
}  // namespace sigmount::hashing
