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
#include <nlohmann/json.hpp>
#include <string_view>

namespace sigmount::verifier::json {

// Throws FormatError("<what>: ...") naming the byte offset of the first problem.
nlohmann::json parse_strict(std::string_view text, std::string_view what, std::size_t max_depth);

}  // namespace sigmount::verifier::json
