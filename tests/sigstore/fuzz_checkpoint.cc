// libFuzzer: signed-note and checkpoint parsing, and checkpoint verification against the
// production Rekor v1 and v2 log keys (ECDSA and Ed25519 paths).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "verifier/errors.h"
#include "verifier/sigstore/checkpoint.h"
#include "verifier/sigstore/trusted_root.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace sigstore = sigmount::verifier::sigstore;
  static const sigstore::TrustedRoot root = sigstore::production_trusted_root();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    (void)sigstore::parse_checkpoint_text(text);
  } catch (const sigmount::verifier::FormatError&) {
  }
  for (const auto& log : root.tlogs) {
    try {
      (void)sigstore::verify_checkpoint(text, log);
    } catch (const sigmount::verifier::FormatError&) {
    } catch (const sigmount::verifier::VerificationError&) {
    }
  }
  return 0;
}
