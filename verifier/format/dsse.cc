#include "verifier/format/dsse.h"

#include <string>

namespace sigmount::verifier {
namespace {

void append(Bytes& out, std::string_view text) {
  out.insert(out.end(), text.begin(), text.end());
}

}  // namespace

Bytes dsse_pae(std::string_view payload_type, ByteView payload) {
  Bytes out;
  out.reserve(payload.size() + payload_type.size() + 32);
  append(out, "DSSEv1 ");
  append(out, std::to_string(payload_type.size()));
  append(out, " ");
  append(out, payload_type);
  append(out, " ");
  append(out, std::to_string(payload.size()));
  append(out, " ");
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

std::string python_bytes_repr(ByteView bytes) {
  bool has_single = false;
  bool has_double = false;
  for (const std::uint8_t b : bytes) {
    has_single |= b == '\'';
    has_double |= b == '"';
  }
  const char quote = has_single && !has_double ? '"' : '\'';
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "b";
  out.reserve(bytes.size() + 3);
  out += quote;
  for (const std::uint8_t b : bytes) {
    if (b == static_cast<std::uint8_t>(quote) || b == '\\') {
      out += '\\';
      out += static_cast<char>(b);
    } else if (b == '\t') {
      out += "\\t";
    } else if (b == '\n') {
      out += "\\n";
    } else if (b == '\r') {
      out += "\\r";
    } else if (b < 0x20 || b >= 0x7f) {
      out += "\\x";
      out += kHex[b >> 4];
      out += kHex[b & 15];
    } else {
      out += static_cast<char>(b);
    }
  }
  out += quote;
  return out;
}

Bytes dsse_pae_model_signing_v0_2(std::string_view payload_type, ByteView payload) {
  Bytes out;
  append(out, "DSSEV1 ");
  append(out, std::to_string(payload_type.size()));
  append(out, " ");
  append(out, payload_type);
  append(out, " ");
  append(out, std::to_string(payload.size()));
  append(out, " ");
  append(out, python_bytes_repr(payload));
  return out;
}

}  // namespace sigmount::verifier
