#include "hashing/bytes.h"

#include <array>

namespace sigmount {

std::string to_hex(ByteView bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (std::uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xf]);
  }
  return out;
}

namespace {

// -1 for anything that is not a hex digit (either case). int16_t, not int8_t: a signed char
// promoted to int reads like the classic sign-extension bug (bugprone-signed-char-misuse).
constexpr std::array<std::int16_t, 256> make_hex_table() {
  std::array<std::int16_t, 256> table{};
  for (auto& v : table) v = -1;
  for (int i = 0; i < 10; ++i) table['0' + i] = static_cast<std::int16_t>(i);
  for (int i = 0; i < 6; ++i) {
    table['a' + i] = static_cast<std::int16_t>(10 + i);
    table['A' + i] = static_cast<std::int16_t>(10 + i);
  }
  return table;
}
constexpr auto kHexValue = make_hex_table();

}  // namespace

std::optional<Bytes> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  Bytes out(hex.size() / 2);
  const auto* in = reinterpret_cast<const unsigned char*>(hex.data());
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int hi = kHexValue[in[2 * i]];
    const int lo = kHexValue[in[2 * i + 1]];
    if ((hi | lo) < 0) return std::nullopt;
    out[i] = static_cast<std::uint8_t>((hi << 4) | lo);
  }
  return out;
}

}  // namespace sigmount
