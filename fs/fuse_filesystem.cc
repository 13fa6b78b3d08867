// FUSE low-level callbacks (libfuse 3.14). Conventions, as in libfuse's passthrough_hp.cc:
// every callback replies exactly once; userdata is the FuseFilesystem.
//
// The tree is immutable and inode numbers are fixed (ModelTree), so lookup counts need no
// tracking: `forget` only acknowledges. Attributes and entries (negative ones too) are cached
// by the kernel "forever", files are opened with keep_cache and without direct_io, so page
// cache, MAP_SHARED and MAP_PRIVATE mappings all work and warm reads never reach the daemon.
// Every byte the kernel gets comes from fuse_reply_iov over VerifiedBytes; nothing is spliced
// from the backing files.
#define FUSE_USE_VERSION 312
#include "fs/fuse_filesystem.h"

#include <fuse3/fuse_lowlevel.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cfloat>
#include <cstring>
#include <ctime>
#include <new>
#include <vector>

namespace sigmount::fs {
namespace {

// Long enough to mean "never changes" (libfuse clamps to what the kernel accepts).
constexpr double kForever = 365.0 * 24 * 3600 * 100;

FuseFilesystem& fs_of(fuse_req_t req) {
  return *static_cast<FuseFilesystem*>(fuse_req_userdata(req));
}

// Runs a callback body that allocates. An exception must not cross libfuse's C frames (that is
// std::terminate: the whole mount gone); the bodies throw only before they reply, so the
// request gets its one reply here.
template <typename Body>
void reply_or_fail(fuse_req_t req, Body&& body) noexcept {
  try {
    body();
  } catch (const std::bad_alloc&) {
    fuse_reply_err(req, ENOMEM);
  } catch (...) {
    fuse_reply_err(req, EIO);
  }
}

void reply_entry(fuse_req_t req, const FuseFilesystem& fs, const ModelTree::Node* node) {
  fuse_entry_param entry{};
  // ino 0 with a timeout: the kernel caches the negative lookup too.
  entry.attr_timeout = kForever;
  entry.entry_timeout = kForever;
  if (node != nullptr) {
    entry.ino = node->inode;
    entry.generation = 1;
    entry.attr = fs.attributes(*node);
  }
  fuse_reply_entry(req, &entry);
}

void op_init(void* userdata, fuse_conn_info* conn) {
  (void)userdata;
  // Readahead is the only "background" request kind: let many of them be in flight so
  // several shards are read and hashed in parallel (the kernel default is 12).
  conn->max_background = 64;
  conn->congestion_threshold = 48;
  // No splice: bytes must come from the verified buffers, not from a file descriptor.
  conn->want &= ~(FUSE_CAP_SPLICE_READ | FUSE_CAP_SPLICE_WRITE | FUSE_CAP_SPLICE_MOVE);
  // Nothing here ever changes, so cached pages never need invalidating on getattr.
  conn->want &= ~FUSE_CAP_AUTO_INVAL_DATA;
  conn->want |= conn->capable & FUSE_CAP_ASYNC_READ;
}

void op_lookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
  FuseFilesystem& fs = fs_of(req);
  if (fs.tree().node(parent) == nullptr) {
    fuse_reply_err(req, ENOENT);
    return;
  }
  reply_entry(req, fs, fs.tree().lookup(parent, name));
}

void op_forget(fuse_req_t req, fuse_ino_t, uint64_t) {
  fuse_reply_none(req);
}
void op_forget_multi(fuse_req_t req, size_t, fuse_forget_data*) {
  fuse_reply_none(req);
}

void op_getattr(fuse_req_t req, fuse_ino_t ino, fuse_file_info*) {
  FuseFilesystem& fs = fs_of(req);
  const ModelTree::Node* node = fs.tree().node(ino);
  if (node == nullptr) {
    fuse_reply_err(req, ENOENT);
    return;
  }
  const struct stat st = fs.attributes(*node);
  fuse_reply_attr(req, &st, kForever);
}

void op_open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  const ModelTree::Node* node = fs_of(req).tree().node(ino);
  if (node == nullptr) {
    fuse_reply_err(req, ENOENT);
    return;
  }
  if (node->is_directory) {
    fuse_reply_err(req, EISDIR);
    return;
  }
  if ((fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC) != 0) {
    fuse_reply_err(req, EROFS);
    return;
  }
  fi->keep_cache = 1;  // contents never change: keep pages across opens
  fi->direct_io = 0;   // page cache on: mmap works and warm reads stay in the kernel
  fi->noflush = 1;
  fuse_reply_open(req, fi);
}

void read_file(fuse_req_t req, fuse_ino_t ino, size_t size, off_t offset) {
  FuseFilesystem& fs = fs_of(req);
  const ModelTree::Node* node = fs.tree().node(ino);
  if (node == nullptr || node->is_directory || offset < 0) {
    fuse_reply_err(req, node == nullptr ? ENOENT : EINVAL);
    return;
  }
  const VerifiedRead read = fs.core().read(node->file, static_cast<std::uint64_t>(offset), size,
                                           Reader{.pid = fuse_req_ctx(req)->pid});
  if (!read.ok()) {
    fuse_reply_err(req, read.error());
    return;
  }
  if (read.pieces().size() > kMaxReplyPieces) {
    // Unreachable with the shard floor checked at mount; a reply /dev/fuse refuses would leave
    // the reader waiting forever, an error does not.
    fuse_reply_err(req, EIO);
    return;
  }
  std::vector<iovec> iov;
  iov.reserve(read.pieces().size());
  for (const VerifiedBytes& piece : read.pieces()) {
    // fuse_reply_iov only reads the buffers; `read` keeps them alive until it returns.
    iov.push_back({const_cast<std::uint8_t*>(piece.bytes().data()), piece.size()});
  }
  fuse_reply_iov(req, iov.data(), static_cast<int>(iov.size()));
}

void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t offset, fuse_file_info*) {
  reply_or_fail(req, [&] { read_file(req, ino, size, offset); });
}

void op_release(fuse_req_t req, fuse_ino_t, fuse_file_info*) {
  fuse_reply_err(req, 0);
}
void op_flush(fuse_req_t req, fuse_ino_t, fuse_file_info*) {
  fuse_reply_err(req, 0);
}

void op_opendir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  const ModelTree::Node* node = fs_of(req).tree().node(ino);
  if (node == nullptr || !node->is_directory) {
    fuse_reply_err(req, node == nullptr ? ENOENT : ENOTDIR);
    return;
  }
  if ((fi->flags & O_ACCMODE) != O_RDONLY) {
    fuse_reply_err(req, EROFS);
    return;
  }
  fi->keep_cache = 1;  // directory listings never change either
  fi->cache_readdir = 1;
  fuse_reply_open(req, fi);
}

// Shared by readdir and readdirplus. Offsets: 1 ".", 2 "..", 3+i the i-th child.
void list_directory(fuse_req_t req, fuse_ino_t ino, size_t size, off_t offset, bool plus) {
  FuseFilesystem& fs = fs_of(req);
  const ModelTree::Node* dir = fs.tree().node(ino);
  if (dir == nullptr || !dir->is_directory) {
    fuse_reply_err(req, dir == nullptr ? ENOENT : ENOTDIR);
    return;
  }
  std::vector<char> buffer(size);
  std::size_t used = 0;
  const auto total = static_cast<off_t>(dir->children.size() + 2);
  for (off_t next = offset; next < total; ++next) {
    const ModelTree::Node* entry = nullptr;
    const char* name = nullptr;
    if (next == 0) {
      entry = dir;
      name = ".";
    } else if (next == 1) {
      entry = fs.tree().node(dir->parent);
      name = "..";
    } else {
      entry = fs.tree().node(dir->children[static_cast<std::size_t>(next - 2)]);
      name = entry->name.c_str();
    }
    const struct stat st = fs.attributes(*entry);
    std::size_t needed = 0;
    if (plus) {
      fuse_entry_param param{};
      param.ino = entry->inode;
      param.generation = 1;
      param.attr = st;
      param.attr_timeout = kForever;
      param.entry_timeout = kForever;
      needed =
          fuse_add_direntry_plus(req, buffer.data() + used, size - used, name, &param, next + 1);
    } else {
      needed = fuse_add_direntry(req, buffer.data() + used, size - used, name, &st, next + 1);
    }
    if (needed > size - used) break;  // the entry did not fit; the kernel asks again
    used += needed;
  }
  fuse_reply_buf(req, buffer.data(), used);
}

void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t offset, fuse_file_info*) {
  reply_or_fail(req, [&] { list_directory(req, ino, size, offset, false); });
}
void op_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t offset, fuse_file_info*) {
  reply_or_fail(req, [&] { list_directory(req, ino, size, offset, true); });
}
void op_releasedir(fuse_req_t req, fuse_ino_t, fuse_file_info*) {
  fuse_reply_err(req, 0);
}

void op_statfs(fuse_req_t req, fuse_ino_t) {
  FuseFilesystem& fs = fs_of(req);
  struct statvfs st {};
  st.f_bsize = 4096;
  st.f_frsize = 4096;
  st.f_blocks = (fs.total_bytes() + 4095) / 4096;
  st.f_files = fs.tree().size();
  st.f_namemax = 255;
  st.f_flag = ST_RDONLY | ST_NOSUID | ST_NODEV;
  fuse_reply_statfs(req, &st);
}

void get_status_xattr(fuse_req_t req, fuse_ino_t ino, const char* name, size_t size) {
  FuseFilesystem& fs = fs_of(req);
  if (fs.tree().node(ino) == nullptr) {
    fuse_reply_err(req, ENOENT);
    return;
  }
  if (ino != ModelTree::kRootInode || std::strcmp(name, kStatusXattr) != 0) {
    fuse_reply_err(req, ENODATA);
    return;
  }
  const std::string status = fs.status_json();
  if (size == 0) {
    fuse_reply_xattr(req, status.size());
  } else if (size < status.size()) {
    fuse_reply_err(req, ERANGE);
  } else {
    fuse_reply_buf(req, status.data(), status.size());
  }
}

void op_getxattr(fuse_req_t req, fuse_ino_t ino, const char* name, size_t size) {
  reply_or_fail(req, [&] { get_status_xattr(req, ino, name, size); });
}

void op_listxattr(fuse_req_t req, fuse_ino_t, size_t size) {
  if (size == 0) {
    fuse_reply_xattr(req, 0);
  } else {
    fuse_reply_buf(req, nullptr, 0);
  }
}

// Everything that would change the tree or a file: read-only file system. (The mount is also
// made with MS_RDONLY, so the VFS normally refuses these before they get here.)
void op_erofs_setattr(fuse_req_t req, fuse_ino_t, struct stat*, int, fuse_file_info*) {
  fuse_reply_err(req, EROFS);
}
void op_erofs_mknod(fuse_req_t req, fuse_ino_t, const char*, mode_t, dev_t) {
  fuse_reply_err(req, EROFS);
}
void op_erofs_mkdir(fuse_req_t req, fuse_ino_t, const char*, mode_t) {
  fuse_reply_err(req, EROFS);
}
void op_erofs_unlink(fuse_req_t req, fuse_ino_t, const char*) {
  fuse_reply_err(req, EROFS);
}
void op_erofs_symlink(fuse_req_t req, const char*, fuse_ino_t, const char*) {
  fuse_reply_err(req, EROFS);
}
void op_erofs_rename(fuse_req_t req, fuse_ino_t, const char*, fuse_ino_t, const char*,
                     unsigned int) {
  fuse_reply_err(req, EROFS);
}
void op_erofs_link(fuse_req_t req, fuse_ino_t, fuse_ino_t, const char*) {
  fuse_reply_err(req, EROFS);
}
void op_erofs_write(fuse_req_t req, fuse_ino_t, const char*, size_t, off_t, fuse_file_info*) {
  fuse_reply_err(req, EROFS);
}
void op_erofs_setxattr(fuse_req_t req, fuse_ino_t, const char*, const char*, size_t, int) {
  fuse_reply_err(req, EROFS);
}
void op_erofs_removexattr(fuse_req_t req, fuse_ino_t, const char*) {
  fuse_reply_err(req, EROFS);
}
void op_erofs_create(fuse_req_t req, fuse_ino_t, const char*, mode_t, fuse_file_info*) {
  fuse_reply_err(req, EROFS);
}
void op_erofs_fallocate(fuse_req_t req, fuse_ino_t, int, off_t, off_t, fuse_file_info*) {
  fuse_reply_err(req, EROFS);
}
void op_erofs_copy_file_range(fuse_req_t req, fuse_ino_t, off_t, fuse_file_info*, fuse_ino_t, off_t,
                              fuse_file_info*, size_t, int) {
  fuse_reply_err(req, EROFS);
}
void op_fsync(fuse_req_t req, fuse_ino_t, int, fuse_file_info*) {
  fuse_reply_err(req, 0);
}

fuse_lowlevel_ops make_operations() {
  fuse_lowlevel_ops ops{};
  ops.init = op_init;
  ops.lookup = op_lookup;
  ops.forget = op_forget;
  ops.forget_multi = op_forget_multi;
  ops.getattr = op_getattr;
  ops.open = op_open;
  ops.read = op_read;
  ops.flush = op_flush;
  ops.release = op_release;
  ops.fsync = op_fsync;
  ops.opendir = op_opendir;
  ops.readdir = op_readdir;
  ops.readdirplus = op_readdirplus;
  ops.releasedir = op_releasedir;
  ops.statfs = op_statfs;
  ops.getxattr = op_getxattr;
  ops.listxattr = op_listxattr;
  ops.setattr = op_erofs_setattr;
  ops.mknod = op_erofs_mknod;
  ops.mkdir = op_erofs_mkdir;
  ops.unlink = op_erofs_unlink;
  ops.rmdir = op_erofs_unlink;
  ops.symlink = op_erofs_symlink;
  ops.rename = op_erofs_rename;
  ops.link = op_erofs_link;
  ops.write = op_erofs_write;
  ops.setxattr = op_erofs_setxattr;
  ops.removexattr = op_erofs_removexattr;
  ops.create = op_erofs_create;
  ops.fallocate = op_erofs_fallocate;
  ops.copy_file_range = op_erofs_copy_file_range;
  return ops;
}

}  // namespace

std::optional<std::string> unservable_reason(const verifier::Serialization& serialization) {
  if (serialization.method != verifier::SerializationMethod::shards ||
      serialization.shard_size >= kMinServedShardSize) {
    return std::nullopt;
  }
  return "shards of " + std::to_string(serialization.shard_size) +
         " bytes are too small to serve (at least " + std::to_string(kMinServedShardSize) +
         "); `sigmount verify` checks this model";
}

FuseFilesystem::FuseFilesystem(const ModelTree& tree, VerifiedFileCore& core,
                               std::function<std::string()> status_json,
                               std::vector<FileAccess> access)
    : tree_(tree),
      core_(core),
      status_json_(std::move(status_json)),
      access_(std::move(access)),
      uid_(getuid()),
      gid_(getgid()) {
  clock_gettime(CLOCK_REALTIME, &mount_time_);
  for (std::size_t i = 0; i < core.file_count(); ++i) total_bytes_ += core.size(i);
}

const fuse_lowlevel_ops& FuseFilesystem::operations() {
  static const fuse_lowlevel_ops ops = make_operations();
  return ops;
}

struct stat FuseFilesystem::attributes(const ModelTree::Node& node) const {
  struct stat st {};
  st.st_ino = node.inode;
  st.st_uid = uid_;
  st.st_gid = gid_;
  st.st_atim = st.st_mtim = st.st_ctim = mount_time_;
  st.st_blksize = blksize_t{128} * 1024;
  // No write bit (read-only), and no set-ID or sticky bit (nosuid anyway).
  const FileAccess* access = node.inode - 1 < access_.size() ? &access_[node.inode - 1] : nullptr;
  if (access != nullptr) {
    st.st_uid = access->owner;
    st.st_gid = access->group;
  }
  if (node.is_directory) {
    st.st_mode = S_IFDIR | (access != nullptr ? access->mode & 0555 : 0555);
    st.st_nlink = 2;
    for (std::uint64_t child : node.children) {
      if (tree_.node(child)->is_directory) ++st.st_nlink;
    }
  } else {
    st.st_mode = S_IFREG | (access != nullptr ? access->mode & 0555 : 0444);
    st.st_nlink = 1;
    st.st_size = static_cast<off_t>(core_.size(node.file));
    st.st_blocks = (st.st_size + 511) / 512;
  }
  return st;
}

}  // namespace sigmount::fs
