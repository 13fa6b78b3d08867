// DSSE pre-authentication encoding, the bytes a DSSE signature covers (and that Rekor v2
// logs the digest of).
#pragma once

#include <string_view>

#include "hashing/bytes.h"

namespace sigmount::verifier::sigstore {

// "DSSEv1 <len(type)> <type> <len(payload)> <payload>", lengths in ASCII decimal bytes.
Bytes dsse_pae(std::string_view payload_type, ByteView payload);

}  // namespace sigmount::verifier::sigstore
