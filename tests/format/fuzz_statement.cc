// libFuzzer target: parse_statement (and, for what it accepts, the writer) must either
// return or throw FormatError.
#include <cstddef>
#include <cstdint>

#include "verifier/errors.h"
#include "verifier/format/dsse.h"
#include "verifier/format/statement.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sigmount::verifier;
  try {
    const Statement statement = parse_statement(kInTotoPayloadType, {data, size});
    // What we read back must write and re-read to the same resources.
    const std::string text =
        write_statement(statement.model_name, statement.serialization, statement.resources);
    const Statement again = parse_statement(kInTotoPayloadType, sigmount::as_bytes(text));
    if (again.resources.size() != statement.resources.size()) __builtin_trap();
  } catch (const FormatError&) {
  }
  return 0;
}
