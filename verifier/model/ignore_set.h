// The paths left out of a model, relative to its root. model_signing matches them lexically
// by whole components (PurePath.is_relative_to), so "a" hides "a" and "a/x" but not "ab".
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "verifier/model/model_walk.h"

namespace sigmount::verifier {

class IgnoreSet {
 public:
  // Builds the set for the model at `root` from every source in `options`.
  IgnoreSet(const std::filesystem::path& root, const ModelOptions& options);

  // True when `name` ("." or "a/b") is an ignored path or lies below one.
  bool matches(std::string_view name) const;

  // '/'-separated, relative to the root ("." is the root itself), sorted, unique.
  const std::vector<std::string>& paths() const { return paths_; }

 private:
  std::vector<std::string> paths_;
};

}  // namespace sigmount::verifier
