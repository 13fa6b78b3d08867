#include "verifier/format/json_parser.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>

#include "verifier/errors.h"
#include "verifier/format/utf8.h"

namespace sigmount::verifier::json {
namespace {

using Value = nlohmann::json;

// To nlohmann a braced list is a JSON array ({true} is [true]), so values are returned as
// Value(x), never as {x} (why modernize-return-braced-init-list is off in .clang-tidy).
class Parser {
 public:
  Parser(std::string_view text, std::string_view what, std::size_t max_depth,
         std::size_t max_values, std::span<const std::string_view> stream_path = {},
         const std::function<void(Value&&)>* stream_element = nullptr)
      : begin_(text.data()),
        pos_(text.data()),
        end_(text.data() + text.size()),
        what_(what),
        max_depth_(max_depth),
        max_values_(max_values),
        stream_path_(stream_path),
        stream_element_(stream_element) {}

  Value document() {
    skip_whitespace();
    Value root = value(0);
    skip_whitespace();
    if (pos_ != end_) fail("unexpected data after the document");
    return root;
  }

 private:
  // A hostile name, made safe to print: quoted, control and non-ASCII bytes escaped, cut short.
  static std::string printable(std::string_view name) {
    constexpr std::size_t kMaxShown = 64;
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out = "\"";
    for (const char c : name.substr(0, kMaxShown)) {
      const auto byte = static_cast<unsigned char>(c);
      if (byte < 0x20 || byte >= 0x7f || c == '"' || c == '\\') {
        out += "\\x";
        out += kHex[byte >> 4];
        out += kHex[byte & 15];
      } else {
        out += c;
      }
    }
    return out + (name.size() > kMaxShown ? "\"..." : "\"");
  }

  [[noreturn]] void fail(const std::string& problem) const {
    throw FormatError(std::string(what_) + ": not valid JSON (" + problem + " at byte " +
                      std::to_string(pos_ - begin_) + ")");
  }

  bool at_end() const { return pos_ == end_; }
  unsigned char peek() const { return static_cast<unsigned char>(*pos_); }

  void skip_whitespace() {
    while (pos_ != end_ && (*pos_ == ' ' || *pos_ == '\n' || *pos_ == '\r' || *pos_ == '\t')) {
      ++pos_;
    }
  }

  void expect(char c, const char* problem) {
    if (at_end() || *pos_ != c) fail(problem);
    ++pos_;
  }

  Value value(std::size_t depth) {
    if (at_end()) fail("unexpected end of input");
    if (streamed_elements_open_ == 0 && ++kept_values_ > max_values_) {
      throw FormatError(std::string(what_) + ": more than " + std::to_string(max_values_) +
                        " values (at byte " + std::to_string(pos_ - begin_) + ")");
    }
    switch (*pos_) {
      case '{':
        return object(enter(depth));
      case '[':
        return array(enter(depth));
      case '"':
        return Value(string());
      case 't':
        literal("true");
        return Value(true);
      case 'f':
        literal("false");
        return Value(false);
      case 'n':
        literal("null");
        return Value(nullptr);
      default:
        if (*pos_ == '-' || (*pos_ >= '0' && *pos_ <= '9')) return number();
        fail("unexpected character");
    }
  }

  std::size_t enter(std::size_t depth) {
    if (depth + 1 > max_depth_) {
      throw FormatError(std::string(what_) + ": nested deeper than " + std::to_string(max_depth_) +
                        " levels (at byte " + std::to_string(pos_ - begin_) + ")");
    }
    return depth + 1;
  }

  void literal(std::string_view word) {
    if (static_cast<std::size_t>(end_ - pos_) < word.size() ||
        std::string_view(pos_, word.size()) != word) {
      fail("invalid literal");
    }
    pos_ += word.size();
  }

  Value object(std::size_t depth) {
    ++pos_;  // '{'
    Value out = Value::object();
    auto& members = out.get_ref<Value::object_t&>();
    skip_whitespace();
    if (!at_end() && *pos_ == '}') {
      ++pos_;
      return out;
    }
    while (true) {
      if (at_end() || *pos_ != '"') fail("expected a member name");
      std::string name = string();
      // Parsers disagree on which copy of a repeated member wins, so a document with
      // duplicates can mean one thing to us and another to whoever signed it.
      if (members.find(name) != members.end()) {
        throw FormatError(std::string(what_) + ": duplicate member " + printable(name));
      }
      skip_whitespace();
      expect(':', "expected ':'");
      skip_whitespace();
      // Members sit one level below their object: the root's members match stream_path_[0].
      const std::size_t outer_matched = path_matched_;
      const std::size_t level = depth - 1;
      path_matched_ =
          outer_matched == level && level < stream_path_.size() && name == stream_path_[level]
              ? level + 1
              : kOffPath;
      Value member = value(depth);
      path_matched_ = outer_matched;
      members.emplace(std::move(name), std::move(member));
      skip_whitespace();
      if (at_end()) fail("unterminated object");
      if (*pos_ == '}') {
        ++pos_;
        return out;
      }
      expect(',', "expected ',' or '}'");
      skip_whitespace();
    }
  }

  Value array(std::size_t depth) {
    ++pos_;  // '['
    Value out = Value::array();
    auto& elements = out.get_ref<Value::array_t&>();
    const bool streamed =
        stream_element_ != nullptr && !stream_path_.empty() && path_matched_ == stream_path_.size();
    // Nothing inside an array is on the path, the streamed array's elements included.
    const std::size_t outer_matched = std::exchange(path_matched_, kOffPath);
    skip_whitespace();
    if (!at_end() && *pos_ == ']') {
      ++pos_;
      path_matched_ = outer_matched;
      return out;
    }
    while (true) {
      if (streamed) {
        ++streamed_elements_open_;
        Value element = value(depth);
        --streamed_elements_open_;
        (*stream_element_)(std::move(element));
      } else {
        elements.push_back(value(depth));
      }
      skip_whitespace();
      if (at_end()) fail("unterminated array");
      if (*pos_ == ']') {
        ++pos_;
        path_matched_ = outer_matched;
        return out;
      }
      expect(',', "expected ',' or ']'");
      skip_whitespace();
    }
  }

  std::string string() {
    ++pos_;  // '"'
    std::string out;
    while (true) {
      // The common case, copied as one run: printable ASCII other than '"' and '\'.
      const char* run = pos_;
      skip_plain_words();
      while (pos_ != end_) {
        const auto c = static_cast<unsigned char>(*pos_);
        if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') break;
        ++pos_;
      }
      out.append(run, pos_);
      if (at_end()) fail("unterminated string");
      const unsigned char c = peek();
      if (c == '"') {
        ++pos_;
        return out;
      }
      if (c == '\\') {
        escape(out);
      } else if (c < 0x20) {
        fail("control character in a string");
      } else {
        utf8_sequence(out);
      }
    }
  }

  // Skips 8 bytes at a time while none of them ends a plain run (a control character, a byte
  // of 0x80 or more, '"' or '\'); the byte loop after it finds the exact position. A base64
  // payload of megabytes is one such run.
  void skip_plain_words() {
    constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
    constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
    const auto has_zero_byte = [](std::uint64_t w) { return (w - kOnes) & ~w & kHigh; };
    while (end_ - pos_ >= 8) {
      std::uint64_t w = 0;
      std::memcpy(&w, pos_, sizeof w);
      const std::uint64_t stop = (w & kHigh) | ((w - 0x20 * kOnes) & ~w & kHigh) |
                                 has_zero_byte(w ^ ('"' * kOnes)) |
                                 has_zero_byte(w ^ ('\\' * kOnes));
      if (stop != 0) return;
      pos_ += 8;
    }
  }

  unsigned hex4() {
    if (end_ - pos_ < 4) fail("truncated \\u escape");
    unsigned value = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = *pos_++;
      value <<= 4;
      if (c >= '0' && c <= '9') {
        value |= static_cast<unsigned>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        value |= static_cast<unsigned>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        value |= static_cast<unsigned>(c - 'A' + 10);
      } else {
        --pos_;
        fail("invalid \\u escape");
      }
    }
    return value;
  }

  void escape(std::string& out) {
    ++pos_;  // '\'
    if (at_end()) fail("unterminated escape");
    const char c = *pos_++;
    switch (c) {
      case '"':
      case '\\':
      case '/':
        out.push_back(c);
        return;
      case 'b':
        out.push_back('\b');
        return;
      case 'f':
        out.push_back('\f');
        return;
      case 'n':
        out.push_back('\n');
        return;
      case 'r':
        out.push_back('\r');
        return;
      case 't':
        out.push_back('\t');
        return;
      case 'u':
        break;
      default:
        --pos_;
        fail("invalid escape");
    }
    unsigned code_point = hex4();
    if (code_point >= 0xDC00 && code_point <= 0xDFFF) fail("unpaired low surrogate");
    if (code_point >= 0xD800 && code_point <= 0xDBFF) {
      if (end_ - pos_ < 2 || pos_[0] != '\\' || pos_[1] != 'u') fail("unpaired high surrogate");
      pos_ += 2;
      const unsigned low = hex4();
      if (low < 0xDC00 || low > 0xDFFF) fail("unpaired high surrogate");
      code_point = 0x10000 + ((code_point - 0xD800) << 10) + (low - 0xDC00);
    }
    append_utf8(out, code_point);
  }

  static void append_utf8(std::string& out, unsigned code_point) {
    if (code_point < 0x80) {
      out.push_back(static_cast<char>(code_point));
    } else if (code_point < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (code_point >> 6)));
      out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
    } else if (code_point < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (code_point >> 12)));
      out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (code_point >> 18)));
      out.push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
    }
  }

  // One multi-byte UTF-8 sequence, well-formed per RFC 3629, copied as is.
  void utf8_sequence(std::string& out) {
    const std::size_t length =
        format::utf8_sequence_length({pos_, static_cast<std::size_t>(end_ - pos_)});
    if (length == 0) fail("invalid UTF-8");
    out.append(pos_, length);
    pos_ += length;
  }

  static bool is_digit(char c) { return c >= '0' && c <= '9'; }

  void digits() {
    if (at_end() || !is_digit(*pos_)) fail("invalid number");
    while (!at_end() && is_digit(*pos_)) ++pos_;
  }

  // Like nlohmann: an integer that fits int64 (negative) or uint64 (otherwise) stays an
  // integer; anything else is a double, and a double that overflows is an error.
  Value number() {
    const char* start = pos_;
    const bool negative = *pos_ == '-';
    if (negative) ++pos_;
    if (at_end()) fail("invalid number");
    if (*pos_ == '0') {
      ++pos_;
    } else {
      digits();
    }
    bool integral = true;
    if (!at_end() && *pos_ == '.') {
      ++pos_;
      digits();
      integral = false;
    }
    if (!at_end() && (*pos_ == 'e' || *pos_ == 'E')) {
      ++pos_;
      if (!at_end() && (*pos_ == '+' || *pos_ == '-')) ++pos_;
      digits();
      integral = false;
    }
    if (integral) {
      if (negative) {
        std::int64_t value = 0;
        const auto [end, ec] = std::from_chars(start, pos_, value);
        if (ec == std::errc() && end == pos_) return Value(value);
      } else {
        std::uint64_t value = 0;
        const auto [end, ec] = std::from_chars(start, pos_, value);
        if (ec == std::errc() && end == pos_) return Value(value);
      }
    }
    double value = 0;
    const auto [end, ec] = std::from_chars(start, pos_, value);
    if (ec != std::errc() || end != pos_ || !std::isfinite(value)) {
      fail("number out of range");
    }
    return Value(value);
  }

  static constexpr std::size_t kOffPath = static_cast<std::size_t>(-1);

  const char* const begin_;
  const char* pos_;
  const char* const end_;
  std::string_view what_;
  std::size_t max_depth_;
  std::size_t max_values_;
  std::size_t kept_values_ = 0;
  // Inside a streamed element: what is parsed there is handed on and dropped, not kept.
  std::size_t streamed_elements_open_ = 0;
  std::span<const std::string_view> stream_path_;
  const std::function<void(Value&&)>* stream_element_;
  // How many names of stream_path_ the members enclosing pos_ match, or kOffPath once some
  // enclosing member or array is not on the path.
  std::size_t path_matched_ = 0;
};

}  // namespace

nlohmann::json parse_strict(std::string_view text, std::string_view what, std::size_t max_depth,
                            std::size_t max_values) {
  return Parser(text, what, max_depth, max_values).document();
}

nlohmann::json parse_strict_streaming(std::string_view text, std::string_view what,
                                      std::size_t max_depth, std::size_t max_values,
                                      std::span<const std::string_view> path,
                                      const std::function<void(nlohmann::json&&)>& element) {
  return Parser(text, what, max_depth, max_values, path, &element).document();
}

}  // namespace sigmount::verifier::json
