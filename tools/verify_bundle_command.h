// `sigmount verify-bundle`: the sigstore-conformance client protocol for verifying one
// Sigstore bundle against an artifact (a file, or `sha256:<hex>`).
//
//   verify-bundle --bundle FILE
//                 (--certificate-identity ID --certificate-oidc-issuer URL | --key PEM)
//                 [--trusted-root FILE | --trust-config FILE] FILE_OR_DIGEST
//
// Exit codes: 0 verified, 1 verification failed (one line per problem on stderr), 2 usage.
#pragma once

#include <span>
#include <string>

namespace sigmount::tools {

// `args` are the arguments after the program name; a leading "verify-bundle" is skipped.
int run_verify_bundle(std::span<const std::string> args);

}  // namespace sigmount::tools
