// `sign pkcs11-key` / `pkcs11-certificate`: the EC key a PKCS#11 URI names, on its token. The
// token signs (CKM_ECDSA over the digest this process computes, as model_signing does); the
// private key never leaves it. Each signature is checked against the token's public key
// before it is used, so a public key object that is not the private key's pair is caught at
// signing, not by the first verifier.
#pragma once

#include <filesystem>
#include <memory>
#include <vector>

#include "verifier/pkcs11/uri.h"
#include "verifier/trust/signing_key.h"

namespace sigmount::verifier::pkcs11 {

// Loads the module, finds exactly one token matching the URI's path attributes, logs in with
// its PIN (if it gives one), finds exactly one EC private key (object / id) and its public key
// object. Throws SigningError (or FormatError for an unsupported curve) saying which step
// failed; messages name the module, token label and object, never the PIN.
std::unique_ptr<const trust::SigningKey> open_token_key(
    const Uri& uri, const std::vector<std::filesystem::path>& module_folders);
std::unique_ptr<const trust::SigningKey> open_token_key(const Uri& uri);

}  // namespace sigmount::verifier::pkcs11
