// libFuzzer: the trusted root / ClientTrustConfig parser must only ever throw FormatError.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "verifier/errors.h"
#include "verifier/sigstore/trusted_root.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    (void)sigmount::verifier::sigstore::parse_trusted_root_or_trust_config(
        std::string_view(reinterpret_cast<const char*>(data), size));
  } catch (const sigmount::verifier::FormatError&) {
  }
  return 0;
}
