#include "hashing/digest.h"

#include <gtest/gtest.h>

#include <string>

#include "hashing/bytes.h"
#include "tests/hashing/pattern_input.h"

namespace sigmount::hashing {
namespace {

using testing::pattern_251;

struct KnownAnswer {
  HashAlgorithm algorithm;
  std::string input;
  const char* hex;
};

// FIPS 180-2 (SHA-256) and RFC 7693 / reference BLAKE2b-512 answers; the million-'a' BLAKE2b
// value was computed with Python's hashlib, which carries its own BLAKE2 code.
TEST(Digest, KnownAnswers) {
  const std::string million_a(1000000, 'a');
  const KnownAnswer answers[] = {
      {HashAlgorithm::sha256, "",
       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {HashAlgorithm::sha256, "abc",
       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {HashAlgorithm::sha256, million_a,
       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
      {HashAlgorithm::blake2b, "",
       "786a02f742015903c6c6fd852552d272912f4740e15847618a86e217f71f5419d25e1031afee585313896444934"
       "eb04b903a685b1448b755d56f701afe9be2ce"},
      {HashAlgorithm::blake2b, "abc",
       "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de453"
       "3cc9518d38aa8dbf1925ab92386edd4009923"},
      {HashAlgorithm::blake2b, million_a,
       "98fb3efb7206fd19ebf69b6f312cf7b64e3b94dbe1a17107913975a793f177e1d077609d7fba363cbba00d05f7a"
       "a4e4fa8715d6428104c0a75643b0ff3fd3eaf"},
      {HashAlgorithm::blake3, "",
       "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"},
  };
  for (const auto& answer : answers) {
    EXPECT_EQ(hash_bytes(answer.algorithm, as_bytes(answer.input)).hex(), answer.hex)
        << algorithm_name(answer.algorithm) << " of " << answer.input.size() << " bytes";
  }
}

TEST(Digest, OneMebibyteOfPattern) {
  const Bytes data = pattern_251(1 << 20);
  EXPECT_EQ(hash_bytes(HashAlgorithm::sha256, data).hex(),
            "631b84027d6b9e52b539c4e8373622d23032dfadc64d60af87339c9037e4f769");
  EXPECT_EQ(hash_bytes(HashAlgorithm::blake2b, data).hex(),
            "797c6241704933d0c62cea0793db1dd5c65ffd258f8340d394d2cd26b7bf537046ebb5914fb1fae7635ce1"
            "f379fb819abc57ad509c015bb4dba4bc981bb1c446");
  EXPECT_EQ(hash_bytes(HashAlgorithm::blake3, data).hex(),
            "74cb441fd087764ca9c3694da742ebe30cbeb3060a17009ca81825c7a8d10343");
}

TEST(Digest, SizesAndNames) {
  for (auto algorithm : {HashAlgorithm::sha256, HashAlgorithm::blake2b, HashAlgorithm::blake3}) {
    EXPECT_EQ(hash_bytes(algorithm, {}).size(), digest_size(algorithm));
    EXPECT_EQ(parse_algorithm_name(algorithm_name(algorithm)), algorithm);
  }
  EXPECT_EQ(digest_size(HashAlgorithm::blake2b), 64u);
  EXPECT_FALSE(parse_algorithm_name("blake2"));  // model_signing's API name, not a hash_type
  EXPECT_FALSE(parse_algorithm_name("SHA256"));
  EXPECT_FALSE(parse_algorithm_name(""));
}

TEST(Digest, IncrementalInOddPiecesEqualsOneShot) {
  const Bytes data = pattern_251(300000);
  const std::size_t pieces[] = {1, 7, 63, 64, 65, 1023, 1024, 1025, 4097, 65537};
  for (auto algorithm : {HashAlgorithm::sha256, HashAlgorithm::blake2b, HashAlgorithm::blake3}) {
    const Digest expected = hash_bytes(algorithm, data);
    for (std::size_t piece : pieces) {
      Hasher hasher(algorithm);
      for (std::size_t pos = 0; pos < data.size(); pos += piece) {
        hasher.update(ByteView(data).subspan(pos, std::min(piece, data.size() - pos)));
      }
      EXPECT_EQ(hasher.finish(), expected) << algorithm_name(algorithm) << " piece " << piece;
    }
  }
}

TEST(Digest, FinishResetsForReuse) {
  for (auto algorithm : {HashAlgorithm::sha256, HashAlgorithm::blake2b, HashAlgorithm::blake3}) {
    Hasher hasher(algorithm);
    hasher.update(as_bytes("something else"));
    (void)hasher.finish();
    hasher.update(as_bytes("abc"));
    EXPECT_EQ(hasher.finish(), hash_bytes(algorithm, as_bytes("abc")));
    EXPECT_EQ(hasher.finish(), hash_bytes(algorithm, {}));
  }
}

TEST(Digest, MovedHasherKeepsState) {
  Hasher a(HashAlgorithm::sha256);
  a.update(as_bytes("ab"));
  Hasher b(std::move(a));
  b.update(as_bytes("c"));
  EXPECT_EQ(b.finish(), hash_bytes(HashAlgorithm::sha256, as_bytes("abc")));
}

TEST(Digest, ValueSemantics) {
  const Digest a = hash_bytes(HashAlgorithm::sha256, as_bytes("abc"));
  Digest b = a;
  EXPECT_EQ(a, b);
  EXPECT_FALSE(a == hash_bytes(HashAlgorithm::sha256, as_bytes("abd")));
  // Same leading bytes, different length: not equal.
  EXPECT_FALSE(a == Digest(a.bytes().first(16)));
  EXPECT_THROW(Digest(Bytes(65)), std::length_error);
}

}  // namespace
}  // namespace sigmount::hashing
