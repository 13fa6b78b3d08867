// What a trust step proves about a DSSE bundle: these payload bytes, of this type, were
// signed by the described signer. Everything after (statement, manifest) reads only this.
#pragma once

#include <string>

#include "hashing/bytes.h"

namespace sigmount::verifier::trust {

struct TrustedPayload {
  std::string payload_type;
  Bytes payload;
  std::string signer_description;
};

}  // namespace sigmount::verifier::trust
