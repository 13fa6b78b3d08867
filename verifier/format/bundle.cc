#include "verifier/format/bundle.h"

#include <string>

#include "verifier/errors.h"
#include "verifier/format/base64.h"
#include "verifier/format/json.h"

namespace sigmount::verifier {
namespace {

using json::Value;

constexpr std::size_t kMaxCertificateBytes = 64u << 10;
constexpr std::size_t kMaxSignatureBytes = 16u << 10;
constexpr std::size_t kMaxCanonicalizedBodyBytes = 4u << 20;
constexpr std::size_t kMaxTimestampBytes = 64u << 10;
constexpr std::size_t kMaxCheckpointBytes = 64u << 10;
constexpr std::size_t kMaxHintBytes = 1024;

std::string join(std::string_view what, std::string_view key) {
  return std::string(what) + "." + std::string(key);
}
std::string indexed(std::string_view what, std::size_t i) {
  return std::string(what) + "[" + std::to_string(i) + "]";
}

// Base64 text of a member, decoded strictly; `max_bytes` bounds the decoded size.
Bytes base64_at(const Value& object, std::string_view key, std::string_view what,
                std::size_t max_bytes) {
  const std::string& text = json::string_at(object, key, what);
  if (text.size() / 4 * 3 > max_bytes) {
    throw FormatError(join(what, key) + ": larger than " + std::to_string(max_bytes) + " bytes");
  }
  return base64_decode(text, join(what, key));
}

std::optional<std::string> optional_string_at(const Value& object, std::string_view key,
                                              std::string_view what) {
  if (!json::has(object, key)) return std::nullopt;
  return json::string_at(object, key, what);
}

std::int64_t non_negative_int64_at(const Value& object, std::string_view key,
                                   std::string_view what) {
  const std::int64_t value = json::int64_at(object, key, what);
  if (value < 0) throw FormatError(join(what, key) + ": negative");
  return value;
}

BundleVersion version_of(std::string_view media_type) {
  if (media_type == "application/vnd.dev.sigstore.bundle+json;version=0.1") {
    return BundleVersion::v0_1;
  }
  if (media_type == "application/vnd.dev.sigstore.bundle+json;version=0.2") {
    return BundleVersion::v0_2;
  }
  if (media_type == "application/vnd.dev.sigstore.bundle+json;version=0.3" ||
      media_type == "application/vnd.dev.sigstore.bundle.v0.3+json") {
    return BundleVersion::v0_3;
  }
  throw FormatError("bundle.mediaType: unsupported media type '" + std::string(media_type) + "'");
}

Bytes parse_x509_certificate(const Value& value, std::string_view what) {
  json::reject_unknown_keys(value, {"rawBytes"}, what);
  Bytes der = base64_at(value, "rawBytes", what, kMaxCertificateBytes);
  if (der.empty()) throw FormatError(std::string(what) + ".rawBytes: empty");
  return der;
}

VerificationMaterial parse_material(const Value& material, BundleVersion version,
                                    BundleRules rules) {
  const std::string_view what = "bundle.verificationMaterial";
  const int count = int{json::has(material, "publicKey")} +
                    int{json::has(material, "x509CertificateChain")} +
                    int{json::has(material, "certificate")};
  if (count != 1) {
    throw FormatError(std::string(what) +
                      ": needs exactly one of publicKey, x509CertificateChain, certificate");
  }
  if (json::has(material, "publicKey")) {
    const std::string key_what = join(what, "publicKey");
    const Value& key = json::object_at(material, "publicKey", what);
    // hint: Sigstore and model_signing >= 1.1; rawBytes + keyDetails: model_signing <= 1.0.
    json::reject_unknown_keys(key, {"hint", "rawBytes", "keyDetails"}, key_what);
    PublicKeyMaterial out;
    out.hint = optional_string_at(key, "hint", key_what);
    if (out.hint && out.hint->size() > kMaxHintBytes) {
      throw FormatError(key_what + ".hint: too long");
    }
    if (json::has(key, "rawBytes")) {
      out.raw_bytes = base64_at(key, "rawBytes", key_what, kMaxCertificateBytes);
    }
    (void)optional_string_at(key, "keyDetails", key_what);  // type-checked, informational
    return out;
  }
  if (json::has(material, "x509CertificateChain")) {
    const std::string chain_what = join(what, "x509CertificateChain");
    if (version == BundleVersion::v0_3 && rules == BundleRules::sigstore) {
      throw FormatError(chain_what + ": not allowed in a v0.3 bundle (use certificate)");
    }
    const Value& chain = json::object_at(material, "x509CertificateChain", what);
    json::reject_unknown_keys(chain, {"certificates"}, chain_what);
    const Value& certificates =
        json::bounded_array_at(chain, "certificates", chain_what, kMaxCertificates);
    if (certificates.empty()) throw FormatError(chain_what + ": no certificate");
    CertificateChainMaterial out;
    for (std::size_t i = 0; i < certificates.size(); ++i) {
      out.certificates.push_back(
          parse_x509_certificate(certificates[i], indexed(chain_what + ".certificates", i)));
    }
    return out;
  }
  if (version != BundleVersion::v0_3) {
    // The single certificate came with v0.3; a bundle relabelled as older to get the weaker
    // log-entry rules of v0.1 would keep it.
    throw FormatError(join(what, "certificate") +
                      ": not allowed before v0.3 (use x509CertificateChain)");
  }
  return CertificateMaterial{parse_x509_certificate(json::object_at(material, "certificate", what),
                                                    join(what, "certificate"))};
}

InclusionProof parse_inclusion_proof(const Value& value, std::string_view what) {
  json::reject_unknown_keys(value, {"logIndex", "rootHash", "treeSize", "hashes", "checkpoint"},
                            what);
  InclusionProof proof;
  proof.log_index = non_negative_int64_at(value, "logIndex", what);
  proof.root_hash = base64_at(value, "rootHash", what, 64);
  proof.tree_size = non_negative_int64_at(value, "treeSize", what);
  const Value& hashes = json::bounded_array_at(value, "hashes", what, kMaxInclusionProofHashes);
  for (std::size_t i = 0; i < hashes.size(); ++i) {
    const std::string hash_what = indexed(join(what, "hashes"), i);
    if (!hashes[i].is_string()) throw FormatError(hash_what + ": expected a string");
    const auto& text = hashes[i].get_ref<const std::string&>();
    if (text.size() > 128) throw FormatError(hash_what + ": too long");
    proof.hashes.push_back(base64_decode(text, hash_what));
  }
  if (json::has(value, "checkpoint")) {
    const std::string checkpoint_what = join(what, "checkpoint");
    const Value& checkpoint = json::object_at(value, "checkpoint", what);
    json::reject_unknown_keys(checkpoint, {"envelope"}, checkpoint_what);
    proof.checkpoint = json::string_at(checkpoint, "envelope", checkpoint_what);
    if (proof.checkpoint.size() > kMaxCheckpointBytes) {
      throw FormatError(checkpoint_what + ".envelope: too long");
    }
  }
  return proof;
}

TransparencyLogEntry parse_tlog_entry(const Value& value, std::string_view what,
                                      BundleVersion version) {
  json::reject_unknown_keys(value,
                            {"logIndex", "logId", "kindVersion", "integratedTime",
                             "inclusionPromise", "inclusionProof", "canonicalizedBody"},
                            what);
  TransparencyLogEntry entry;
  entry.log_index = non_negative_int64_at(value, "logIndex", what);

  const std::string log_id_what = join(what, "logId");
  const Value& log_id = json::object_at(value, "logId", what);
  json::reject_unknown_keys(log_id, {"keyId"}, log_id_what);
  entry.log_id = base64_at(log_id, "keyId", log_id_what, 64);

  const std::string kind_what = join(what, "kindVersion");
  const Value& kind_version = json::object_at(value, "kindVersion", what);
  json::reject_unknown_keys(kind_version, {"kind", "version"}, kind_what);
  entry.kind = json::string_at(kind_version, "kind", kind_what);
  entry.version = json::string_at(kind_version, "version", kind_what);
  if (entry.kind.size() > 64 || entry.version.size() > 64) {
    throw FormatError(kind_what + ": too long");
  }

  // Rekor v2 entries carry no integrated time (protobuf omits the zero value).
  if (json::has(value, "integratedTime")) {
    entry.integrated_time = non_negative_int64_at(value, "integratedTime", what);
  }
  if (json::has(value, "inclusionPromise")) {
    const std::string promise_what = join(what, "inclusionPromise");
    const Value& promise = json::object_at(value, "inclusionPromise", what);
    json::reject_unknown_keys(promise, {"signedEntryTimestamp"}, promise_what);
    entry.signed_entry_timestamp =
        base64_at(promise, "signedEntryTimestamp", promise_what, kMaxSignatureBytes);
  }
  if (json::has(value, "inclusionProof")) {
    entry.inclusion_proof = parse_inclusion_proof(json::object_at(value, "inclusionProof", what),
                                                  join(what, "inclusionProof"));
  }
  // v0.1 bundles rely on the promise; from v0.2 on an inclusion proof is mandatory.
  if (version == BundleVersion::v0_1 && !entry.signed_entry_timestamp) {
    throw FormatError(std::string(what) + ": a v0.1 bundle needs an inclusionPromise");
  }
  if (version != BundleVersion::v0_1 && !entry.inclusion_proof) {
    throw FormatError(std::string(what) + ": needs an inclusionProof");
  }
  entry.canonicalized_body_b64 = json::string_at(value, "canonicalizedBody", what);
  if (entry.canonicalized_body_b64.size() / 4 * 3 > kMaxCanonicalizedBodyBytes) {
    throw FormatError(join(what, "canonicalizedBody") + ": too large");
  }
  entry.canonicalized_body =
      base64_decode(entry.canonicalized_body_b64, join(what, "canonicalizedBody"));
  return entry;
}

std::vector<Bytes> parse_timestamps(const Value& material) {
  const std::string_view what = "bundle.verificationMaterial.timestampVerificationData";
  std::vector<Bytes> out;
  if (!json::has(material, "timestampVerificationData")) return out;
  const Value& data =
      json::object_at(material, "timestampVerificationData", "bundle.verificationMaterial");
  json::reject_unknown_keys(data, {"rfc3161Timestamps"}, what);
  const Value& stamps = json::bounded_array_at(data, "rfc3161Timestamps", what, kMaxTimestamps);
  for (std::size_t i = 0; i < stamps.size(); ++i) {
    const std::string stamp_what = indexed(join(what, "rfc3161Timestamps"), i);
    json::reject_unknown_keys(stamps[i], {"signedTimestamp"}, stamp_what);
    out.push_back(base64_at(stamps[i], "signedTimestamp", stamp_what, kMaxTimestampBytes));
  }
  return out;
}

DsseEnvelope parse_envelope(const Value& value) {
  const std::string_view what = "bundle.dsseEnvelope";
  json::reject_unknown_keys(value, {"payload", "payloadType", "signatures"}, what);
  DsseEnvelope envelope;
  envelope.payload_type = json::string_at(value, "payloadType", what);
  if (envelope.payload_type.size() > 256)
    throw FormatError(join(what, "payloadType") + ": too long");
  envelope.payload = base64_at(value, "payload", what, kMaxBundleBytes);
  const Value& signatures = json::bounded_array_at(value, "signatures", what, kMaxDsseSignatures);
  if (signatures.empty()) throw FormatError(join(what, "signatures") + ": empty");
  for (std::size_t i = 0; i < signatures.size(); ++i) {
    const std::string sig_what = indexed(join(what, "signatures"), i);
    json::reject_unknown_keys(signatures[i], {"sig", "keyid"}, sig_what);
    DsseSignature signature;
    signature.sig = base64_at(signatures[i], "sig", sig_what, kMaxSignatureBytes);
    if (signature.sig.empty()) throw FormatError(sig_what + ".sig: empty");
    signature.keyid = optional_string_at(signatures[i], "keyid", sig_what).value_or("");
    if (signature.keyid.size() > kMaxHintBytes) throw FormatError(sig_what + ".keyid: too long");
    envelope.signatures.push_back(std::move(signature));
  }
  return envelope;
}

MessageSignature parse_message_signature(const Value& value) {
  const std::string_view what = "bundle.messageSignature";
  json::reject_unknown_keys(value, {"messageDigest", "signature"}, what);
  MessageSignature out;
  if (json::has(value, "messageDigest")) {
    const std::string digest_what = join(what, "messageDigest");
    const Value& digest = json::object_at(value, "messageDigest", what);
    json::reject_unknown_keys(digest, {"algorithm", "digest"}, digest_what);
    out.digest_algorithm = json::string_at(digest, "algorithm", digest_what);
    out.digest = base64_at(digest, "digest", digest_what, 64);
  }
  out.signature = base64_at(value, "signature", what, kMaxSignatureBytes);
  if (out.signature.empty()) throw FormatError(join(what, "signature") + ": empty");
  return out;
}

}  // namespace

Bundle parse_bundle(std::string_view json_text, BundleRules rules) {
  const Value document =
      json::parse(json_text, "bundle",
                  {.max_bytes = kMaxBundleBytes, .max_depth = 16, .max_values = kMaxBundleValues});
  json::reject_unknown_keys(
      document, {"mediaType", "verificationMaterial", "dsseEnvelope", "messageSignature"},
      "bundle");
  Bundle bundle;
  bundle.media_type = json::string_at(document, "mediaType", "bundle");
  bundle.version = version_of(bundle.media_type);

  const Value& material = json::object_at(document, "verificationMaterial", "bundle");
  json::reject_unknown_keys(material,
                            {"publicKey", "x509CertificateChain", "certificate", "tlogEntries",
                             "timestampVerificationData"},
                            "bundle.verificationMaterial");
  bundle.material = parse_material(material, bundle.version, rules);
  const Value& entries = json::bounded_array_at(material, "tlogEntries",
                                                "bundle.verificationMaterial", kMaxTlogEntries);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    bundle.tlog_entries.push_back(parse_tlog_entry(
        entries[i], indexed("bundle.verificationMaterial.tlogEntries", i), bundle.version));
  }
  bundle.rfc3161_timestamps = parse_timestamps(material);

  const bool has_envelope = json::has(document, "dsseEnvelope");
  if (has_envelope == json::has(document, "messageSignature")) {
    throw FormatError("bundle: needs exactly one of dsseEnvelope, messageSignature");
  }
  if (has_envelope) {
    bundle.content = parse_envelope(json::object_at(document, "dsseEnvelope", "bundle"));
  } else {
    bundle.content =
        parse_message_signature(json::object_at(document, "messageSignature", "bundle"));
  }
  return bundle;
}

}  // namespace sigmount::verifier
