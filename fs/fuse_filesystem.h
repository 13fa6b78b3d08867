// The FUSE low-level operations over a ModelTree and a VerifiedFileCore. Only this file and
// fuse_session.cc include libfuse; everything they serve comes from the core as VerifiedBytes.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "fs/model_tree.h"
#include "fs/verified_file_core.h"
#include "verifier/verified_manifest.h"

struct fuse_lowlevel_ops;

namespace sigmount::fs {

// The xattr on the mount root that `sigmount status` reads: one JSON object. Chosen over a
// hidden file so that the tree shows the signed files and nothing else.
inline constexpr const char* kStatusXattr = "user.sigmount.status";

// A read is answered with one buffer per verified piece it spans, and /dev/fuse takes at most
// 1024 buffers in one reply (the header is one). With shards of at least a page, a 1 MiB read
// spans under 300 pieces; a model signed in 64-byte shards spanned 16,384, the reply failed,
// and the reader waited forever.
inline constexpr std::uint64_t kMinServedShardSize = 4096;
inline constexpr std::size_t kMaxReplyPieces = 1023;

// Why the mount cannot serve this model (shards smaller than kMinServedShardSize), or nothing.
// `sigmount verify` checks such a model all the same.
std::optional<std::string> unservable_reason(const verifier::Serialization& serialization);

// Who may read a file, or enter a directory, through the mount: its owner, group and permission
// bits in SOURCE. The kernel enforces them (default_permissions), so what only its owner could
// read in SOURCE stays so under allow_other.
struct FileAccess {
  mode_t mode = 0444;  // only the read and execute bits count; the mount shows no write bit
  uid_t owner = 0;
  gid_t group = 0;
};

class FuseFilesystem {
 public:
  // `status_json` is called on every status read. `access` has one entry per tree node (by
  // inode - 1), or none: then files are 0444 and directories 0555, owned by the daemon's user.
  FuseFilesystem(const ModelTree& tree, VerifiedFileCore& core,
                 std::function<std::string()> status_json, std::vector<FileAccess> access = {});

  // The operations table; userdata passed to fuse_session_new must be this object.
  static const fuse_lowlevel_ops& operations();

  const ModelTree& tree() const { return tree_; }
  VerifiedFileCore& core() { return core_; }
  std::string status_json() const { return status_json_(); }
  struct stat attributes(const ModelTree::Node& node) const;
  std::uint64_t total_bytes() const { return total_bytes_; }

 private:
  const ModelTree& tree_;
  VerifiedFileCore& core_;
  std::function<std::string()> status_json_;
  std::vector<FileAccess> access_;
  uid_t uid_;
  gid_t gid_;
  timespec mount_time_{};
  std::uint64_t total_bytes_ = 0;
};

}  // namespace sigmount::fs
