#include "verifier/signature_verifier.h"

#include "verifier/errors.h"

namespace sigmount::verifier {

VerifiedManifest SignatureVerifier::verify(std::string_view /*bundle_json*/) const {
  throw VerificationError("not implemented yet");
}

}  // namespace sigmount::verifier
