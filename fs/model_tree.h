// The directory tree the mount shows: exactly the manifest's files, plus the directories their
// paths imply. Nothing else under SOURCE (unsigned files, the signature) exists in it.
//
// Inode numbers are assigned once, from the manifest order, and never change: the tree is
// immutable for the life of the mount, which is why FUSE `forget` needs no bookkeeping.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "verifier/verified_manifest.h"

namespace sigmount::fs {

class ModelTree {
 public:
  static constexpr std::uint64_t kRootInode = 1;  // FUSE_ROOT_ID

  struct Node {
    std::uint64_t inode = 0;
    std::uint64_t parent = 0;
    std::string name;  // "" for the root
    bool is_directory = false;
    std::size_t file = 0;                 // index into the manifest's files (files only)
    std::vector<std::uint64_t> children;  // directories only, sorted by name
  };

  // Throws verifier::VerificationError naming every problem: a path that is empty, absolute,
  // has "", "." or ".." components, a NUL or a component longer than 255 bytes; a duplicate; a
  // path that is both a file and a directory. The single path "." (the model is one file) is
  // shown as `single_file_name`.
  static ModelTree build(std::span<const verifier::SignedFile> files,
                         std::string_view single_file_name);

  const Node* node(std::uint64_t inode) const;
  // The node's path beneath the model root, '/'-separated ("" for the root).
  std::string path(std::uint64_t inode) const;
  const Node* lookup(std::uint64_t parent, std::string_view name) const;
  std::size_t size() const { return nodes_.size(); }
  std::size_t directory_count() const;

 private:
  std::vector<Node> nodes_;  // nodes_[i].inode == i + 1
};

// Nullopt when `path` is a manifest path the mount can show; otherwise the reason.
std::optional<std::string> tree_path_problem(std::string_view path);

}  // namespace sigmount::fs
