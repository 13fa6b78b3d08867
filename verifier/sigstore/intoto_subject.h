// Binding a DSSE bundle to an artifact: the signed in-toto statement must list the artifact's
// SHA-256 among its subjects.
#pragma once

#include "hashing/bytes.h"

namespace sigmount::verifier::sigstore {

// Throws FormatError when `payload` is not an in-toto statement (v0.1 or v1).
bool statement_lists_sha256(ByteView payload, ByteView sha256);

}  // namespace sigmount::verifier::sigstore
