// Verifying a provenance bundle, in named steps (slsa-verifier's order): the signature (the
// Sigstore bundle verifier, or a key / CA), the builder, the certificate's claims against the
// predicate, the source and ref, the workflow inputs. Then binding it to bytes: artifacts, a
// model directory, or a signed manifest (provenance_subjects.h).
// Every mismatch is a VerificationError naming the field, the expected and the found value.
#pragma once

#include <string>
#include <string_view>

#include "verifier/provenance/provenance.h"
#include "verifier/provenance/provenance_policy.h"

namespace sigmount::verifier::provenance {

class VerifiedProvenance;

// Throws FormatError (malformed bundle or statement) or VerificationError.
VerifiedProvenance verify_provenance(std::string_view bundle_json, const ProvenancePolicy& policy);

// What verify_provenance() proved; only it constructs one.
class VerifiedProvenance {
 public:
  const Provenance& provenance() const { return provenance_; }
  const std::string& statement_json() const { return statement_json_; }
  // The trusted builder: "https://github.com/...@refs/tags/v1.2.3".
  const std::string& builder_id() const { return builder_id_; }
  const std::string& signer_description() const { return signer_; }

 private:
  VerifiedProvenance(Provenance provenance, std::string statement_json, std::string builder_id,
                     std::string signer)
      : provenance_(std::move(provenance)),
        statement_json_(std::move(statement_json)),
        builder_id_(std::move(builder_id)),
        signer_(std::move(signer)) {}
  friend VerifiedProvenance verify_provenance(std::string_view, const ProvenancePolicy&);

  Provenance provenance_;
  std::string statement_json_;
  std::string builder_id_;
  std::string signer_;
};

}  // namespace sigmount::verifier::provenance
