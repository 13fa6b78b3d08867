// Where the signed files' bytes come from. The core trusts nothing a store returns: every byte
// is hashed before it is served, so a store may be slow, short, failing or lying (tests use
// such stores on purpose).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace sigmount::fs {

class BackingStore {
 public:
  virtual ~BackingStore() = default;
  // Number of files, in manifest order.
  virtual std::size_t file_count() const = 0;
  // The file's size when the store was opened (the mount's view; it never changes).
  virtual std::uint64_t size(std::size_t file) const = 0;
  // Places bytes of `file` starting at `offset` into `out` and returns how many; fewer than
  // out.size() means the file ended early. Throws std::system_error on I/O errors. Called from
  // many threads at once.
  virtual std::size_t read(std::size_t file, std::uint64_t offset, std::span<std::uint8_t> out) = 0;
  // nullopt while the file's signed name still leads to the file the store reads; otherwise
  // what the name leads to now, for the log ("a different file", "nothing"). Throws
  // std::system_error when it cannot tell now. A store may go on reading the file it opened
  // after the name was replaced or renamed away; the core asks before it goes to the store
  // again and fails those reads, as for a changed byte: the store no longer is the model that
  // was signed.
  virtual std::optional<std::string> replaced(std::size_t /*file*/) const { return std::nullopt; }
  // The calling thread is about to end and will not read again: release what the store keeps
  // for it (the core's short-lived reader threads call this as they finish).
  virtual void forget_this_thread() {}
};

}  // namespace sigmount::fs
