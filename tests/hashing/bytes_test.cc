#include "hashing/bytes.h"

#include <gtest/gtest.h>

namespace sigmount {
namespace {

TEST(Hex, RoundTrip) {
  const Bytes bytes = {0x00, 0x01, 0x7f, 0x80, 0xab, 0xff};
  EXPECT_EQ(to_hex(bytes), "00017f80abff");
  EXPECT_EQ(from_hex("00017f80abff"), bytes);
  EXPECT_EQ(from_hex("00017F80ABFF"), bytes);
  EXPECT_EQ(to_hex({}), "");
  EXPECT_EQ(from_hex(""), Bytes{});
}

TEST(Hex, RejectsMalformed) {
  EXPECT_FALSE(from_hex("abc"));  // odd length
  EXPECT_FALSE(from_hex("0g"));
  EXPECT_FALSE(from_hex("0 "));
  EXPECT_FALSE(from_hex("+1"));
  EXPECT_FALSE(from_hex(std::string_view("0\0", 2)));
  EXPECT_FALSE(from_hex("\xe0\xb0"));  // bytes whose low bits look like hex digits
  EXPECT_FALSE(from_hex("G0"));
  EXPECT_FALSE(from_hex("0:"));
}

}  // namespace
}  // namespace sigmount
