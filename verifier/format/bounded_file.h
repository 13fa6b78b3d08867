// Reading a whole small file (a bundle, a key, a certificate, a trust root) with a bound, so
// that a hostile or mistaken path (/dev/zero, a named pipe, a huge file) ends in a clear error
// instead of exhausting memory.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace sigmount::verifier {

// Bounds of the documents sigmount reads whole. A bundle's bound matches its JSON parse limit.
inline constexpr std::size_t kMaxPemFileBytes = std::size_t{4} << 20;
inline constexpr std::size_t kMaxTrustRootFileBytes = std::size_t{4} << 20;

// The file's contents. FormatError once it holds more than max_bytes (no more than
// max_bytes + 1 bytes are ever read); std::system_error naming `what` and the path when it
// cannot be opened or read. Works on files without a size (pipes, /dev/fd/N).
std::string read_bounded_file(const std::filesystem::path& path, std::size_t max_bytes,
                              std::string_view what);

}  // namespace sigmount::verifier
