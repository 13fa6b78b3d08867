#include "tools/verification_options.h"

#include <array>

namespace sigmount::tools {

std::span<const MethodSummary> trust_methods() {
  static constexpr std::array<MethodSummary, 3> kMethods{{
      {"key", "signed with an EC private key: trust its public key (--public-key)"},
      {"certificate",
       "signed with a key and certificate: trust CA certificates (--certificate-chain)"},
      {"sigstore", "signed keyless with Sigstore: trust an OIDC identity and issuer"},
  }};
  return kMethods;
}

TrustMethod parse_trust_method(const std::string& word) {
  if (word == "key") return TrustMethod::key;
  if (word == "certificate") return TrustMethod::certificate;
  if (word == "sigstore") return TrustMethod::sigstore;
  throw UsageError("unknown method '" + word + "' (expected key, certificate or sigstore)");
}

void add_trust_options(ArgParser& parser, TrustMethod method) {
  switch (method) {
    case TrustMethod::key:
      parser.value("public-key", "PATH", "The signer's EC public key (PEM). Required.");
      break;
    case TrustMethod::certificate:
      parser.list("certificate-chain", "PATH",
                  "A trusted CA certificate file (PEM, may hold several). At least one is "
                  "required; the bundle's leaf and intermediates must chain to one of them.");
      break;
    case TrustMethod::sigstore:
      parser
          .value("identity", "IDENTITY",
                 "The signer identity the Fulcio certificate must carry (e-mail or URI). "
                 "Required.")
          .value("identity-provider", "URL",
                 "The OIDC issuer that authenticated the identity. Required.")
          .value("trusted-root", "PATH",
                 "A Sigstore trusted_root.json (default: the built-in public-good root).")
          .value("trust-config", "PATH",
                 "A Sigstore ClientTrustConfig JSON; its trustedRoot is used. Exclusive with "
                 "--trusted-root.");
      break;
  }
}

verifier::CertificateTrust certificate_trust_from(const ParsedArgs& args) {
  verifier::CertificateTrust trust;
  for (const auto& path : args.list("certificate-chain")) trust.ca_certificates.emplace_back(path);
  if (trust.ca_certificates.empty()) {
    throw UsageError("missing required option --certificate-chain (a trusted CA certificate)");
  }
  return trust;
}

verifier::TrustPolicy trust_policy_from(const ParsedArgs& args, TrustMethod method) {
  switch (method) {
    case TrustMethod::key:
      return verifier::KeyTrust{args.required("public-key")};
    case TrustMethod::certificate:
      return certificate_trust_from(args);
    case TrustMethod::sigstore: {
      verifier::SigstoreTrust trust;
      trust.identity = args.required("identity");
      trust.issuer = args.required("identity-provider");
      auto trusted_root = args.value("trusted-root");
      auto trust_config = args.value("trust-config");
      if (trusted_root && trust_config) {
        throw UsageError("--trusted-root and --trust-config are exclusive");
      }
      if (trusted_root) trust.trusted_root = *trusted_root;
      if (trust_config) trust.trusted_root = *trust_config;
      return trust;
    }
  }
  throw UsageError("unknown method");
}

}  // namespace sigmount::tools
