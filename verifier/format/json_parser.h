// The strict JSON reader behind json::parse (RFC 8259, no extensions).
//
// Written for hostile, large documents: a 10,000-file manifest is a 2 MB bundle whose payload
// is one 2 MB base64 string, and mount time is bounded by how fast it is read. nlohmann's lexer
// copies every character one at a time into two buffers; this reader copies runs of plain
// characters at once and builds the same nlohmann values. It accepts exactly what nlohmann
// accepts, except that it also refuses duplicate member names, nesting beyond a bound, a
// leading byte order mark and numbers outside double's range; the differential fuzz target
// (tests/format/fuzz_json.cc) holds it to that.
#pragma once

#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <span>
#include <string_view>

namespace sigmount::verifier::json {

// Throws FormatError("<what>: ...") naming the byte offset of the first problem; also for
// nesting deeper than max_depth and for more than max_values values.
nlohmann::json parse_strict(std::string_view text, std::string_view what, std::size_t max_depth,
                            std::size_t max_values);

// The same, except that the elements of the array that is the value at `path` (member names
// from the root object down, at least one) go to `element`, one at a time and in order, and are
// not kept: that array reads as empty in the document returned. A 10,000-file manifest is
// 10,000 small objects, and a tree of them costs more to build and free than the rest of the
// mount's verification. Only an array directly at `path` is streamed; anything else there is
// kept as usual. A syntax error anywhere still throws, possibly after some elements were
// passed on.
// Streamed elements do not count towards max_values: they are not kept.
nlohmann::json parse_strict_streaming(std::string_view text, std::string_view what,
                                      std::size_t max_depth, std::size_t max_values,
                                      std::span<const std::string_view> path,
                                      const std::function<void(nlohmann::json&&)>& element);

}  // namespace sigmount::verifier::json
