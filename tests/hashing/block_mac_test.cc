#include "hashing/block_mac.h"

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/evp.h>

#include <array>
#include <cstdlib>
#include <functional>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "hashing/bytes.h"
#include "hashing/openssl_handle.h"

namespace sigmount::hashing {
namespace {

constexpr std::size_t kBlockBytes = std::size_t{64} * 1024;

// RFC 8439, section 2.5.2: the Poly1305 test vector, whose tag a8061dc1...27a9 is then
// encrypted under the FIPS-197 appendix C.1 AES-128 key. The expected value comes from the
// openssl command line: `echo a8061dc1305136c6c22b8baf0c0127a9 | xxd -r -p |
// openssl enc -aes-128-ecb -K 000102030405060708090a0b0c0d0e0f -nopad | xxd -p`.
TEST(BlockMac, IsPoly1305SealedWithAes128) {
  const std::array<std::uint8_t, BlockMac::kKeySize> key = {
      0x85, 0xd6, 0xbe, 0x78, 0x57, 0x55, 0x6d, 0x33, 0x7f, 0x44, 0x52, 0xfe,
      0x42, 0xd5, 0x06, 0xa8, 0x01, 0x03, 0x80, 0x8a, 0xfb, 0x0d, 0xb2, 0xfd,
      0x4a, 0xbf, 0xf6, 0xaf, 0x41, 0x49, 0xf5, 0x1b, 0x00, 0x01, 0x02, 0x03,
      0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f};
  const BlockMac mac(key);
  EXPECT_EQ(to_hex(mac.tag(as_bytes("Cryptographic Forum Research Group"))),
            "bf11bd79887f81dad0bdaa63f664fca1");
}

// The attack a bare Poly1305 key falls to once two of its tags are seen: m2 is m1 with one bit
// of the last 16-byte chunk flipped, so tag1 - tag2 = +-r (mod 2^130 - 5, up to the carries
// mod 2^128); r's clamped bits and m2's tag pick the right candidate, then s = tag1 - P(m1).
// With (r, s) any block can be given m1's tag by solving its last chunk.
using Bignum = OpenSslHandle<BIGNUM, BN_free>;
using BnCtx = OpenSslHandle<BN_CTX, BN_CTX_free>;

Bignum bn() {
  return Bignum(BN_new());
}

Bignum from_little_endian(ByteView bytes) {
  return Bignum(BN_lebin2bn(bytes.data(), static_cast<int>(bytes.size()), nullptr));
}

// Poly1305's polynomial of `message` (whole 16-byte chunks) at r, mod p, before adding s.
Bignum poly1305_polynomial(ByteView message, const BIGNUM* r, const BIGNUM* p, BN_CTX* ctx) {
  Bignum h = bn();
  BN_zero(h.get());
  for (std::size_t at = 0; at < message.size(); at += 16) {
    Bignum chunk = from_little_endian(message.subspan(at, 16));
    BN_set_bit(chunk.get(), 128);
    BN_mod_add(h.get(), h.get(), chunk.get(), p, ctx);
    BN_mod_mul(h.get(), h.get(), r, p, ctx);
  }
  return h;
}

// A block of 'A's whose Poly1305 tag equals m1's, if tag1 and tag2 give the key away.
std::optional<Bytes> forge_from_two_tags(const Bytes& m1, const Bytes& m2,
                                         const BlockMac::Tag& tag1, const BlockMac::Tag& tag2) {
  const BnCtx ctx(BN_CTX_new());
  Bignum p = bn(), two128 = bn(), t1 = from_little_endian(tag1), t2 = from_little_endian(tag2);
  BN_set_bit(p.get(), 130);
  BN_sub_word(p.get(), 5);
  BN_set_bit(two128.get(), 128);
  Bignum difference = bn();
  BN_mod_sub(difference.get(), t1.get(), t2.get(), two128.get(), ctx.get());
  // The last chunks differ by c1 - c2 = +-1.
  const bool m1_larger = m1[m1.size() - 16] > m2[m2.size() - 16];
  std::optional<std::pair<Bignum, Bignum>> key;
  for (int carries = -4; carries <= 4 && !key; ++carries) {
    Bignum r = bn(), shift = bn();
    BN_set_bit(shift.get(), 128);
    BN_mul_word(shift.get(), static_cast<BN_ULONG>(std::abs(carries)));
    if (carries < 0) {
      BN_sub(r.get(), difference.get(), shift.get());
    } else {
      BN_add(r.get(), difference.get(), shift.get());
    }
    BN_nnmod(r.get(), r.get(), p.get(), ctx.get());
    if (!m1_larger) BN_sub(r.get(), p.get(), r.get());
    if (BN_num_bits(r.get()) > 124) continue;
    std::array<std::uint8_t, 16> clamped{};
    BN_bn2lebinpad(r.get(), clamped.data(), 16);
    if (((clamped[3] | clamped[7] | clamped[11] | clamped[15]) & 0xf0) != 0 ||
        ((clamped[4] | clamped[8] | clamped[12]) & 3) != 0) {
      continue;
    }
    Bignum s = bn(), check = bn();
    BN_mod_sub(s.get(), t1.get(), poly1305_polynomial(m1, r.get(), p.get(), ctx.get()).get(),
               two128.get(), ctx.get());
    BN_mod_add(check.get(), poly1305_polynomial(m2, r.get(), p.get(), ctx.get()).get(), s.get(),
               two128.get(), ctx.get());
    if (BN_cmp(check.get(), t2.get()) == 0) key.emplace(std::move(r), std::move(s));
  }
  if (!key) return std::nullopt;
  const BIGNUM* r = key->first.get();
  // P(m3) = (P(first chunks) + c) * r: solve for the last chunk c, a full chunk (2^128 set).
  Bignum wanted = poly1305_polynomial(m1, r, p.get(), ctx.get());
  Bignum r_inverse(BN_mod_inverse(nullptr, r, p.get(), ctx.get()));
  BN_mod_mul(wanted.get(), wanted.get(), r_inverse.get(), p.get(), ctx.get());
  Bytes m3(m1.size(), 'A');
  for (int attempt = 0; attempt < 256; ++attempt) {
    m3[0] = static_cast<std::uint8_t>(attempt);
    Bignum last = bn();
    BN_mod_sub(last.get(), wanted.get(),
               poly1305_polynomial(ByteView(m3).first(m3.size() - 16), r, p.get(), ctx.get()).get(),
               p.get(), ctx.get());
    if (BN_num_bits(last.get()) == 129) {
      BN_clear_bit(last.get(), 128);
      BN_bn2lebinpad(last.get(), m3.data() + m3.size() - 16, 16);
      return m3;
    }
  }
  return std::nullopt;
}

struct LeakedPair {
  Bytes m1, m2;
};

LeakedPair block_and_flipped_copy() {
  LeakedPair pair{Bytes(kBlockBytes), {}};
  for (std::size_t i = 0; i < pair.m1.size(); ++i) pair.m1[i] = static_cast<std::uint8_t>(i * 13);
  pair.m2 = pair.m1;
  pair.m2[pair.m2.size() - 16] ^= 1;
  return pair;
}

TEST(BlockMac, TheForgeryThatSealingPreventsWorksOnBarePoly1305) {
  std::array<std::uint8_t, BlockMac::kPoly1305KeySize> key{};
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(i * 37 + 1);
  const auto poly1305 = [&](ByteView bytes) {
    const OpenSslHandle<EVP_MAC, EVP_MAC_free> mac(EVP_MAC_fetch(nullptr, "POLY1305", nullptr));
    const OpenSslHandle<EVP_MAC_CTX, EVP_MAC_CTX_free> ctx(EVP_MAC_CTX_new(mac.get()));
    BlockMac::Tag out{};
    std::size_t written = 0;
    EVP_MAC_init(ctx.get(), key.data(), key.size(), nullptr);
    EVP_MAC_update(ctx.get(), bytes.data(), bytes.size());
    EVP_MAC_final(ctx.get(), out.data(), &written, out.size());
    return out;
  };
  const LeakedPair leaked = block_and_flipped_copy();
  const auto forged =
      forge_from_two_tags(leaked.m1, leaked.m2, poly1305(leaked.m1), poly1305(leaked.m2));
  ASSERT_TRUE(forged.has_value()) << "two tags give a bare Poly1305 key away";
  EXPECT_NE(*forged, leaked.m1);
  EXPECT_EQ(poly1305(*forged), poly1305(leaked.m1)) << "and the key forges any block";
}

TEST(BlockMac, SeenTagsDoNotHelpForge) {
  const BlockMac mac;
  const LeakedPair leaked = block_and_flipped_copy();
  const BlockMac::Tag original = mac.tag(leaked.m1);
  const auto forged = forge_from_two_tags(leaked.m1, leaked.m2, original, mac.tag(leaked.m2));
  if (forged) {
    EXPECT_FALSE(BlockMac::equal(mac.tag(*forged), original));
  }
  EXPECT_FALSE(forged.has_value()) << "sealed tags give no Poly1305 key candidate";
}

TEST(BlockMac, EveryInstanceDrawsItsOwnKey) {
  const Bytes block(kBlockBytes, 0x5a);
  std::set<std::string> tags;
  for (int i = 0; i < 8; ++i) tags.insert(to_hex(BlockMac().tag(block)));
  EXPECT_EQ(tags.size(), 8u) << "a repeated tag means a repeated (guessable) key";
}

TEST(BlockMac, AnyFlippedBitChangesTheTag) {
  const BlockMac mac;
  Bytes block(kBlockBytes);
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
  const Bytes block(kBlockBytes, 1);
  const BlockMac::Tag expected = mac.tag(block);
  std::vector<int> wrong(8, 0);
  {
    std::vector<std::jthread> threads;
    threads.reserve(wrong.size());
    for (int& count : wrong) {
      threads.emplace_back([&mac, &block, &expected, slot = &count] {
        for (int i = 0; i < 200; ++i) *slot += mac.tag(block) == expected ? 0 : 1;
      });
    }
  }
  for (const int count : wrong) EXPECT_EQ(count, 0);
}

}  // namespace
}  // namespace sigmount::hashing
