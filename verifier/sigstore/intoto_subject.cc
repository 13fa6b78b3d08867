#include "verifier/sigstore/intoto_subject.h"

#include <algorithm>
#include <cctype>

#include "verifier/errors.h"
#include "verifier/format/json.h"

namespace sigmount::verifier::sigstore {

bool statement_lists_sha256(ByteView payload, ByteView sha256) {
  constexpr std::size_t kMaxSubjects = 1024;
  const json::Value statement = json::parse(as_chars(payload), "in-toto statement");
  const std::string type = json::string_at(statement, "_type", "in-toto statement");
  if (type != "https://in-toto.io/Statement/v1" && type != "https://in-toto.io/Statement/v0.1") {
    throw FormatError("in-toto statement: unsupported _type \"" + type + "\"");
  }
  const auto& subjects = json::array_at(statement, "subject", "in-toto statement");
  if (subjects.size() > kMaxSubjects) throw FormatError("in-toto statement: too many subjects");
  const std::string wanted = to_hex(sha256);
  for (const auto& subject : subjects) {
    if (!json::has(subject, "digest")) continue;
    const auto& digest = json::object_at(subject, "digest", "in-toto statement.subject");
    if (!json::has(digest, "sha256") || !digest.at("sha256").is_string()) continue;
    std::string value = digest.at("sha256").get<std::string>();
    std::transform(value.begin(), value.end(), value.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (value == wanted) return true;
  }
  return false;
}

}  // namespace sigmount::verifier::sigstore
