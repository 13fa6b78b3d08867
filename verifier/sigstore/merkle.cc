#include "verifier/sigstore/merkle.h"

#include <bit>

#include "verifier/errors.h"
#include "verifier/sigstore/crypto.h"

namespace sigmount::verifier::sigstore {

Bytes merkle_leaf_hash(ByteView entry) {
  Bytes data;
  data.reserve(entry.size() + 1);
  data.push_back(0x00);
  data.insert(data.end(), entry.begin(), entry.end());
  return sha256(data);
}

Bytes merkle_node_hash(ByteView left, ByteView right) {
  Bytes data;
  data.reserve(left.size() + right.size() + 1);
  data.push_back(0x01);
  data.insert(data.end(), left.begin(), left.end());
  data.insert(data.end(), right.begin(), right.end());
  return sha256(data);
}

Bytes merkle_root_from_inclusion_proof(std::uint64_t index, std::uint64_t tree_size,
                                       ByteView leaf_hash, const std::vector<Bytes>& audit_path) {
  if (tree_size == 0 || index >= tree_size) {
    throw VerificationError("inclusion proof: leaf index " + std::to_string(index) +
                            " is outside a tree of size " + std::to_string(tree_size));
  }
  // The path first climbs the levels where the leaf's subtree is complete (`inner` levels,
  // siblings left or right by the index bits), then joins the right border (always left
  // siblings).
  const auto inner = static_cast<std::size_t>(std::bit_width(index ^ (tree_size - 1)));
  const auto border = static_cast<std::size_t>(std::popcount(index >> inner));
  if (audit_path.size() != inner + border) {
    throw VerificationError("inclusion proof: expected " + std::to_string(inner + border) +
                            " hashes, got " + std::to_string(audit_path.size()));
  }
  for (const auto& hash : audit_path) {
    if (hash.size() != 32) throw VerificationError("inclusion proof: a hash is not 32 bytes");
  }
  Bytes node(leaf_hash.begin(), leaf_hash.end());
  for (std::size_t level = 0; level < inner; ++level) {
    node = ((index >> level) & 1) == 0 ? merkle_node_hash(node, audit_path[level])
                                       : merkle_node_hash(audit_path[level], node);
  }
  for (std::size_t level = inner; level < audit_path.size(); ++level) {
    node = merkle_node_hash(audit_path[level], node);
  }
  return node;
}

}  // namespace sigmount::verifier::sigstore
