#include "verifier/format/base64.h"

#include <array>

#include "verifier/errors.h"

namespace sigmount::verifier {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<int, 256> make_decode_table() {
  std::array<int, 256> table{};
  for (int& v : table) v = -1;
  for (std::size_t i = 0; i < kAlphabet.size(); ++i) {
    table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int>(i);
  }
  return table;
}
constexpr auto kDecode = make_decode_table();

}  // namespace

std::string base64_encode(ByteView bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (const std::size_t rest = bytes.size() - i; rest > 0) {
    std::uint32_t v = bytes[i] << 16;
    if (rest == 2) v |= bytes[i + 1] << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

Bytes base64_decode(std::string_view text, std::string_view what) {
  auto fail = [&](const char* why) {
    return FormatError(std::string(what) + ": invalid base64 (" + why + ")");
  };
  if (text.size() % 4 != 0) throw fail("length is not a multiple of 4");
  if (text.empty()) return {};
  std::size_t padding = 0;
  if (text.back() == '=') ++padding;
  if (text[text.size() - 2] == '=') ++padding;
  // Every quantum but the last has four alphabet characters: decoded without branching per
  // character (an OMS payload of 10,000 files is megabytes); any '=' or stray byte makes a
  // negative value, checked once per quantum.
  Bytes out(text.size() / 4 * 3 - padding);
  const std::size_t full = text.size() / 4 - 1;
  const auto* in = reinterpret_cast<const unsigned char*>(text.data());
  std::uint8_t* to = out.data();
  for (std::size_t q = 0; q < full; ++q, in += 4, to += 3) {
    const int a = kDecode[in[0]], b = kDecode[in[1]], c = kDecode[in[2]], d = kDecode[in[3]];
    if ((a | b | c | d) < 0) {
      throw fail(in[0] == '=' || in[1] == '=' || in[2] == '=' || in[3] == '='
                     ? "misplaced padding"
                     : "character outside the alphabet");
    }
    const auto v = static_cast<std::uint32_t>(a << 18 | b << 12 | c << 6 | d);
    to[0] = static_cast<std::uint8_t>(v >> 16);
    to[1] = static_cast<std::uint8_t>(v >> 8);
    to[2] = static_cast<std::uint8_t>(v);
  }
  // The last quantum: up to two '=' at its end.
  std::uint32_t v = 0;
  for (std::size_t k = 0; k < 4; ++k) {
    if (in[k] == '=') {
      if (k < 4 - padding) throw fail("misplaced padding");
      v <<= 6;
      continue;
    }
    const int d = kDecode[in[k]];
    if (d < 0) throw fail("character outside the alphabet");
    v = (v << 6) | static_cast<std::uint32_t>(d);
  }
  to[0] = static_cast<std::uint8_t>(v >> 16);
  if (padding < 2) to[1] = static_cast<std::uint8_t>(v >> 8);
  if (padding < 1) to[2] = static_cast<std::uint8_t>(v);
  if (padding == 1 && (v & 0xff) != 0) throw fail("non-zero trailing bits");
  if (padding == 2 && (v & 0xffff) != 0) throw fail("non-zero trailing bits");
  return out;
}

}  // namespace sigmount::verifier
