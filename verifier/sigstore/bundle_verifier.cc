#include "verifier/sigstore/bundle_verifier.h"

#include <algorithm>

#include "verifier/errors.h"
#include "verifier/format/dsse.h"
#include "verifier/sigstore/crypto.h"
#include "verifier/sigstore/fulcio_certificate.h"
#include "verifier/sigstore/intoto_subject.h"
#include "verifier/sigstore/rfc3161_timestamp.h"
#include "verifier/sigstore/sct.h"
#include "verifier/sigstore/transparency_log.h"

namespace sigmount::verifier::sigstore {
namespace {

constexpr std::string_view kInTotoPayloadType = "application/vnd.in-toto+json";
constexpr std::size_t kMaxTimestamps = 32;

bool same(ByteView a, ByteView b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

// The signer as the bundle presents it, checked against what the policy allows.
struct Signer {
  X509Cert leaf;  // keyless only
  EvpPkey managed_key;
  const EVP_PKEY* key = nullptr;
  Bytes verifier_der;
  bool is_certificate = false;
};

// Step 1: shape rules that need no key.
void check_bundle_shape(const Bundle& bundle) {
  if (bundle.tlog_entries.size() != 1) {
    throw VerificationError("bundle: expected exactly one transparency log entry, found " +
                            std::to_string(bundle.tlog_entries.size()));
  }
  if (bundle.rfc3161_timestamps.size() > kMaxTimestamps) {
    throw VerificationError("bundle: too many RFC 3161 timestamps");
  }
  // The same token twice would count one authority's word twice.
  for (std::size_t i = 0; i < bundle.rfc3161_timestamps.size(); ++i) {
    for (std::size_t k = i + 1; k < bundle.rfc3161_timestamps.size(); ++k) {
      if (bundle.rfc3161_timestamps[i] == bundle.rfc3161_timestamps[k]) {
        throw VerificationError("bundle: duplicate RFC 3161 timestamp");
      }
    }
  }
  if (const auto* envelope = std::get_if<DsseEnvelope>(&bundle.content)) {
    if (envelope->signatures.size() != 1) {
      throw VerificationError("bundle: a DSSE envelope must carry exactly one signature, found " +
                              std::to_string(envelope->signatures.size()));
    }
  }
  if (bundle.version == BundleVersion::v0_3 &&
      std::holds_alternative<CertificateChainMaterial>(bundle.material)) {
    throw VerificationError("bundle: a v0.3 bundle must carry one certificate, not a chain");
  }
}

// Step 2: which key signed, allowed by the policy?
Signer select_signer(const Bundle& bundle, const SignerPolicy& policy) {
  Signer signer;
  if (const auto* key_policy = std::get_if<PublicKeyPolicy>(&policy)) {
    if (!std::holds_alternative<PublicKeyMaterial>(bundle.material)) {
      throw VerificationError(
          "bundle: signed with a certificate, but verification with a public key was requested");
    }
    signer.managed_key = public_key_from_der(key_policy->public_key_der, "public key");
    signer.key = signer.managed_key.get();
    signer.verifier_der = key_policy->public_key_der;
    return signer;
  }
  const Bytes* leaf_der = nullptr;
  if (const auto* chain = std::get_if<CertificateChainMaterial>(&bundle.material)) {
    if (chain->certificates.empty()) throw FormatError("bundle: empty certificate chain");
    leaf_der = &chain->certificates.front();
    // Trust comes from the trusted root only; a root CA in the bundle is a signer error
    // (and a sign that someone hopes it will be used).
    for (std::size_t i = 1; i < chain->certificates.size(); ++i) {
      const X509Cert extra = certificate_from_der(chain->certificates[i], "bundle certificate");
      if (X509_self_signed(extra.get(), 0) == 1) {
        throw VerificationError(
            "bundle: includes a root certificate; roots come from the trusted root only");
      }
    }
  } else if (const auto* single = std::get_if<CertificateMaterial>(&bundle.material)) {
    leaf_der = &single->certificate;
  } else {
    throw VerificationError(
        "bundle: signed with a managed key, but a certificate identity was required");
  }
  signer.leaf = certificate_from_der(*leaf_der, "bundle leaf certificate");
  signer.key = X509_get0_pubkey(signer.leaf.get());
  if (signer.key == nullptr) throw FormatError("bundle leaf certificate: unreadable public key");
  signer.verifier_der = *leaf_der;
  signer.is_certificate = true;
  return signer;
}

// Step 3: the signature over the artifact or the DSSE envelope.
SignedContent verify_signature_step(const Bundle& bundle, const Signer& signer,
                                    const VerificationPolicy& policy, VerifiedBundle& result) {
  SignedContent content;
  content.verifier_der = signer.verifier_der;
  content.verifier_is_certificate = signer.is_certificate;
  if (const auto* message = std::get_if<MessageSignature>(&bundle.content)) {
    if (!policy.artifact_sha256) {
      throw VerificationError("bundle: a message signature needs the artifact to verify against");
    }
    const Bytes& digest = *policy.artifact_sha256;
    if (message->digest) {
      if (message->digest_algorithm && *message->digest_algorithm != "SHA2_256") {
        throw VerificationError("bundle: unsupported message digest algorithm " +
                                *message->digest_algorithm);
      }
      if (!same(*message->digest, digest)) {
        throw VerificationError("bundle: messageDigest is not the SHA-256 of the artifact");
      }
    }
    if (!verify_prehashed_signature(signer.key, digest, message->signature, EVP_sha256())) {
      throw VerificationError("signature: does not verify over the artifact with the signer's key");
    }
    content.signature = message->signature;
    content.message_sha256 = digest;
    return content;
  }
  const auto& envelope = std::get<DsseEnvelope>(bundle.content);
  const Bytes pae = dsse_pae(envelope.payload_type, envelope.payload);
  if (!verify_signature(signer.key, pae, envelope.signatures.front().sig)) {
    throw VerificationError("signature: the DSSE signature does not verify with the signer's key");
  }
  if (policy.artifact_sha256) {
    if (envelope.payload_type != kInTotoPayloadType) {
      throw VerificationError("bundle: DSSE payload type \"" + envelope.payload_type +
                              "\" is not an in-toto statement");
    }
    if (!statement_lists_sha256(envelope.payload, *policy.artifact_sha256)) {
      throw VerificationError("bundle: the artifact's SHA-256 " + to_hex(*policy.artifact_sha256) +
                              " is not a subject of the signed statement");
    }
  }
  result.payload_type = envelope.payload_type;
  result.payload = envelope.payload;
  content.signature = envelope.signatures.front().sig;
  content.envelope = &envelope;
  return content;
}

// Step 6: the Fulcio certificate at every verified time, SCTs, identity.
void verify_certificate_chain_step(const Signer& signer, const std::vector<Instant>& times,
                                   const TrustedRoot& root) {
  X509* leaf = signer.leaf.get();
  check_signing_leaf_profile(leaf);
  const ValidityPeriod validity = certificate_validity(leaf);
  X509Cert issuer;
  for (const Instant t : times) {
    if (!validity.contains(t)) {
      throw VerificationError("certificate: not valid at the verified signing time " +
                              format_instant(t) + " (certificate validity " + validity.describe() +
                              ")");
    }
    issuer = verify_fulcio_chain(leaf, root, t);
  }
  verify_embedded_scts(leaf, issuer.get(), root);
}

}  // namespace

VerifiedBundle verify_bundle(const Bundle& bundle, const VerificationPolicy& policy,
                             const TrustedRoot& root) {
  VerifiedBundle result;
  check_bundle_shape(bundle);
  const Signer signer = select_signer(bundle, policy.signer);
  const SignedContent content = verify_signature_step(bundle, signer, policy, result);

  // Step 4: the transparency log entry, bound to this signature.
  const VerifiedLogEntry entry = verify_log_entry(bundle.tlog_entries.front(), bundle.version, root,
                                                  content, policy.require_inclusion_proof);
  if (entry.integrated_time) result.verified_times.push_back(*entry.integrated_time);

  // Step 5: RFC 3161 timestamps over the signature. An invalid one fails the bundle.
  for (const auto& token : bundle.rfc3161_timestamps) {
    const VerifiedTimestamp timestamp = verify_rfc3161_timestamp(token, content.signature, root);
    if (!entry.integrated_time && !entry.log->valid_for.contains(timestamp.time)) {
      throw VerificationError("log entry: log " + entry.log->base_url + " was not valid at " +
                              format_instant(timestamp.time) + " " +
                              entry.log->valid_for.describe());
    }
    result.verified_times.push_back(timestamp.time);
  }

  // Step 5b: with no signed time nothing shows that the entry was logged while the log's key
  // was in service. Only a key that is still in service (no end to its validity) is trusted
  // then; a retired key is not, whatever it signed.
  if (result.verified_times.empty() && entry.log->valid_for.end) {
    throw VerificationError("log entry: log " + entry.log->base_url + " is valid only for " +
                            entry.log->valid_for.describe() +
                            " and the bundle has no signed time (signed entry timestamp or "
                            "RFC 3161 timestamp) to place the entry in it");
  }

  if (std::holds_alternative<PublicKeyPolicy>(policy.signer)) {
    result.signer_description = "the given public key";
    return result;
  }
  if (result.verified_times.empty()) {
    throw VerificationError(
        "bundle: no verified signing time (neither a signed entry timestamp nor an RFC 3161 "
        "timestamp)");
  }
  verify_certificate_chain_step(signer, result.verified_times, root);
  const CertificateIdentity identity = read_certificate_identity(signer.leaf.get());
  if (const auto* exact = std::get_if<IdentityPolicy>(&policy.signer)) {
    check_identity(identity, *exact);
    result.signer_description = describe(*exact);
  } else {
    const auto& judged = std::get<CallerJudgedIdentityPolicy>(policy.signer);
    check_issuer(identity, judged);
    result.workflow_claims = read_workflow_claims(signer.leaf.get());
    const auto& names = identity.subject_alternative_names;
    result.signer_description = (names.empty() ? std::string("no identity") : names.front()) +
                                " (issuer " + judged.issuer + ")";
  }
  return result;
}

}  // namespace sigmount::verifier::sigstore
