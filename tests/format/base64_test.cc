#include "verifier/format/base64.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <random>
#include <string>

#include "verifier/errors.h"

namespace sigmount::verifier {
namespace {

Bytes decode(std::string_view text) {
  return base64_decode(text, "test");
}

// RFC 4648, section 10.
TEST(Base64, TestVectors) {
  const std::pair<std::string, std::string> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(as_bytes(plain)), encoded);
    const Bytes decoded = decode(encoded);
    EXPECT_EQ(std::string(as_chars(decoded)), plain) << encoded;
  }
}

TEST(Base64, DecodesWhatOpenSslEncodes) {
  std::mt19937 random(5);
  for (std::size_t size = 0; size < 200; ++size) {
    Bytes bytes(size);
    for (auto& b : bytes) b = static_cast<std::uint8_t>(random());
    std::string encoded(4 * ((size + 2) / 3) + 1, '\0');
    const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                        bytes.data(), static_cast<int>(bytes.size()));
    encoded.resize(static_cast<std::size_t>(written));
    EXPECT_EQ(decode(encoded), bytes) << size;
    EXPECT_EQ(base64_encode(bytes), encoded) << size;
  }
}

TEST(Base64, RefusesAnythingButCanonicalPaddedStandardBase64) {
  for (const char* bad : {"Zg=",         // length
                          "Zg",          // unpadded
                          "Z===",        // three '='
                          "====",        // only padding
                          "Zg=a",        // '=' before data
                          "Zm=v",        // '=' inside the last quantum
                          "Zg==Zm9v",    // padding in a quantum that is not the last
                          "Zm9v=m9v",    // '=' opening a later quantum
                          "Zh==",        // non-zero trailing bits
                          "Zm9=",        // non-zero trailing bits
                          "Zm9-",        // URL-safe alphabet
                          "Zm9_",        // URL-safe alphabet
                          "Zm 9",        // whitespace
                          "Zm9v\n",      // newline
                          "Zm\x80v"}) {  // a byte outside ASCII
    EXPECT_THROW(decode(bad), FormatError) << bad;
  }
}

}  // namespace
}  // namespace sigmount::verifier
