// Well-formed UTF-8 per RFC 3629, one sequence at a time: the JSON parser refuses anything else,
// and status text for a service manager replaces it.
#pragma once

#include <cstddef>
#include <string_view>

namespace sigmount::verifier::format {

// The length of the well-formed UTF-8 sequence `text` starts with (1 for ASCII; no overlong
// forms, surrogates or code points above U+10FFFF), or 0 if it starts with none (or is empty).
std::size_t utf8_sequence_length(std::string_view text);

}  // namespace sigmount::verifier::format
