// BLAKE3 against the official test vectors (tests/data/hashing/blake3_test_vectors.json) and
// longer inputs checked with b3sum.
#include "hashing/blake3.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "hashing/blake3_internal.h"
#include "hashing/bytes.h"
#include "tests/hashing/pattern_input.h"

namespace sigmount::hashing {
namespace {

using testing::pattern_251;

std::string blake3_hex(ByteView data) {
  Blake3 hasher;
  hasher.update(data);
  const auto digest = hasher.finalize();
  return to_hex(digest);
}

nlohmann::json load_vectors() {
  const char* dir = std::getenv("SIGMOUNT_TEST_DATA");
  if (dir == nullptr) throw std::runtime_error("SIGMOUNT_TEST_DATA is not set");
  std::ifstream in(std::string(dir) + "/hashing/blake3_test_vectors.json");
  return nlohmann::json::parse(in);
}

TEST(Blake3, OfficialVectors) {
  const auto vectors = load_vectors();
  ASSERT_GE(vectors.at("cases").size(), 30u);
  for (const auto& test : vectors.at("cases")) {
    const auto len = test.at("input_len").get<std::size_t>();
    // The vectors give extended output; the default 32-byte digest is its prefix.
    const std::string expected = test.at("hash").get<std::string>().substr(0, 64);
    const Bytes input = pattern_251(len);
    EXPECT_EQ(blake3_hex(input), expected) << "input_len " << len;

    // The same input fed in uneven pieces, which takes the buffered (not batched) paths.
    for (std::size_t piece : {1, 31, 64, 1000, 1025}) {
      Blake3 hasher;
      for (std::size_t pos = 0; pos < len; pos += piece) {
        hasher.update(ByteView(input).subspan(pos, std::min(piece, len - pos)));
      }
      EXPECT_EQ(to_hex(hasher.finalize()), expected) << "input_len " << len << " piece " << piece;
    }
  }
}

// Values from b3sum 1.2.0 (an independent implementation) over the same 251-byte pattern:
// deeper trees than the vectors reach, and lengths that are not a whole number of chunks.
TEST(Blake3, LongInputsMatchB3sum) {
  struct Case {
    std::size_t len;
    const char* hex;
  };
  const Case cases[] = {
      {1048576, "74cb441fd087764ca9c3694da742ebe30cbeb3060a17009ca81825c7a8d10343"},
      {1048577, "2f053cd7472cf0cd2f9adaf45c1180255b91b9a865404a63671a0ee5f792ed33"},
      {3158001, "90a83094eada6fd88621846dd12d902c5f0270540ac0ccefad06cb45ebc1b065"},
      {9437184, "8516f8a0ae9a7a21cdd69df13aaa9b2a22a499848fb3185cea4cae496ce4d91a"},
  };
  for (const auto& c : cases) {
    const Bytes input = pattern_251(c.len);
    EXPECT_EQ(blake3_hex(input), c.hex) << c.len;
    // Reads of an odd size (every batch starts at a chunk counter with a different alignment)
    // and of whole chunks (the input often ends exactly at a batch boundary).
    for (std::size_t piece : {std::size_t{65537} * 3, std::size_t{65536}, std::size_t{1024}}) {
      Blake3 hasher;
      for (std::size_t pos = 0; pos < c.len; pos += piece) {
        hasher.update(ByteView(input).subspan(pos, std::min(piece, c.len - pos)));
      }
      EXPECT_EQ(to_hex(hasher.finalize()), c.hex) << c.len << " in pieces of " << piece;
    }
  }
}

TEST(Blake3, FinalizeDoesNotConsumeState) {
  const Bytes input = pattern_251(5000);
  Blake3 hasher;
  hasher.update(ByteView(input).first(3000));
  (void)hasher.finalize();
  hasher.update(ByteView(input).subspan(3000));
  EXPECT_EQ(to_hex(hasher.finalize()), blake3_hex(input));
  hasher.reset();
  EXPECT_EQ(to_hex(hasher.finalize()), blake3_hex({}));
}

}  // namespace
}  // namespace sigmount::hashing

namespace sigmount::hashing::blake3_detail {
namespace {

// The SIMD code must agree with the portable code lane for lane, including counters that
// carry into the high word and batches that are not a multiple of the lane count.
TEST(Blake3Internals, Avx2MatchesPortable) {
#if defined(SIGMOUNT_BLAKE3_AVX2)
  if (!__builtin_cpu_supports("avx2")) GTEST_SKIP() << "CPU without AVX2";
  Bytes input(kChunkSize * 21);
  for (std::size_t i = 0; i < input.size(); ++i) input[i] = static_cast<std::uint8_t>(i * 7 + 3);
  for (std::uint64_t counter : {std::uint64_t{0}, std::uint64_t{5}, (std::uint64_t{1} << 32) - 3}) {
    std::vector<std::uint32_t> portable(std::size_t{8} * 21), avx2(std::size_t{8} * 21);
    hash_chunks_portable(input.data(), 21, counter, portable.data());
    hash_chunks_avx2(input.data(), 21, counter, avx2.data());
    EXPECT_EQ(portable, avx2) << "counter " << counter;

    // Parents over those chaining values, in place as Blake3::update does it.
    std::vector<std::uint32_t> parents_portable = portable;
    std::vector<std::uint32_t> parents_avx2 = portable;
    hash_parents_portable(parents_portable.data(), 10, parents_portable.data());
    hash_parents_avx2(parents_avx2.data(), 10, parents_avx2.data());
    EXPECT_EQ(parents_portable, parents_avx2) << "counter " << counter;
  }
#else
  GTEST_SKIP() << "no AVX2 code in this build";
#endif
}

}  // namespace
}  // namespace sigmount::hashing::blake3_detail

namespace sigmount::hashing {
namespace {

// Splitting an input into subtree pieces hashed separately and joined gives the same digest
// as one hasher, for last pieces that are full, one byte, or partial, and for one piece only.
TEST(Blake3, PiecesJoinedEqualWholeInput) {
  for (unsigned level : {0u, 1u, 3u, 7u}) {
    const std::size_t piece = Blake3::kChunkSize << level;
    for (std::size_t len :
         {piece, piece + 1, 2 * piece, 5 * piece - 1, 5 * piece, 9 * piece + 777, std::size_t{1}}) {
      const Bytes input = pattern_251(len);
      std::vector<Blake3::ChainingValue> complete;
      std::size_t pos = 0;
      for (std::size_t i = 0; len - pos > piece; ++i, pos += piece) {
        Blake3 h;
        h.start_at_chunk(std::uint64_t{i} << level);
        h.update(ByteView(input).subspan(pos, piece));
        complete.push_back(h.subtree_cv());
      }
      Blake3 last;
      last.start_at_chunk(complete.size() << level);
      last.update(ByteView(input).subspan(pos));
      const Blake3 joined = Blake3::join(complete, level, last);
      EXPECT_EQ(to_hex(joined.finalize()), blake3_hex(input))
          << "level " << level << " len " << len;
    }
  }
  // A last piece that does not start where the complete pieces end is refused.
  Blake3 misplaced;
  misplaced.start_at_chunk(3);
  const std::vector<Blake3::ChainingValue> one(1);
  EXPECT_THROW(Blake3::join(one, 1, misplaced), std::invalid_argument);
}

}  // namespace
}  // namespace sigmount::hashing
