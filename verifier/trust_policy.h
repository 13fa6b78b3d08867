// Who the caller trusts to have signed: the policy object every verification takes.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace sigmount::verifier {

// `verify key`: an EC public key (PEM).
struct KeyTrust {
  std::filesystem::path public_key;
};

// `verify certificate`: the bundle's leaf + chain must lead to one of these CA certificates.
struct CertificateTrust {
  std::vector<std::filesystem::path> ca_certificates;  // PEM files, each may hold several
};

// `verify sigstore`: a Fulcio certificate for exactly this identity and OIDC issuer, logged
// in a transparency log of the trusted root.
struct SigstoreTrust {
  std::string identity;
  std::string issuer;
  std::optional<std::filesystem::path> trusted_root;  // nullopt: the built-in production root
};

using TrustPolicy = std::variant<KeyTrust, CertificateTrust, SigstoreTrust>;

}  // namespace sigmount::verifier
