// The Sigstore bundle (dev.sigstore.bundle.v1.Bundle, JSON mapping), every released version.
// Parsing checks structure only; no field is trusted until a trust step binds it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "hashing/bytes.h"

namespace sigmount::verifier {

enum class BundleVersion : std::uint8_t { v0_1, v0_2, v0_3 };

struct PublicKeyMaterial {
  std::optional<std::string> hint;  // unauthenticated
  std::optional<Bytes> raw_bytes;   // model_signing <= 1.0 wrote the PEM text here
};
struct CertificateChainMaterial {   // v0.1/v0.2 x509CertificateChain; [0] is the leaf
  std::vector<Bytes> certificates;  // DER
};
struct CertificateMaterial {  // v0.3 certificate
  Bytes certificate;          // DER
};
using VerificationMaterial =
    std::variant<PublicKeyMaterial, CertificateChainMaterial, CertificateMaterial>;

struct InclusionProof {
  std::int64_t log_index = 0;
  Bytes root_hash;
  std::int64_t tree_size = 0;
  std::vector<Bytes> hashes;
  std::string checkpoint;  // signed note text; empty when absent
};

struct TransparencyLogEntry {
  std::int64_t log_index = 0;
  Bytes log_id;  // logId.keyId
  std::string kind;
  std::string version;
  std::int64_t integrated_time = 0;
  std::optional<Bytes> signed_entry_timestamp;  // inclusionPromise
  std::optional<InclusionProof> inclusion_proof;
  std::string canonicalized_body_b64;  // exactly as in the bundle: the SET signs this text
  Bytes canonicalized_body;
};

struct DsseSignature {
  Bytes sig;
  std::string keyid;
};
struct DsseEnvelope {
  std::string payload_type;
  Bytes payload;
  std::vector<DsseSignature> signatures;
};
struct MessageSignature {
  std::optional<std::string> digest_algorithm;  // "SHA2_256"
  std::optional<Bytes> digest;                  // unauthenticated hint
  Bytes signature;
};

struct Bundle {
  std::string media_type;
  BundleVersion version = BundleVersion::v0_3;
  VerificationMaterial material;
  std::vector<TransparencyLogEntry> tlog_entries;
  std::vector<Bytes> rfc3161_timestamps;  // DER TimeStampResp
  std::variant<DsseEnvelope, MessageSignature> content;
};

// Which structural rules apply. Sigstore: a v0.3 bundle carries `certificate`, never
// `x509CertificateChain`. model_signing: every released version (0.2 .. 1.1) wrote its
// key/certificate bundles as v0.3 with `x509CertificateChain`, so that pairing is allowed.
enum class BundleRules : std::uint8_t { sigstore, model_signing };

// Caps on what one bundle may hold; far above anything a real signer writes.
inline constexpr std::size_t kMaxBundleBytes = 64u << 20;
inline constexpr std::size_t kMaxCertificates = 64;
inline constexpr std::size_t kMaxTlogEntries = 32;
inline constexpr std::size_t kMaxTimestamps = 32;
inline constexpr std::size_t kMaxDsseSignatures = 16;
inline constexpr std::size_t kMaxInclusionProofHashes = 64;
// JSON values in a whole bundle; every array above at its cap makes a few thousand.
inline constexpr std::size_t kMaxBundleValues = 100'000;

// Throws FormatError on anything malformed: unknown media type, wrong JSON types, bad
// base64, missing required members, a chain with no leaf, negative log indices, oversize
// arrays. Structural rules of each version that need no key are enforced here.
//
// Unknown fields are rejected everywhere, deliberately: sigstore-go (protojson) and
// model_signing (pydantic, extra="forbid") both reject them, a field we skip could carry
// meaning we do not check, and a bundle format that adds fields comes with a new mediaType.
// Members are read by their protobuf JSON (camelCase) names only.
Bundle parse_bundle(std::string_view json_text, BundleRules rules = BundleRules::sigstore);

}  // namespace sigmount::verifier
