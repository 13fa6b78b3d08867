#include "verifier/sigstore/validity_period.h"

#include <ctime>
#include <limits>

#include "verifier/errors.h"

namespace sigmount::verifier::sigstore {
namespace {

// Reads exactly `digits` decimal digits at `pos`.
bool read_number(std::string_view s, std::size_t& pos, std::size_t digits, int& out) {
  if (pos + digits > s.size()) return false;
  int value = 0;
  for (std::size_t i = 0; i < digits; ++i) {
    const char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  pos += digits;
  out = value;
  return true;
}

bool expect(std::string_view s, std::size_t& pos, char c) {
  if (pos >= s.size() || s[pos] != c) return false;
  ++pos;
  return true;
}

}  // namespace

// Instants hold int64 nanoseconds (years 1678..2261); times outside saturate rather than
// overflow (X.509 allows notAfter 9999-12-31, SCT timestamps are arbitrary 64-bit values).
Instant instant_from_unix_seconds(std::int64_t seconds) {
  constexpr std::int64_t kLimit = std::numeric_limits<std::int64_t>::max() / 1'000'000'000 - 1;
  if (seconds > kLimit) return Instant::max();
  if (seconds < -kLimit) return Instant::min();
  return Instant(std::chrono::seconds(seconds));
}

Instant instant_from_unix_millis(std::uint64_t millis) {
  constexpr std::uint64_t kLimit = std::numeric_limits<std::int64_t>::max() / 1'000'000 - 1;
  if (millis > kLimit) return Instant::max();
  return Instant(std::chrono::milliseconds(static_cast<std::int64_t>(millis)));
}

std::int64_t unix_seconds(Instant t) {
  return std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count();
}

Instant parse_rfc3339(std::string_view s, std::string_view what) {
  const auto fail = [&] {
    return FormatError(std::string(what) + ": not an RFC 3339 time: \"" +
                       std::string(s.substr(0, 64)) + "\"");
  };
  std::size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!read_number(s, pos, 4, year) || !expect(s, pos, '-') || !read_number(s, pos, 2, month) ||
      !expect(s, pos, '-') || !read_number(s, pos, 2, day)) {
    throw fail();
  }
  if (pos >= s.size() || (s[pos] != 'T' && s[pos] != 't')) throw fail();
  ++pos;
  if (!read_number(s, pos, 2, hour) || !expect(s, pos, ':') || !read_number(s, pos, 2, minute) ||
      !expect(s, pos, ':') || !read_number(s, pos, 2, second)) {
    throw fail();
  }
  std::int64_t nanos = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    std::size_t digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 9) nanos = nanos * 10 + (s[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) throw fail();
    for (std::size_t i = digits; i < 9; ++i) nanos *= 10;
  }
  std::int64_t offset_seconds = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    const int sign = s[pos] == '+' ? 1 : -1;
    ++pos;
    int oh = 0, om = 0;
    if (!read_number(s, pos, 2, oh) || !expect(s, pos, ':') || !read_number(s, pos, 2, om) ||
        oh > 23 || om > 59) {
      throw fail();
    }
    offset_seconds = sign * (std::int64_t{oh} * 3600 + std::int64_t{om} * 60);
  } else {
    throw fail();
  }
  if (pos != s.size()) throw fail();
  const std::chrono::year_month_day ymd{std::chrono::year(year),
                                        std::chrono::month(static_cast<unsigned>(month)),
                                        std::chrono::day(static_cast<unsigned>(day))};
  // Trust roots speak of this century; the bound also keeps nanoseconds from overflowing.
  if (year < 1900 || year > 2200) throw fail();
  if (!ymd.ok() || hour > 23 || minute > 59 || second > 60) throw fail();
  const auto days = std::chrono::sys_days(ymd);
  return Instant(days) + std::chrono::hours(hour) + std::chrono::minutes(minute) +
         std::chrono::seconds(second) - std::chrono::seconds(offset_seconds) +
         std::chrono::nanoseconds(nanos);
}

std::string format_instant(Instant t) {
  const auto seconds = static_cast<std::time_t>(unix_seconds(t));
  std::tm tm{};
  if (gmtime_r(&seconds, &tm) == nullptr) return std::to_string(seconds);
  char buffer[32];
  if (std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
    return std::to_string(seconds);
  }
  return buffer;
}

std::string ValidityPeriod::describe() const {
  return "[" + (start ? format_instant(*start) : std::string("-")) + ", " +
         (end ? format_instant(*end) : std::string("open")) + "]";
}

}  // namespace sigmount::verifier::sigstore
