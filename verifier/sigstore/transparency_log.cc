#include "verifier/sigstore/transparency_log.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "verifier/errors.h"
#include "verifier/format/dsse.h"
#include "verifier/sigstore/checkpoint.h"
#include "verifier/sigstore/crypto.h"
#include "verifier/sigstore/merkle.h"
#include "verifier/sigstore/rekor_body.h"

namespace sigmount::verifier::sigstore {
namespace {

bool same(ByteView a, ByteView b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

void require(bool condition, const std::string& problem) {
  if (!condition) throw VerificationError("log entry: " + problem);
}

void check_signer(const RekorBody& body, const SignedContent& content) {
  require(body.signers.size() == 1, "the entry records " + std::to_string(body.signers.size()) +
                                        " signatures, the bundle has one");
  const LoggedSigner& signer = body.signers.front();
  require(same(signer.signature, content.signature),
          "the logged signature is not the bundle's signature");
  require(signer.is_certificate == content.verifier_is_certificate &&
              same(signer.verifier_der, content.verifier_der),
          content.verifier_is_certificate ? "the logged certificate is not the bundle's certificate"
                                          : "the logged public key is not the verification key");
}

}  // namespace

bool verify_signed_entry_timestamp(const TransparencyLogEntry& entry,
                                   const TransparencyLogInstance& log) {
  if (!entry.signed_entry_timestamp) return false;
  // RFC 8785 canonical JSON; nlohmann's default object is a sorted std::map and dump() is
  // compact, which is exactly canonical for strings and integers.
  nlohmann::json payload;
  payload["body"] = entry.canonicalized_body_b64;
  payload["integratedTime"] = entry.integrated_time;
  payload["logID"] = to_hex(entry.log_id);
  payload["logIndex"] = entry.log_index;
  const std::string text = payload.dump();
  return verify_signature(log.public_key.get(), as_bytes(text), *entry.signed_entry_timestamp,
                          EVP_sha256());
}

void verify_inclusion(const TransparencyLogEntry& entry, const TransparencyLogInstance& log,
                      bool rekor_v2) {
  const InclusionProof& proof = *entry.inclusion_proof;
  require(!proof.checkpoint.empty(), "the inclusion proof has no signed checkpoint");
  const Checkpoint checkpoint = verify_checkpoint(proof.checkpoint, log);
  require(
      proof.tree_size >= 0 && static_cast<std::uint64_t>(proof.tree_size) == checkpoint.tree_size,
      "the inclusion proof's tree size differs from the signed checkpoint's");
  require(same(proof.root_hash, checkpoint.root_hash),
          "the inclusion proof's root hash differs from the signed checkpoint's");
  // Rekor v1 proves the index within its current shard; Rekor v2 has one index.
  const std::int64_t index = rekor_v2 ? entry.log_index : proof.log_index;
  require(index >= 0, "negative leaf index");
  const Bytes leaf = merkle_leaf_hash(entry.canonicalized_body);
  const Bytes root = merkle_root_from_inclusion_proof(static_cast<std::uint64_t>(index),
                                                      checkpoint.tree_size, leaf, proof.hashes);
  require(same(root, checkpoint.root_hash),
          "the inclusion proof does not lead to the signed checkpoint's root hash");
}

void check_body_binding(const TransparencyLogEntry& entry, const SignedContent& content) {
  const RekorBody body = parse_rekor_body(entry.canonicalized_body, entry.kind, entry.version);
  if (body.kind == "hashedrekord") {
    Bytes expected_digest;
    if (content.envelope != nullptr) {
      // Rekor v2 logs a DSSE signature as a hashedrekord over the PAE it signs.
      require(body.version == "0.0.2", "hashedrekord 0.0.1 cannot record a DSSE signature");
      expected_digest = sha256(dsse_pae(content.envelope->payload_type, content.envelope->payload));
    } else {
      require(content.message_sha256.has_value(), "no artifact digest to compare with");
      expected_digest = *content.message_sha256;
    }
    const bool sha256_algorithm =
        body.digest_algorithm == (body.version == "0.0.1" ? "sha256" : "SHA2_256");
    require(sha256_algorithm, "unsupported digest algorithm " + body.digest_algorithm);
    require(body.signed_digest && same(*body.signed_digest, expected_digest),
            content.envelope != nullptr ? "the logged digest is not the digest of this envelope"
                                        : "the logged digest is not the artifact's digest");
    check_signer(body, content);
    return;
  }
  // dsse 0.0.1 and intoto 0.0.2 record DSSE envelopes.
  require(content.envelope != nullptr,
          body.kind + " entries record DSSE envelopes, not this bundle");
  const DsseEnvelope& envelope = *content.envelope;
  require(body.payload_hash && same(*body.payload_hash, sha256(envelope.payload)),
          "the logged payload hash is not the hash of the envelope's payload");
  if (body.payload) require(same(*body.payload, envelope.payload), "the logged payload differs");
  if (body.payload_type) {
    require(*body.payload_type == envelope.payload_type, "the logged payload type differs");
  }
  check_signer(body, content);
}

VerifiedLogEntry verify_log_entry(const TransparencyLogEntry& entry, BundleVersion version,
                                  const TrustedRoot& root, const SignedContent& content,
                                  bool require_inclusion_proof) {
  VerifiedLogEntry result;
  result.log = root.find_tlog(entry.log_id);
  require(result.log != nullptr,
          "log ID " + to_hex(entry.log_id) + " is not a transparency log of the trusted root");
  require(entry.log_index >= 0, "negative log index");
  result.rekor_v2 = entry.kind == "hashedrekord" && entry.version == "0.0.2";
  const bool has_proof = entry.inclusion_proof.has_value();
  const bool has_checkpoint = has_proof && !entry.inclusion_proof->checkpoint.empty();
  // Bundle-version rules: v0.1 was SET-only; later versions must carry a proof that is
  // checkable offline; Rekor v2 has no SETs at all.
  if (version == BundleVersion::v0_1) {
    require(entry.signed_entry_timestamp.has_value(),
            "a v0.1 bundle needs a signed entry timestamp");
    require(has_checkpoint || !require_inclusion_proof,
            "an inclusion proof with a signed checkpoint is required (model_signing's rule), "
            "and this v0.1 bundle has none");
  } else {
    require(has_checkpoint, "a v0.2+ bundle needs an inclusion proof with a signed checkpoint");
  }
  if (result.rekor_v2) {
    require(has_checkpoint, "a Rekor v2 entry needs an inclusion proof with a signed checkpoint");
    require(!entry.signed_entry_timestamp,
            "a Rekor v2 entry cannot carry a signed entry timestamp");
  }
  require(!has_proof || has_checkpoint, "the inclusion proof has no signed checkpoint");

  if (entry.signed_entry_timestamp) {
    require(verify_signed_entry_timestamp(entry, *result.log),
            "the signed entry timestamp does not verify with the key of " + result.log->base_url);
    const Instant integrated = instant_from_unix_seconds(entry.integrated_time);
    require(result.log->valid_for.contains(integrated),
            "integrated time " + format_instant(integrated) + " is outside the validity " +
                result.log->valid_for.describe() + " of log " + result.log->base_url);
    result.integrated_time = integrated;
  }
  if (has_proof) verify_inclusion(entry, *result.log, result.rekor_v2);
  check_body_binding(entry, content);
  return result;
}

}  // namespace sigmount::verifier::sigstore
