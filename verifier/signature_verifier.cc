#include "verifier/signature_verifier.h"

#include <string>
#include <type_traits>

#include "verifier/errors.h"
#include "verifier/format/bounded_file.h"
#include "verifier/format/bundle.h"
#include "verifier/format/statement.h"
#include "verifier/model/resources.h"
#include "verifier/sigstore/verify_sigstore.h"
#include "verifier/trust/certificate_verifier.h"
#include "verifier/trust/dsse_signature.h"
#include "verifier/trust/key_verifier.h"
#include "verifier/trust/trusted_payload.h"

namespace sigmount::verifier {
namespace {

trust::TrustedPayload verify_key(std::string_view bundle_json, const KeyTrust& policy) {
  const Bundle bundle = parse_bundle(bundle_json, BundleRules::model_signing);
  return trust::verify_with_public_key(
      bundle, read_bounded_file(policy.public_key, kMaxPemFileBytes, "public key"),
      "public key " + policy.public_key.string());
}

trust::TrustedPayload verify_certificate(std::string_view bundle_json,
                                         const CertificateTrust& policy) {
  if (policy.ca_certificates.empty()) throw FormatError("no CA certificate file given");
  const Bundle bundle = parse_bundle(bundle_json, BundleRules::model_signing);
  std::vector<std::string> ca_pems;
  for (const auto& path : policy.ca_certificates)
    ca_pems.push_back(read_bounded_file(path, kMaxPemFileBytes, "CA certificate"));
  return trust::verify_with_certificates(bundle, ca_pems);
}

trust::TrustedPayload verify_sigstore(std::string_view bundle_json, const SigstoreTrust& policy) {
  const Bundle bundle = parse_bundle(bundle_json, BundleRules::sigstore);
  // Refused before the Sigstore checks, as for keys and certificates: one signature only.
  trust::single_signature_envelope(bundle);
  sigstore::VerifiedEnvelope verified = sigstore::verify_dsse_bundle(bundle, policy);
  return {std::move(verified.payload_type), std::move(verified.payload),
          std::move(verified.signer_description)};
}

}  // namespace

trust::TrustedPayload verify_payload(std::string_view bundle_json, const TrustPolicy& policy) {
  return std::visit(
      [&](const auto& chosen) -> trust::TrustedPayload {
        using Policy = std::decay_t<decltype(chosen)>;
        if constexpr (std::is_same_v<Policy, KeyTrust>) {
          return verify_key(bundle_json, chosen);
        } else if constexpr (std::is_same_v<Policy, CertificateTrust>) {
          return verify_certificate(bundle_json, chosen);
        } else {
          return verify_sigstore(bundle_json, chosen);
        }
      },
      policy);
}

VerifiedManifest SignatureVerifier::verify(std::string_view bundle_json) const {
  const trust::TrustedPayload trusted = verify_payload(bundle_json, policy_);
  // Only now, with the payload authenticated, is the statement read.
  Statement statement = parse_statement(trusted.payload_type, trusted.payload);
  std::vector<SignedFile> files =
      signed_files_from_resources(statement.serialization, statement.resources);
  return VerifiedManifest(VerificationPasskey{}, std::move(statement.model_name),
                          std::move(statement.serialization), std::move(files),
                          statement.root_digest, Signer{trusted.signer_description});
}

}  // namespace sigmount::verifier
