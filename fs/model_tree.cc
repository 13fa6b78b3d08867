#include "fs/model_tree.h"

#include <algorithm>
#include <map>

#include "verifier/errors.h"

namespace sigmount::fs {
namespace {

constexpr std::size_t kNameMax = 255;  // Linux NAME_MAX: longer names cannot be looked up
constexpr std::size_t kDirectoriesBeyondFiles = 65536;

std::vector<std::string_view> split(std::string_view path) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t slash = path.find('/', start);
    parts.push_back(path.substr(start, slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return parts;
}

}  // namespace

std::optional<std::string> tree_path_problem(std::string_view path) {
  if (path.empty()) return "empty path";
  if (path.front() == '/') return "absolute path";
  if (path.find('\0') != std::string_view::npos) return "NUL in path";
  for (std::string_view part : split(path)) {
    if (part.empty()) return "empty path component";
    if (part == ".") return "\".\" path component";
    if (part == "..") return "\"..\" path component";
    if (part.size() > kNameMax) return "path component longer than 255 bytes";
  }
  return std::nullopt;
}

ModelTree ModelTree::build(std::span<const verifier::SignedFile> files,
                           std::string_view single_file_name) {
  ModelTree tree;
  Node root;
  root.inode = kRootInode;
  root.parent = kRootInode;
  root.is_directory = true;
  tree.nodes_.push_back(std::move(root));
  std::vector<std::string> problems;
  // Children by name while building; turned into sorted vectors at the end.
  std::vector<std::map<std::string, std::uint64_t, std::less<>>> children(1);

  // Deep distinct paths make a directory per component: 11,500 signed names of 2,040
  // components each took 5.7 GB to build. Real models have fewer directories than files, so a
  // generous bound costs them nothing and keeps a hostile (signed) manifest from exhausting
  // memory.
  const std::size_t max_directories = 2 * files.size() + kDirectoriesBeyondFiles;
  std::size_t directories = 0;
  auto add_node = [&](std::uint64_t parent, std::string_view name, bool directory,
                      std::size_t file) {
    if (directory && ++directories > max_directories) {
      throw verifier::VerificationError(
          "the signed paths make more than " + std::to_string(max_directories) +
          " directories (2 per signed file + " + std::to_string(kDirectoriesBeyondFiles) + ")");
    }
    const std::uint64_t inode = tree.nodes_.size() + 1;
    Node node;
    node.inode = inode;
    node.parent = parent;
    node.name = std::string(name);
    node.is_directory = directory;
    node.file = file;
    tree.nodes_.push_back(std::move(node));
    children.emplace_back();
    children[parent - 1].emplace(std::string(name), inode);
    return inode;
  };

  if (files.size() == 1 && files[0].path == ".") {
    std::string name(single_file_name);
    if (auto problem = tree_path_problem(name); problem || name.find('/') != std::string::npos) {
      throw verifier::VerificationError("cannot show the single signed file as \"" + name + "\"");
    }
    add_node(kRootInode, name, false, 0);
  } else {
    for (std::size_t index = 0; index < files.size(); ++index) {
      const std::string& path = files[index].path;
      if (auto problem = tree_path_problem(path)) {
        problems.push_back("signed path \"" + path + "\": " + *problem);
        continue;
      }
      const std::vector<std::string_view> parts = split(path);
      std::uint64_t parent = kRootInode;
      bool failed = false;
      for (std::size_t i = 0; i < parts.size() && !failed; ++i) {
        const bool last = i + 1 == parts.size();
        auto& siblings = children[parent - 1];
        auto found = siblings.find(parts[i]);
        if (found == siblings.end()) {
          parent = add_node(parent, parts[i], !last, index);
          continue;
        }
        const Node& existing = tree.nodes_[found->second - 1];
        if (last) {
          problems.push_back("signed path \"" + path + "\": " +
                             (existing.is_directory ? "is also a directory" : "listed twice"));
          failed = true;
        } else if (!existing.is_directory) {
          problems.push_back("signed path \"" + path + "\": a parent is also a signed file");
          failed = true;
        } else {
          parent = existing.inode;
        }
      }
    }
  }
  if (!problems.empty()) throw verifier::VerificationError(std::move(problems));
  for (std::size_t i = 0; i < tree.nodes_.size(); ++i) {
    for (const auto& [name, inode] : children[i]) tree.nodes_[i].children.push_back(inode);
  }
  return tree;
}

const ModelTree::Node* ModelTree::node(std::uint64_t inode) const {
  if (inode == 0 || inode > nodes_.size()) return nullptr;
  return &nodes_[inode - 1];
}

std::string ModelTree::path(std::uint64_t inode) const {
  std::string out;
  for (const Node* up = node(inode); up != nullptr && up->inode != kRootInode;
       up = node(up->parent)) {
    out = out.empty() ? up->name : up->name + "/" + out;
  }
  return out;
}

const ModelTree::Node* ModelTree::lookup(std::uint64_t parent, std::string_view name) const {
  const Node* dir = node(parent);
  if (dir == nullptr || !dir->is_directory) return nullptr;
  auto it = std::lower_bound(dir->children.begin(), dir->children.end(), name,
                             [&](std::uint64_t inode, std::string_view wanted) {
                               return nodes_[inode - 1].name < wanted;
                             });
  if (it == dir->children.end() || nodes_[*it - 1].name != name) return nullptr;
  return &nodes_[*it - 1];
}

std::size_t ModelTree::directory_count() const {
  return static_cast<std::size_t>(
      std::count_if(nodes_.begin(), nodes_.end(), [](const Node& n) { return n.is_directory; }));
}

}  // namespace sigmount::fs
