// `verify key`: the bundle was signed by the holder of one EC public key.
#pragma once

#include <string_view>

#include "verifier/format/bundle.h"
#include "verifier/trust/trusted_payload.h"

namespace sigmount::verifier::trust {

// `public_key_pem`: the trusted key (PEM). The bundle must carry `publicKey` material; its
// hint, when present, must be this key's (else "key mismatch"); an absent hint is accepted
// (model_signing <= 1.0 wrote rawBytes instead, which is unauthenticated and not used).
// `key_name` says in errors which key is meant (e.g. "public key keys/team.pub").
// Throws FormatError for a bad key, VerificationError for every trust failure.
TrustedPayload verify_with_public_key(const Bundle& bundle, std::string_view public_key_pem,
                                      std::string_view key_name = "public key");

}  // namespace sigmount::verifier::trust
