// The real BackingStore: the signed files under SOURCE, each opened once at mount time.
//
// Opening pins each file's inode: reads go to the inode opened at mount whatever happens to
// its name (and whatever is read is hashed before it is served anyway). Writes into the pinned
// inode (a flipped byte, a truncation) are caught by verification; a name that no longer leads
// to the pinned inode (replaced, renamed away, deleted) is reported by replaced().
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "fs/backing_store.h"
#include "hashing/file_reader.h"
#include "hashing/unique_fd.h"
#include "verifier/verified_manifest.h"

namespace sigmount::fs {

// What opening a backing file found out about it.
struct OpenedFile {
  std::uint64_t size = 0;
  dev_t device = 0;
  ino_t inode = 0;
  // Who may read it in SOURCE: the mount shows the same (less every write bit).
  mode_t mode = 0;
  uid_t owner = 0;
  gid_t group = 0;
};

// Opens `name` (a manifest path) strictly beneath the directory `root_fd`: no "..", no
// absolute path, no symlink at all unless `allow_symlinks`, and then none that leaves the
// directory (openat2 RESOLVE_BENEATH), no mount point crossed. Must be a regular file. Throws
// std::system_error whose message says what is wrong.
UniqueFd open_beneath(int root_fd, const std::string& name, bool allow_symlinks);
// The same, also giving the file's size and identity from the check that it is a regular file.
UniqueFd open_beneath(int root_fd, const std::string& name, bool allow_symlinks, OpenedFile& info);

class SourceStore final : public BackingStore {
 public:
  // Opens every file of `files` under `source` (a directory, or the file itself when the
  // manifest is the single file "."). Throws verifier::VerificationError listing every file
  // that is missing, not a regular file or outside SOURCE, or one std::system_error (EMFILE,
  // ENFILE) saying which limit to raise when there are not enough descriptors to keep them all
  // open.
  SourceStore(const std::filesystem::path& source, std::span<const verifier::SignedFile> files,
              bool allow_symlinks, hashing::ReaderBackend backend);

  std::size_t file_count() const override { return files_.size(); }
  std::uint64_t size(std::size_t file) const override { return files_[file].info.size; }
  std::size_t read(std::size_t file, std::uint64_t offset, std::span<std::uint8_t> out) override;
  // Looks the signed name up as the mount did (open_beneath, with O_PATH). Throws
  // std::system_error when it cannot tell (an I/O error, no memory).
  std::optional<std::string> replaced(std::size_t file) const override;
  void forget_this_thread() override;

  // What opening `file` found (size, identity, permissions), at mount.
  const OpenedFile& opened(std::size_t file) const { return files_[file].info; }
  // The permissions of the directory `name` beneath SOURCE ("": SOURCE itself, or the directory
  // of a single-file SOURCE), reached as signed names are (no symlinked directory); nullopt if
  // it cannot be looked at now.
  std::optional<OpenedFile> directory(const std::string& name) const;
  // The signed file that is the inode `device`/`inode` (a hard link counts), if any.
  std::optional<std::size_t> file_with_identity(dev_t device, ino_t inode) const;

  std::string_view reader_backend() const;
  // Threads that hold a reader of this store (tests).
  std::size_t thread_readers() const;
  // Forgets every thread's reader (after fork(): the threads are gone and rings must not be
  // shared with the parent).
  void drop_readers();

 private:
  struct OpenFile {
    UniqueFd fd;
    OpenedFile info;
  };
  hashing::FileReader& reader_for_this_thread();

  std::vector<OpenFile> files_;
  // For replaced(): the directory the names are looked up in (SOURCE, or the directory of a
  // single-file model's real file), the names, and whether they may be symlinks.
  UniqueFd root_;
  std::vector<std::string> names_;
  bool allow_symlinks_;
  hashing::ReaderBackend backend_;
  // One reader per thread: an io_uring ring has a single issuer. Guards readers_ only.
  mutable std::mutex readers_mutex_;
  std::unordered_map<std::thread::id, std::unique_ptr<hashing::FileReader>> readers_;
};

}  // namespace sigmount::fs
