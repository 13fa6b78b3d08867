// Which files make up a model, decided exactly as model_signing decides it
// (`_serialization/serialization.py`, `hashing.py`, `_cli.py`), so that a model we sign
// verifies with model_signing and the other way round.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sigmount::verifier {

struct ModelOptions {
  // Paths to leave out, relative to the current directory (or absolute), resolved through
  // symlinks; kept only if they lie inside the model. An ignored directory hides its subtree.
  std::vector<std::filesystem::path> ignore_paths;
  // Leaves out ".git", ".gitattributes", ".github" and ".gitignore" at the model root only.
  bool ignore_git_paths = true;
  // model_signing semantics: a symlinked file is included with its target's content under the
  // link's own name (targets may lie outside the model); a symlinked directory is not descended.
  // Without it any symlink that is not ignored is an error.
  bool allow_symlinks = false;
  // The signature file: always ignored (and recorded as ignored) when it lies inside the model.
  std::optional<std::filesystem::path> signature_path;
  // More paths to leave out, already relative to the model root and '/'-separated: the
  // `ignore_paths` a verified manifest records. Absolute ones and ones with ".." are dropped.
  std::vector<std::string> model_relative_ignore_paths;
};

struct ModelFile {
  std::string name;            // "d0/f00"; "." when the model is a single file
  std::filesystem::path path;  // root / name, to open for hashing (follows an allowed symlink)
  std::uint64_t size = 0;      // of the file, or of the symlink's target
};

// Every file of the model at `root` (a directory, or one regular file named "."), sorted in
// model_signing order. Applies the ignores before the symlink check, as model_signing does
// since PR #550. Throws VerificationError for a symlink that is not allowed, a broken link, a
// fifo, socket or device, or a name we could not sign (not UTF-8, backslash, control
// character); std::system_error for I/O errors (a missing root, an unreadable directory).
std::vector<ModelFile> list_model_files(const std::filesystem::path& root,
                                        const ModelOptions& options);

// Only the files called `names` (signed names, for checking just the signed files): each
// resolved with resolve_inside_model(), ignored names and files that do not exist left out
// (the caller reports them missing). Sorted in model_signing order. Unlike model_signing's
// `ignore_unsigned_files`, which joins names to the root unchecked, this refuses names that
// leave the model (as its open PR #647 proposes) and symlinks leading out of it.
std::vector<ModelFile> list_named_files(const std::filesystem::path& root,
                                        const ModelOptions& options,
                                        std::span<const std::string> names);

// The ignored paths as the statement records them (`serialization.ignore_paths`): relative to
// the model, '/'-separated, sorted, without the ones outside the model.
std::vector<std::string> recorded_ignore_paths(const std::filesystem::path& root,
                                               const ModelOptions& options);

// The subject name model_signing gives a model: the last component of `root`, or of its
// resolved path when that is empty or ".." (e.g. for ".").
std::string model_name(const std::filesystem::path& root);

// SECURITY: maps a signed file name to a path that stays inside the model, for the mount and
// for checking only the signed files. `root` is trusted as given (the user's choice); `name`
// (untrusted, from a manifest) must be a canonical model path (see model_path.h), "." being
// `root` itself. Every existing component is looked at with lstat: a symlink is refused unless
// `allow_symlinks`, and even then it must resolve inside the canonical root; an intermediate
// component must be a directory, and an existing final one a regular file. Returns the
// resolved path (symlinks replaced by their checked targets); a component that does not exist
// ends the walk and the rest is appended lexically, so opening it fails with ENOENT.
// Throws VerificationError naming the file.
// The check happens at call time: if someone can change the model directory concurrently,
// open the result with O_NOFOLLOW (or openat2 RESOLVE_BENEATH) to close the race.
std::filesystem::path resolve_inside_model(const std::filesystem::path& root, std::string_view name,
                                           bool allow_symlinks);

}  // namespace sigmount::verifier
