// libFuzzer target: parse_bundle under both rule sets must either return or throw
// FormatError, never crash, hang or leak.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "verifier/errors.h"
#include "verifier/format/bundle.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const auto rules : {sigmount::verifier::BundleRules::sigstore,
                           sigmount::verifier::BundleRules::model_signing}) {
    try {
      (void)sigmount::verifier::parse_bundle(text, rules);
    } catch (const sigmount::verifier::FormatError&) {
    }
  }
  return 0;
}
