// The options that choose whom to trust, shared by `verify key|certificate|sigstore` and
// `mount key|certificate|sigstore`, so both accept exactly the same spelling.
#pragma once

#include <span>
#include <string>

#include "tools/args.h"
#include "tools/command_support.h"
#include "verifier/trust_policy.h"

namespace sigmount::tools {

enum class TrustMethod { key, certificate, sigstore };

// The methods, in the order help lists them.
std::span<const MethodSummary> trust_methods();

// "key" | "certificate" | "sigstore"; throws UsageError for anything else.
TrustMethod parse_trust_method(const std::string& word);

// Declares the method's options on `parser` (--public-key; --certificate-chain;
// --identity, --identity-provider, --trusted-root, --trust-config).
void add_trust_options(ArgParser& parser, TrustMethod method);

// Builds the policy from parsed options; throws UsageError when a required one is missing or
// exclusive ones are combined.
verifier::TrustPolicy trust_policy_from(const ParsedArgs& args, TrustMethod method);

// --certificate-chain CA... (at least one; UsageError otherwise), for every certificate method.
verifier::CertificateTrust certificate_trust_from(const ParsedArgs& args);

}  // namespace sigmount::tools
