#include "verifier/sigstore/identity_policy.h"

#include <algorithm>

#include "verifier/errors.h"

namespace sigmount::verifier::sigstore {

void check_identity(const CertificateIdentity& certificate, const IdentityPolicy& policy) {
  if (policy.identity.empty() || policy.issuer.empty()) {
    throw VerificationError("identity policy: an empty identity or issuer matches no certificate");
  }
  std::vector<std::string> problems;
  const auto& names = certificate.subject_alternative_names;
  if (std::find(names.begin(), names.end(), policy.identity) == names.end()) {
    std::string found;
    for (const auto& name : names) found += (found.empty() ? "" : ", ") + ("\"" + name + "\"");
    problems.push_back("wrong identity: the certificate is for " +
                       (found.empty() ? std::string("no supported identity") : found) +
                       ", expected \"" + policy.identity + "\"");
  }
  if (!certificate.issuer) {
    problems.push_back("wrong OIDC issuer: the certificate names none, expected \"" +
                       policy.issuer + "\"");
  } else if (*certificate.issuer != policy.issuer) {
    problems.push_back("wrong OIDC issuer: the certificate says \"" + *certificate.issuer +
                       "\", expected \"" + policy.issuer + "\"");
  }
  if (!problems.empty()) throw VerificationError(std::move(problems));
}

void check_issuer(const CertificateIdentity& certificate,
                  const CallerJudgedIdentityPolicy& policy) {
  if (policy.issuer.empty()) {
    throw VerificationError("identity policy: an empty issuer matches no certificate");
  }
  if (!certificate.issuer) {
    throw VerificationError("wrong OIDC issuer: the certificate names none, expected \"" +
                            policy.issuer + "\"");
  }
  if (*certificate.issuer != policy.issuer) {
    throw VerificationError("wrong OIDC issuer: the certificate says \"" + *certificate.issuer +
                            "\", expected \"" + policy.issuer + "\"");
  }
}

std::string describe(const IdentityPolicy& policy) {
  return policy.identity + " (issuer " + policy.issuer + ")";
}

}  // namespace sigmount::verifier::sigstore
