// The ways verification (and signing) ends badly. Everything the verifier throws is one of
// these (or std::system_error for I/O), so callers can report one line per problem and exit 1.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace sigmount::verifier {

// Input that is not a well-formed instance of its format: bundle, statement, trust root, key,
// certificate, checkpoint... Thrown by parsers; never means "maybe valid".
class FormatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Well-formed input that fails a trust or integrity check. Carries every problem found, one
// line each (e.g. each mismatching file), so the CLI can print them all.
class VerificationError : public std::runtime_error {
 public:
  explicit VerificationError(std::string problem)
      : std::runtime_error(problem), problems_{std::move(problem)} {}
  explicit VerificationError(std::vector<std::string> problems)
      : std::runtime_error(join(problems)), problems_(std::move(problems)) {}
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  static std::string join(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& line : lines) {
      if (!out.empty()) out += '\n';
      out += line;
    }
    return out;
  }
  std::vector<std::string> problems_;
};

// A signing device that would not sign: a PKCS#11 module that does not load, a token not found,
// a PIN refused. Never carries a secret (PIN, token) in its message.
class SigningError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace sigmount::verifier
