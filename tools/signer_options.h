// The signing methods `sign` and `provenance generate` share: key, certificate, pkcs11-key,
// pkcs11-certificate. Their options, and the signer they build (the key is loaded, or the
// token opened, before anything is hashed: a wrong password or PIN should not cost a hash).
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "tools/args.h"
#include "verifier/trust/signing.h"

namespace sigmount::tools {

inline constexpr std::string_view kSigningMethods =
    "key, certificate, pkcs11-key or pkcs11-certificate";

bool is_signing_method(const std::string& word);

// --private-key/--password or --pkcs11-uri, and for the certificate methods
// --signing-certificate/--certificate-chain.
void add_signer_options(ArgParser& parser, const std::string& method);

using Signer = std::variant<verifier::trust::KeySigner, verifier::trust::CertificateSigner>;

// Throws what loading the key or opening the token throws (FormatError, SigningError,
// std::system_error).
Signer signer_from(const ParsedArgs& args, const std::string& method);

std::string sign_statement(std::string_view statement_json, const Signer& signer);

}  // namespace sigmount::tools
