// The OMS manifest as the statement lists it (`predicate.resources`), before and after trust.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "hashing/digest.h"
#include "verifier/verified_manifest.h"

namespace sigmount::verifier {

// One `resources[]` item: "path" (files) or "path:start:end" (shards), its algorithm string
// ("sha256", "sha256-sharded-1000000000", ...) and digest.
struct Resource {
  std::string name;
  std::string algorithm;
  hashing::Digest digest;
};

// SHA-256 over the concatenated raw digests, in the order listed (model_signing's subject
// digest; always SHA-256 whatever the resource hash).
hashing::Digest root_digest(std::span<const Resource> resources);

// Validates resource names and algorithms against the serialization and groups them per file.
// Throws FormatError for: empty, absolute, "..", "." components (except the single-file name
// "."), backslashes, NUL, duplicates, malformed or overlapping/gapped shard ranges, an algorithm
// that does not match the serialization.
// In detail (model_path.h has the name rule): names must also be valid UTF-8 without control
// characters; "." must then be the only file; digests must have the hash's length. Files:
// algorithm = hash name. Shards: names "path:start:end" split from the right (a path may hold
// ':'), canonical decimal offsets, start < end, contiguous from 0, every shard but the last
// exactly shard_size long (the last at most), algorithm "<hash>-sharded-<shard_size>"
// (model_signing) or "<hash>" (OMS spec), one spelling per manifest; shard_size 0 is refused.
// The input order does not matter; the result is sorted in model_signing order (path_order.h),
// shards by start.
std::vector<SignedFile> signed_files_from_resources(const Serialization& serialization,
                                                    std::span<const Resource> resources);

}  // namespace sigmount::verifier
