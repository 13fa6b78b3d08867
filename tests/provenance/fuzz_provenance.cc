// libFuzzer target: parse_provenance must either return or throw FormatError; what it reads
// must satisfy the bounds it promises.
#include <cstddef>
#include <cstdint>

#include "verifier/errors.h"
#include "verifier/provenance/provenance.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sigmount::verifier;
  try {
    const provenance::Provenance parsed =
        provenance::parse_provenance(provenance::kInTotoPayloadType, {data, size});
    if (parsed.subjects.empty() || parsed.subjects.size() > provenance::kMaxSubjects) {
      __builtin_trap();
    }
    for (const auto* uri : {&parsed.trigger, &parsed.source}) {
      if (*uri && !(*uri)->repository.starts_with("git+")) __builtin_trap();
    }
  } catch (const FormatError&) {
  }
  return 0;
}
