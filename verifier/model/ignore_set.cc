#include "verifier/model/ignore_set.h"

#include <algorithm>
#include <optional>

#include "verifier/model/path_order.h"

namespace sigmount::verifier {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kGitPaths[] = {".git", ".gitattributes", ".github", ".gitignore"};

// A model-relative path as PurePosixPath normalizes it: empty and "." components vanish ("" and
// "./" mean the root, "."). Nullopt for absolute paths and ".." components: model_signing drops
// the former, and the latter can never match a file name.
std::optional<std::string> normalize_relative(std::string_view path) {
  if (path.starts_with('/')) return std::nullopt;
  std::string out;
  while (!path.empty()) {
    const auto slash = path.find('/');
    const auto component = path.substr(0, slash);
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);
    if (component.empty() || component == ".") continue;
    if (component == "..") return std::nullopt;
    if (!out.empty()) out += '/';
    out += component;
  }
  return out.empty() ? std::string(".") : out;
}

// A user path (relative to the current directory) relative to the resolved model root, or
// nullopt when it lies outside. The parent is resolved through symlinks as model_signing's CLI
// does; the last component is kept as named, so ignoring a symlink ignores the link itself
// (model_signing would resolve it and miss the link, then fail on it).
std::optional<std::string> relative_to_model(const fs::path& resolved_root, const fs::path& path) {
  // Not lexically normalized first: "sub/link/../x" is where the kernel (and model_signing's
  // Path.resolve) takes it, through the link, not "x".
  const fs::path absolute = fs::absolute(path);
  fs::path resolved;
  const fs::path last = absolute.filename();
  if (last.empty() || last == "." || last == "..") {
    resolved = fs::weakly_canonical(absolute);
  } else {
    resolved = fs::weakly_canonical(absolute.parent_path()) / last;
  }
  const fs::path relative = resolved.lexically_relative(resolved_root);
  if (relative.empty() || *relative.begin() == "..") return std::nullopt;
  return normalize_relative(relative.generic_string());
}

}  // namespace

IgnoreSet::IgnoreSet(const fs::path& root, const ModelOptions& options) {
  if (options.ignore_git_paths) {
    for (auto git_path : kGitPaths) paths_.emplace_back(git_path);
  }
  const fs::path resolved_root = fs::weakly_canonical(fs::absolute(root));
  auto add_user_path = [&](const fs::path& path) {
    if (auto relative = relative_to_model(resolved_root, path)) paths_.push_back(*relative);
  };
  for (const auto& path : options.ignore_paths) add_user_path(path);
  if (options.signature_path) add_user_path(*options.signature_path);
  for (const auto& path : options.model_relative_ignore_paths) {
    if (auto relative = normalize_relative(path)) paths_.push_back(*relative);
  }
  std::sort(paths_.begin(), paths_.end(), ModelPathLess{});
  paths_.erase(std::unique(paths_.begin(), paths_.end()), paths_.end());
}

bool IgnoreSet::matches(std::string_view name) const {
  return std::any_of(paths_.begin(), paths_.end(), [&](const std::string& ignored) {
    if (ignored == "." || name == ignored) return true;
    return name.size() > ignored.size() && name.starts_with(ignored) && name[ignored.size()] == '/';
  });
}

}  // namespace sigmount::verifier
