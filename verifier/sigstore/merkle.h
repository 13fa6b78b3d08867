// RFC 6962 Merkle tree hashing and inclusion proofs (the Rekor v1 and v2 logs).
#pragma once

#include <cstdint>
#include <vector>

#include "hashing/bytes.h"

namespace sigmount::verifier::sigstore {

Bytes merkle_leaf_hash(ByteView entry);                 // SHA-256(0x00 || entry)
Bytes merkle_node_hash(ByteView left, ByteView right);  // SHA-256(0x01 || left || right)

// The root that `audit_path` proves for leaf `index` of a tree of `tree_size` leaves. Throws
// VerificationError when the path has the wrong length for that index and size.
Bytes merkle_root_from_inclusion_proof(std::uint64_t index, std::uint64_t tree_size,
                                       ByteView leaf_hash, const std::vector<Bytes>& audit_path);

}  // namespace sigmount::verifier::sigstore
