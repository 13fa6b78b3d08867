// Instants and the closed validity windows of the trusted root. Sigstore's trust roots publish
// `validFor` as RFC 3339 strings and mean [start, end] inclusive at both ends (the conformance
// suite has entries whose end equals the signing time exactly).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sigmount::verifier::sigstore {

using Instant = std::chrono::sys_time<std::chrono::nanoseconds>;

// Saturate at Instant::min()/max() instead of overflowing.
Instant instant_from_unix_seconds(std::int64_t seconds);
Instant instant_from_unix_millis(std::uint64_t millis);
// Seconds since the epoch, rounded down (X.509 validation takes whole seconds).
std::int64_t unix_seconds(Instant t);
// Throws FormatError naming `what` on anything that is not an RFC 3339 date-time
// ("2022-12-31T23:59:59.999Z", "...+01:00").
Instant parse_rfc3339(std::string_view text, std::string_view what);
// "2023-07-12T15:56:36Z" (fractions of a second are dropped), for messages.
std::string format_instant(Instant t);

struct ValidityPeriod {
  std::optional<Instant> start;  // absent: since forever
  std::optional<Instant> end;    // absent: still valid
  bool contains(Instant t) const { return (!start || *start <= t) && (!end || t <= *end); }
  std::string describe() const;  // "[start, end]" for messages
};

}  // namespace sigmount::verifier::sigstore
