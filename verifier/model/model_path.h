// What a file name inside a model may look like. The same rule guards names read from a
// signed manifest (which the mount turns into paths), names found while walking a model (so
// we never sign what we would refuse to verify) and names resolved on disk.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sigmount::verifier {

// Nullopt when `path` is a canonical model path: relative, '/'-separated, valid UTF-8, no
// empty, "." or ".." component, no backslash, NUL or other control character. The single
// name "." (the model is one file) is accepted. Otherwise a short reason ("absolute path").
std::optional<std::string> model_path_problem(std::string_view path);

// `name` between double quotes with control characters, '"', '\\' and bytes that are not
// UTF-8 escaped as \xNN, for error messages that must not smuggle terminal escapes.
std::string quoted_name(std::string_view name);

}  // namespace sigmount::verifier
