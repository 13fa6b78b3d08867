// Strict base64 (RFC 4648 standard alphabet, padded): junk characters are an error, never
// skipped, because a lenient decoder lets a tampered field decode to something valid.
#pragma once

#include <string>
#include <string_view>

#include "hashing/bytes.h"

namespace sigmount::verifier {

std::string base64_encode(ByteView bytes);
// Throws FormatError naming `what` on any character outside the alphabet, bad padding or
// non-zero trailing bits.
Bytes base64_decode(std::string_view text, std::string_view what);

}  // namespace sigmount::verifier
