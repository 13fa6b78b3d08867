#include "verifier/sigstore/trusted_root.h"

#include <openssl/err.h>

#include <algorithm>
#include <optional>

#include "verifier/errors.h"
#include "verifier/format/base64.h"
#include "verifier/format/bounded_file.h"
#include "verifier/format/json.h"
#include "verifier/sigstore/crypto.h"

namespace sigmount::verifier::sigstore {
namespace {

// The production root holds a few hundred values; a root of thousands of keys still fits.
constexpr json::Limits kTrustRootLimits{.max_bytes = kMaxTrustRootFileBytes, .max_values = 100'000};

constexpr std::string_view kMediaTypeV01 =
    "application/vnd.dev.sigstore.trustedroot+json;version=0.1";
constexpr std::string_view kMediaTypeV02 = "application/vnd.dev.sigstore.trustedroot.v0.2+json";
constexpr std::size_t kMaxEntries = 256;

// protobuf JSON accepts both the lowerCamelCase and the proto field names.
const json::Value* member(const json::Value& object, std::string_view camel,
                          std::string_view proto) {
  if (json::has(object, camel)) return &object.at(std::string(camel));
  if (json::has(object, proto)) return &object.at(std::string(proto));
  return nullptr;
}

std::string optional_string(const json::Value& object, std::string_view camel,
                            std::string_view proto, const std::string& what) {
  const json::Value* value = member(object, camel, proto);
  if (value == nullptr) return {};
  if (!value->is_string())
    throw FormatError(what + "." + std::string(camel) + ": expected a string");
  return value->get<std::string>();
}

ValidityPeriod parse_validity(const json::Value& object, const std::string& what,
                              bool start_required) {
  ValidityPeriod period;
  json::require_object(object, what);
  if (json::has(object, "start")) {
    period.start = parse_rfc3339(json::string_at(object, "start", what), what + ".start");
  } else if (start_required) {
    throw FormatError(what + ".start: missing (a log key needs the start of its validity)");
  }
  if (json::has(object, "end")) {
    period.end = parse_rfc3339(json::string_at(object, "end", what), what + ".end");
  }
  return period;
}

Bytes key_id(const json::Value& object, const std::string& what) {
  json::require_object(object, what);
  const json::Value* id = member(object, "keyId", "key_id");
  if (id == nullptr || !id->is_string()) throw FormatError(what + ".keyId: missing");
  return base64_decode(id->get<std::string>(), what + ".keyId");
}

// Returns nullptr for key types this verifier does not use, so that newer roots still load.
EvpPkey parse_log_key(std::string_view details, ByteView raw, const std::string& what) {
  if (details == "PKCS1_RSA_PKCS1V5") {
    // Old staging CT log: a bare PKCS#1 RSAPublicKey rather than a SubjectPublicKeyInfo.
    const unsigned char* p = raw.data();
    EvpPkey key(d2i_PublicKey(EVP_PKEY_RSA, nullptr, &p, static_cast<long>(raw.size())));
    ERR_clear_error();
    if (key && p == raw.data() + raw.size()) return key;
    return nullptr;
  }
  const bool supported = details.empty() || details.starts_with("PKIX_ECDSA_") ||
                         details == "PKIX_ED25519" || details.starts_with("PKIX_RSA_");
  if (!supported) return nullptr;
  return public_key_from_der(raw, what + ".rawBytes");
}

// nullopt for a log this verifier cannot use (no key bytes, another hash, an unknown key type),
// so that newer roots still load.
std::optional<TransparencyLogInstance> parse_log(const json::Value& entry, const std::string& at) {
  TransparencyLogInstance log;
  log.base_url = optional_string(entry, "baseUrl", "base_url", at);
  log.key_name = log.base_url;
  if (const auto scheme = log.key_name.find("://"); scheme != std::string::npos) {
    log.key_name.erase(0, scheme + 3);
  }
  while (!log.key_name.empty() && log.key_name.back() == '/') log.key_name.pop_back();
  const std::string hash = optional_string(entry, "hashAlgorithm", "hash_algorithm", at);
  const json::Value* key_json = member(entry, "publicKey", "public_key");
  if (key_json == nullptr) throw FormatError(at + ".publicKey: missing");
  json::require_object(*key_json, at + ".publicKey");
  log.key_details = optional_string(*key_json, "keyDetails", "key_details", at + ".publicKey");
  const json::Value* valid_for = member(*key_json, "validFor", "valid_for");
  if (valid_for == nullptr) throw FormatError(at + ".publicKey.validFor: missing");
  log.valid_for = parse_validity(*valid_for, at + ".publicKey.validFor", true);
  const json::Value* log_id = member(entry, "logId", "log_id");
  if (log_id == nullptr) throw FormatError(at + ".logId: missing");
  log.log_id = key_id(*log_id, at + ".logId");
  if (const json::Value* checkpoint = member(entry, "checkpointKeyId", "checkpoint_key_id")) {
    log.checkpoint_key_id = key_id(*checkpoint, at + ".checkpointKeyId");
  } else {
    log.checkpoint_key_id = log.log_id;
  }
  const json::Value* raw = member(*key_json, "rawBytes", "raw_bytes");
  if (raw == nullptr || !raw->is_string()) return std::nullopt;  // verifies nothing
  const Bytes der = base64_decode(raw->get<std::string>(), at + ".publicKey.rawBytes");
  if (!hash.empty() && hash != "SHA2_256") return std::nullopt;
  log.public_key = parse_log_key(log.key_details, der, at + ".publicKey");
  if (!log.public_key) return std::nullopt;
  return log;
}

CertificateAuthority parse_authority(const json::Value& entry, const std::string& at) {
  CertificateAuthority ca;
  ca.uri = optional_string(entry, "uri", "uri", at);
  const json::Value* chain = member(entry, "certChain", "cert_chain");
  if (chain == nullptr) throw FormatError(at + ".certChain: missing");
  const json::Value& certificates = json::array_at(*chain, "certificates", at + ".certChain");
  if (certificates.empty() || certificates.size() > 16) {
    throw FormatError(at + ".certChain.certificates: expected 1 to 16 certificates");
  }
  for (std::size_t k = 0; k < certificates.size(); ++k) {
    const std::string cert_at = at + ".certChain.certificates[" + std::to_string(k) + "]";
    const json::Value* raw = member(certificates[k], "rawBytes", "raw_bytes");
    if (raw == nullptr || !raw->is_string()) throw FormatError(cert_at + ".rawBytes: missing");
    ca.chain.push_back(
        certificate_from_der(base64_decode(raw->get<std::string>(), cert_at), cert_at));
  }
  if (const json::Value* valid_for = member(entry, "validFor", "valid_for")) {
    ca.valid_for = parse_validity(*valid_for, at + ".validFor", true);
  }
  return ca;
}

std::vector<TransparencyLogInstance> parse_logs(const json::Value& root, std::string_view key) {
  std::vector<TransparencyLogInstance> logs;
  json::for_each_object_at(root, key, "trusted root", kMaxEntries,
                           [&](const json::Value& entry, const std::string& at) {
                             if (auto log = parse_log(entry, at)) logs.push_back(std::move(*log));
                           });
  return logs;
}

std::vector<CertificateAuthority> parse_authorities(const json::Value& root, std::string_view key) {
  std::vector<CertificateAuthority> authorities;
  json::for_each_object_at(root, key, "trusted root", kMaxEntries,
                           [&](const json::Value& entry, const std::string& at) {
                             authorities.push_back(parse_authority(entry, at));
                           });
  return authorities;
}

const TransparencyLogInstance* find_log(const std::vector<TransparencyLogInstance>& logs,
                                        ByteView log_id) {
  for (const auto& log : logs) {
    if (std::equal(log.log_id.begin(), log.log_id.end(), log_id.begin(), log_id.end())) {
      return &log;
    }
  }
  return nullptr;
}

TrustedRoot parse_root_object(const json::Value& root) {
  json::require_object(root, "trusted root");
  const std::string media_type = json::string_at(root, "mediaType", "trusted root");
  if (media_type != kMediaTypeV01 && media_type != kMediaTypeV02) {
    throw FormatError("trusted root: unsupported mediaType \"" + media_type + "\"");
  }
  TrustedRoot trusted;
  trusted.tlogs = parse_logs(root, "tlogs");
  trusted.certificate_authorities = parse_authorities(root, "certificateAuthorities");
  trusted.ctlogs = parse_logs(root, "ctlogs");
  trusted.timestamp_authorities = parse_authorities(root, "timestampAuthorities");
  return trusted;
}

}  // namespace

const TransparencyLogInstance* TrustedRoot::find_tlog(ByteView log_id) const {
  return find_log(tlogs, log_id);
}
const TransparencyLogInstance* TrustedRoot::find_ctlog(ByteView log_id) const {
  return find_log(ctlogs, log_id);
}

TrustedRoot parse_trusted_root(std::string_view json_text) {
  return parse_root_object(json::parse(json_text, "trusted root", kTrustRootLimits));
}

TrustedRoot parse_trusted_root_or_trust_config(std::string_view json_text) {
  const json::Value document = json::parse(json_text, "trust configuration", kTrustRootLimits);
  json::require_object(document, "trust configuration");
  if (const json::Value* root = member(document, "trustedRoot", "trusted_root")) {
    return parse_root_object(*root);
  }
  return parse_root_object(document);
}

TrustedRoot load_trusted_root_file(const std::filesystem::path& path) {
  return parse_trusted_root_or_trust_config(
      read_bounded_file(path, kMaxTrustRootFileBytes, "trusted root"));
}

TrustedRoot production_trusted_root() {
  return parse_trusted_root(production_trusted_root_json());
}

}  // namespace sigmount::verifier::sigstore
