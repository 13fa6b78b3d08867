#include "verifier/sigstore/rekor_body.h"

#include "verifier/errors.h"
#include "verifier/format/base64.h"
#include "verifier/format/json.h"
#include "verifier/sigstore/crypto.h"

namespace sigmount::verifier::sigstore {
namespace {

constexpr std::size_t kMaxSigners = 32;

Bytes hex_field(const json::Value& hash, const std::string& what) {
  const std::string value = json::string_at(hash, "value", what);
  auto bytes = from_hex(value);
  if (!bytes) throw FormatError(what + ".value: not hex");
  return std::move(*bytes);
}

// Rekor v1 writes verifiers as base64(PEM certificate or PEM public key).
LoggedSigner signer_from_pem(Bytes signature, std::string_view pem_b64, const std::string& what) {
  const Bytes pem = base64_decode(pem_b64, what);
  const std::string_view text = as_chars(pem);
  LoggedSigner signer;
  signer.signature = std::move(signature);
  if (text.find("-----BEGIN CERTIFICATE-----") != std::string_view::npos) {
    signer.verifier_der = certificate_der(certificate_from_pem(text, what).get());
    signer.is_certificate = true;
  } else {
    signer.verifier_der = public_key_der(public_key_from_pem(text, what).get());
  }
  return signer;
}

void parse_hashedrekord_v1(const json::Value& spec, RekorBody& body) {
  const auto& hash = json::object_at(json::object_at(spec, "data", "spec"), "hash", "spec.data");
  body.digest_algorithm = json::string_at(hash, "algorithm", "spec.data.hash");
  body.signed_digest = hex_field(hash, "spec.data.hash");
  const auto& signature = json::object_at(spec, "signature", "spec");
  Bytes content = base64_decode(json::string_at(signature, "content", "spec.signature"),
                                "spec.signature.content");
  const auto& key = json::object_at(signature, "publicKey", "spec.signature");
  body.signers.push_back(signer_from_pem(
      std::move(content), json::string_at(key, "content", "spec.signature.publicKey"),
      "spec.signature.publicKey.content"));
}

void parse_hashedrekord_v2(const json::Value& spec, RekorBody& body) {
  const auto& v2 = json::object_at(spec, "hashedRekordV002", "spec");
  const auto& data = json::object_at(v2, "data", "spec.hashedRekordV002");
  body.digest_algorithm = json::string_at(data, "algorithm", "spec.hashedRekordV002.data");
  body.signed_digest = base64_decode(json::string_at(data, "digest", "spec.hashedRekordV002.data"),
                                     "spec.hashedRekordV002.data.digest");
  const auto& signature = json::object_at(v2, "signature", "spec.hashedRekordV002");
  const std::string at = "spec.hashedRekordV002.signature";
  LoggedSigner signer;
  signer.signature = base64_decode(json::string_at(signature, "content", at), at + ".content");
  const auto& verifier = json::object_at(signature, "verifier", at);
  if (json::has(verifier, "x509Certificate")) {
    const auto& cert = json::object_at(verifier, "x509Certificate", at + ".verifier");
    signer.verifier_der =
        base64_decode(json::string_at(cert, "rawBytes", at + ".verifier.x509Certificate"),
                      at + ".verifier.x509Certificate.rawBytes");
    signer.is_certificate = true;
  } else {
    const auto& key = json::object_at(verifier, "publicKey", at + ".verifier");
    signer.verifier_der =
        base64_decode(json::string_at(key, "rawBytes", at + ".verifier.publicKey"),
                      at + ".verifier.publicKey.rawBytes");
  }
  body.signers.push_back(std::move(signer));
}

void parse_dsse_v1(const json::Value& spec, RekorBody& body) {
  const auto& payload_hash = json::object_at(spec, "payloadHash", "spec");
  if (json::string_at(payload_hash, "algorithm", "spec.payloadHash") != "sha256") {
    throw FormatError("spec.payloadHash.algorithm: only sha256 is supported");
  }
  body.payload_hash = hex_field(payload_hash, "spec.payloadHash");
  const auto& signatures = json::array_at(spec, "signatures", "spec");
  if (signatures.size() > kMaxSigners) throw FormatError("spec.signatures: too many");
  for (std::size_t i = 0; i < signatures.size(); ++i) {
    const std::string at = "spec.signatures[" + std::to_string(i) + "]";
    Bytes sig = base64_decode(json::string_at(signatures[i], "signature", at), at + ".signature");
    body.signers.push_back(
        signer_from_pem(std::move(sig), json::string_at(signatures[i], "verifier", at), at));
  }
}

void parse_intoto_v2(const json::Value& spec, RekorBody& body) {
  const auto& content = json::object_at(spec, "content", "spec");
  const auto& payload_hash = json::object_at(content, "payloadHash", "spec.content");
  if (json::string_at(payload_hash, "algorithm", "spec.content.payloadHash") != "sha256") {
    throw FormatError("spec.content.payloadHash.algorithm: only sha256 is supported");
  }
  body.payload_hash = hex_field(payload_hash, "spec.content.payloadHash");
  const auto& envelope = json::object_at(content, "envelope", "spec.content");
  // intoto 0.0.2 stores the envelope's base64 fields base64-encoded once more.
  if (json::has(envelope, "payload")) {
    const Bytes once = base64_decode(json::string_at(envelope, "payload", "spec.content.envelope"),
                                     "spec.content.envelope.payload");
    body.payload = base64_decode(as_chars(once), "spec.content.envelope.payload (inner)");
  }
  body.payload_type = json::string_at(envelope, "payloadType", "spec.content.envelope");
  const auto& signatures = json::array_at(envelope, "signatures", "spec.content.envelope");
  if (signatures.size() > kMaxSigners)
    throw FormatError("spec.content.envelope.signatures: too many");
  for (std::size_t i = 0; i < signatures.size(); ++i) {
    const std::string at = "spec.content.envelope.signatures[" + std::to_string(i) + "]";
    const Bytes once = base64_decode(json::string_at(signatures[i], "sig", at), at + ".sig");
    Bytes sig = base64_decode(as_chars(once), at + ".sig (inner)");
    body.signers.push_back(
        signer_from_pem(std::move(sig), json::string_at(signatures[i], "publicKey", at), at));
  }
}

}  // namespace

RekorBody parse_rekor_body(ByteView bytes, std::string_view kind, std::string_view version) {
  const json::Value document =
      // A body is a few dozen values; it is parsed before anything has vouched for it.
      json::parse(as_chars(bytes), "log entry body", {.max_bytes = 1u << 22, .max_values = 10'000});
  json::require_object(document, "log entry body");
  RekorBody body;
  body.kind = json::string_at(document, "kind", "log entry body");
  body.version = json::string_at(document, "apiVersion", "log entry body");
  if (body.kind != kind || body.version != version) {
    throw FormatError("log entry: kindVersion " + std::string(kind) + "/" + std::string(version) +
                      " does not match its body (" + body.kind + "/" + body.version + ")");
  }
  const auto& spec = json::object_at(document, "spec", "log entry body");
  if (kind == "hashedrekord" && version == "0.0.1") {
    parse_hashedrekord_v1(spec, body);
  } else if (kind == "hashedrekord" && version == "0.0.2") {
    parse_hashedrekord_v2(spec, body);
  } else if (kind == "dsse" && version == "0.0.1") {
    parse_dsse_v1(spec, body);
  } else if (kind == "intoto" && version == "0.0.2") {
    parse_intoto_v2(spec, body);
  } else {
    throw FormatError("log entry: unsupported kind " + std::string(kind) + "/" +
                      std::string(version));
  }
  return body;
}

}  // namespace sigmount::verifier::sigstore
