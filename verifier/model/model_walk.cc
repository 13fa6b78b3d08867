#include "verifier/model/model_walk.h"

#include <unistd.h>

#include <algorithm>
#include <system_error>
#include <utility>

#include "hashing/unique_fd.h"
#include "verifier/errors.h"
#include "verifier/model/ignore_set.h"
#include "verifier/model/model_path.h"
#include "verifier/model/path_order.h"

namespace sigmount::verifier {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void throw_io(const std::error_code& error, const fs::path& path) {
  throw std::system_error(error, path.string());
}

[[noreturn]] void refuse(std::string_view name, std::string_view problem) {
  throw VerificationError("Cannot use " + quoted_name(name) +
                          " in the model: " + std::string(problem));
}

// Files of pseudo file systems (/proc/PID/cmdline, which any user can fill, reached through a
// symlink the signature allows) report size 0 yet hold bytes. Only `size` bytes are hashed,
// so such a file passed as the signed empty one, or, in the shards serialization (no shard
// for an empty file), as an extra file nobody noticed. model_signing reads to the end.
bool holds_bytes(const fs::path& path) {
  const UniqueFd fd = open_for_reading(path);
  if (fd.get() < 0) throw_io(std::error_code(errno, std::generic_category()), path);
  char byte = 0;
  ssize_t got = 0;
  do {
    got = ::read(fd.get(), &byte, 1);
  } while (got < 0 && errno == EINTR);
  if (got < 0) throw_io(std::error_code(errno, std::generic_category()), path);
  return got > 0;
}

std::uint64_t size_of(const fs::path& path, std::string_view name) {
  std::error_code error;
  const auto size = fs::file_size(path, error);
  if (error) throw_io(error, path);
  if (size == 0 && holds_bytes(path)) {
    refuse(name, "it reports a size of 0 but holds bytes (a file of /proc or /sys?)");
  }
  return size;
}

// Visits the model tree depth-first with an explicit stack (no recursion limit to hit).
class ModelWalker {
 public:
  ModelWalker(const fs::path& root, const ModelOptions& options)
      : root_(root), options_(options), ignores_(root, options) {}

  std::vector<ModelFile> walk() {
    visit(root_, ".");
    while (!directories_.empty()) {
      auto [path, name] = std::move(directories_.back());
      directories_.pop_back();
      list_directory(path, name);
    }
    std::sort(files_.begin(), files_.end(), [](const ModelFile& a, const ModelFile& b) {
      return compare_model_paths(a.name, b.name) < 0;
    });
    return std::move(files_);
  }

 private:
  void list_directory(const fs::path& directory, const std::string& prefix) {
    std::error_code error;
    fs::directory_iterator it(directory, error);
    if (error) throw_io(error, directory);
    for (; it != fs::directory_iterator(); it.increment(error)) {
      const std::string file_name = it->path().filename().string();
      visit(it->path(), prefix == "." ? file_name : prefix + "/" + file_name);
    }
    if (error) throw_io(error, directory);
  }

  // The order of checks is model_signing's: ignored, then symlink, then file type.
  void visit(const fs::path& path, const std::string& name) {
    if (ignores_.matches(name)) return;
    if (auto problem = model_path_problem(name)) refuse(name, *problem);
    std::error_code error;
    auto status = fs::symlink_status(path, error);
    if (error) throw_io(error, path);
    if (fs::is_symlink(status)) {
      if (!options_.allow_symlinks) {
        refuse(name, "it is a symlink (allow symlinks to include the file it points to)");
      }
      status = fs::status(path, error);
      if (error || !fs::exists(status)) refuse(name, "it is a broken symlink");
      // model_signing does not descend into symlinked directories below the root: skip them.
      if (fs::is_directory(status) && name != ".") return;
    }
    if (fs::is_regular_file(status)) {
      files_.push_back(ModelFile{name, path, size_of(path, name)});
    } else if (fs::is_directory(status)) {
      directories_.emplace_back(path, name);
    } else {
      refuse(name, "it is neither a regular file nor a directory");
    }
  }

  const fs::path& root_;
  const ModelOptions& options_;
  IgnoreSet ignores_;
  std::vector<ModelFile> files_;
  std::vector<std::pair<fs::path, std::string>> directories_;
};

bool lies_inside(const fs::path& canonical_root, const fs::path& canonical_path) {
  const fs::path relative = canonical_path.lexically_relative(canonical_root);
  return !relative.empty() && *relative.begin() != "..";
}

}  // namespace

std::vector<ModelFile> list_model_files(const fs::path& root, const ModelOptions& options) {
  std::error_code error;
  if (!fs::exists(fs::symlink_status(root, error))) {
    throw std::system_error(
        error ? error : std::make_error_code(std::errc::no_such_file_or_directory), root.string());
  }
  return ModelWalker(root, options).walk();
}

std::vector<ModelFile> list_named_files(const fs::path& root, const ModelOptions& options,
                                        std::span<const std::string> names) {
  const IgnoreSet ignores(root, options);
  std::vector<ModelFile> files;
  for (const auto& name : names) {
    if (ignores.matches(name)) continue;
    fs::path path = resolve_inside_model(root, name, options.allow_symlinks);
    std::error_code error;
    if (!fs::exists(fs::status(path, error))) continue;
    files.push_back(ModelFile{name, path, size_of(path, name)});
  }
  std::sort(files.begin(), files.end(), [](const ModelFile& a, const ModelFile& b) {
    return compare_model_paths(a.name, b.name) < 0;
  });
  return files;
}

std::vector<std::string> recorded_ignore_paths(const fs::path& root, const ModelOptions& options) {
  return IgnoreSet(root, options).paths();
}

std::string model_name(const fs::path& root) {
  std::string text = root.generic_string();
  while (text.size() > 1 && text.ends_with('/')) text.pop_back();
  std::string name = fs::path(text).filename().string();
  if (name.empty() || name == "." || name == "..") {
    name = fs::weakly_canonical(fs::absolute(root)).filename().string();
  }
  return name;
}

fs::path resolve_inside_model(const fs::path& root, std::string_view name, bool allow_symlinks) {
  const auto refuse_name = [&](std::string_view problem) {
    throw VerificationError("Refusing signed file " + quoted_name(name) + ": " +
                            std::string(problem));
  };
  if (auto problem = model_path_problem(name)) refuse_name(*problem);
  std::error_code error;
  fs::path base = fs::canonical(root, error);
  if (error) throw_io(error, root);
  if (name == ".") {
    if (!fs::is_regular_file(fs::status(base, error)))
      refuse_name("the model is not a single regular file");
    return base;
  }

  fs::path current = base;
  std::string_view rest = name;
  while (!rest.empty()) {
    const auto slash = rest.find('/');
    const bool last = slash == std::string_view::npos;
    fs::path next = current / rest.substr(0, slash);
    rest = last ? std::string_view{} : rest.substr(slash + 1);

    auto status = fs::symlink_status(next, error);
    if (error && status.type() != fs::file_type::not_found) throw_io(error, next);
    if (!fs::exists(status)) return rest.empty() ? next : next / rest;  // opening gives ENOENT
    if (fs::is_symlink(status)) {
      if (!allow_symlinks) refuse_name("it goes through a symlink and symlinks are not allowed");
      // The walk of a whole model (model_signing's too) does not descend into a symlinked
      // directory, so no signed name can pass through one.
      if (!last) refuse_name("a parent directory is a symlink");
      next = fs::canonical(next, error);
      if (error) refuse_name("it goes through a broken symlink");
      if (!lies_inside(base, next))
        refuse_name("it goes through a symlink leading out of the model");
      status = fs::status(next, error);
      if (error) throw_io(error, next);
    }
    if (!last && !fs::is_directory(status)) refuse_name("a parent is not a directory");
    if (last && !fs::is_regular_file(status)) refuse_name("it is not a regular file");
    current = std::move(next);
  }
  return current;
}

}  // namespace sigmount::verifier
