// The in-toto Statement v1 that an OMS bundle signs (DSSE payload), and its writer.
// Format: OpenSSF Model Signing v1.0 predicate `https://model_signing/signature/v1.0`, plus the
// verify-only predicate `https://model_signing/Digests/v0.1` that model_signing 0.2 wrote.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hashing/bytes.h"
#include "hashing/digest.h"
#include "verifier/model/resources.h"
#include "verifier/verified_manifest.h"

namespace sigmount::verifier {

inline constexpr std::string_view kStatementType = "https://in-toto.io/Statement/v1";
inline constexpr std::string_view kPredicateType = "https://model_signing/signature/v1.0";
// The predicate model_signing 0.2 signed (v0.1 of its "Digests" type).
inline constexpr std::string_view kModelSigning02PredicateType =
    "https://model_signing/Digests/v0.1";

// The model name model_signing uses for 0.2 statements, which record none.
inline constexpr std::string_view kModelSigning02ModelName = "compat-undefined-not-present";

inline constexpr std::size_t kMaxStatementBytes = 64u << 20;
inline constexpr std::size_t kMaxResources = 1u << 20;

struct Statement {
  std::string model_name;       // subject[0].name; informational
  hashing::Digest root_digest;  // subject[0].digest.sha256 (v1.0); checked against resources
  Serialization serialization;
  std::vector<Resource> resources;  // in the order listed
};

// Parses and checks a signed payload. Throws FormatError when the payload type, _type or
// predicate type is not one we know, there is not exactly one subject (v1.0), a member has
// the wrong type, a digest is not hex of the algorithm's size, the method or hash_type is
// unknown, or the subject digest differs from root_digest(resources) over the listed order.
// Resource names are NOT validated here: signed_files_from_resources() does that.
Statement parse_statement(std::string_view payload_type, ByteView payload);

// The statement JSON to sign, shaped like model_signing's: keys _type, subject,
// predicateType, predicate in that order, 2-space indentation, integer shard_size,
// ignore_paths sorted and omitted when empty, shard_size only for shards. The subject digest
// is root_digest(resources) in the order given (callers pass them sorted).
std::string write_statement(std::string_view model_name, const Serialization& serialization,
                            std::span<const Resource> resources);

}  // namespace sigmount::verifier
