#include "fs/source_store.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <optional>
#include <string>
#include <system_error>

#include "verifier/errors.h"

namespace sigmount::fs {
namespace {

[[noreturn]] void throw_errno(int error, const std::string& what) {
  throw std::system_error(error, std::generic_category(), what);
}

// Descriptors the daemon needs besides one per signed file: /dev/fuse, the source directory,
// an io_uring ring per reader thread, the log.
constexpr std::size_t kOtherDescriptors = 64;

// Big models have thousands of files and each stays open: lift the soft limit to the hard one,
// and grow the descriptor table to its final size now, while this process has one thread. The
// kernel grows the table by doubling, and once threads share it every growth waits for an RCU
// grace period: with 10,000 files that took most of the mount time. Returns the soft limit
// now in force (nullopt if it cannot be read).
std::optional<rlim_t> prepare_descriptor_table(std::size_t wanted) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return std::nullopt;
  if (limit.rlim_cur < wanted + kOtherDescriptors && limit.rlim_cur != limit.rlim_max) {
    const rlimit raised{.rlim_cur = limit.rlim_max, .rlim_max = limit.rlim_max};
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  const auto highest =
      static_cast<int>(std::min<rlim_t>(limit.rlim_cur - 1, wanted + kOtherDescriptors));
  const int probe = ::open("/", O_RDONLY | O_CLOEXEC | O_DIRECTORY);
  if (probe < 0) return limit.rlim_cur;
  // Only into a free slot: dup2 would silently close a descriptor someone holds there.
  if (highest > probe && ::fcntl(highest, F_GETFD) == -1 && errno == EBADF &&
      ::dup2(probe, highest) == highest) {
    ::close(highest);
  }
  ::close(probe);
  return limit.rlim_cur;
}

// Running out of descriptors is the host's limit, not something wrong with any one file: one
// message that says which limit and how to raise it, instead of one line per file.
[[noreturn]] void throw_out_of_descriptors(int error, std::size_t files,
                                           std::optional<rlim_t> limit) {
  std::string message = "cannot keep the " + std::to_string(files) +
                        " signed files open (the daemon holds each one open): ";
  if (error == ENFILE) {
    message += "the system's table of open files is full (sysctl fs.file-max)";
  } else {
    const std::size_t needed = files + kOtherDescriptors;
    message += "the open-file limit (RLIMIT_NOFILE) is " +
               (limit ? std::to_string(*limit) : std::string("unknown"));
    if (limit && *limit >= needed) {
      // Enough by count, but the process already held other descriptors.
      message += ", and descriptors the process held already left too few of them";
    } else {
      message += "; it needs to be at least " + std::to_string(needed);
    }
    message +=
        " (raise the hard limit: ulimit -Hn, LimitNOFILE= in a systemd unit, --ulimit nofile= "
        "for a container)";
  }
  throw std::system_error(error, std::generic_category(), message);
}

// What `st` (of `fd`) says, with the permissions the mount may show. With an access ACL the
// group bits are the ACL's mask, not the owning group's rights, and FUSE's permission check
// knows only the bits: they are dropped rather than let the group in. (Asked by the /proc name:
// an O_PATH descriptor answers no xattr call itself.)
OpenedFile opened_file(int fd, const struct stat& st) {
  mode_t mode = st.st_mode;
  const std::string by_descriptor = "/proc/self/fd/" + std::to_string(fd);
  if (::getxattr(by_descriptor.c_str(), "system.posix_acl_access", nullptr, 0) > 0) {
    mode &= ~S_IRWXG;
  }
  return {.size = static_cast<std::uint64_t>(st.st_size),
          .device = st.st_dev,
          .inode = st.st_ino,
          .mode = mode,
          .owner = st.st_uid,
          .group = st.st_gid};
}

// Throws std::system_error(EINVAL) for anything but a regular file (directory, device, FIFO).
OpenedFile regular_file(int fd) {
  struct stat st {};
  if (fstat(fd, &st) != 0) throw_errno(errno, "fstat");
  if (!S_ISREG(st.st_mode)) throw_errno(EINVAL, "not a regular file");
  return opened_file(fd, st);
}

// open_beneath's refusal of a symlinked parent directory: ELOOP like a refused symlink, told
// apart by its type.
class SymlinkedParent : public std::system_error {
 public:
  SymlinkedParent()
      : std::system_error(ELOOP, std::generic_category(), "parent directory is a symlink") {}
};

std::string describe_open_error(const std::system_error& error) {
  switch (error.code().value()) {
    case ENOENT:
      return "missing";
    case EXDEV:
      return "resolves outside SOURCE or through a mount point inside it";
    case ELOOP:
      if (dynamic_cast<const SymlinkedParent*>(&error) != nullptr) {
        return "a parent directory is a symlink";
      }
      return "is or passes through a symlink (the signature does not allow symlinks)";
    case EINVAL:
      return "not a regular file";
    case ENOTDIR:
      return "a parent is not a directory";
    default:
      return error.code().message();
  }
}

std::string quoted(const std::string& name) {
  std::string out = "\"";
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

}  // namespace

UniqueFd open_beneath(int root_fd, const std::string& name, bool allow_symlinks) {
  OpenedFile info;
  return open_beneath(root_fd, name, allow_symlinks, info);
}

namespace {

// openat2 of a signed name beneath `root_fd` under the signed-name rules (open_beneath's
// comment), with `flags` (O_PATH for a look, O_RDONLY to read).
UniqueFd resolve_beneath(int root_fd, const std::string& name, bool allow_symlinks, int flags) {
  if (name.empty() || name.front() == '/') throw_errno(EINVAL, "not a relative path");
  open_how how{};
  how.flags = static_cast<std::uint64_t>(flags | O_CLOEXEC);
  // RESOLVE_NO_XDEV: a mount point inside SOURCE may be this very mount (MOUNTPOINT inside
  // SOURCE); a look through it from a daemon thread would wait on the daemon's own answer,
  // and enough of them at once deadlock the mount.
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
  if (!allow_symlinks) {
    how.flags |= O_NOFOLLOW;
    how.resolve |= RESOLVE_NO_SYMLINKS;
  }
  if (const auto slash = name.rfind('/'); allow_symlinks && slash != std::string::npos) {
    // Symlinked files are allowed, symlinked directories are not: a walk of the whole model
    // (model_signing's, `sigmount verify`'s) does not descend into them, so no signed name
    // passes through one. Only the parent directories are checked here; the open below still
    // keeps whatever it reaches beneath SOURCE.
    open_how parent{};
    parent.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
    parent.resolve =
        RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV;
    const std::string directory = name.substr(0, slash);
    const long parent_fd =
        ::syscall(SYS_openat2, root_fd, directory.c_str(), &parent, sizeof parent);
    if (parent_fd < 0) {
      if (errno == ELOOP) throw SymlinkedParent();
      throw_errno(errno, "openat2");
    }
    ::close(static_cast<int>(parent_fd));
  }
  const long fd = ::syscall(SYS_openat2, root_fd, name.c_str(), &how, sizeof how);
  if (fd < 0) throw_errno(errno, "openat2");
  return UniqueFd(static_cast<int>(fd));
}

}  // namespace

UniqueFd open_beneath(int root_fd, const std::string& name, bool allow_symlinks, OpenedFile& info) {
  UniqueFd out = resolve_beneath(root_fd, name, allow_symlinks, O_RDONLY | O_NOCTTY | O_NONBLOCK);
  info = regular_file(out.get());
  // O_NONBLOCK only kept open() from hanging on a FIFO. Cleared because io_uring honours it on
  // regular files too (a read not in the page cache would fail with EAGAIN).
  ::fcntl(out.get(), F_SETFL, 0);
  return out;
}

SourceStore::SourceStore(const std::filesystem::path& source,
                         std::span<const verifier::SignedFile> files, bool allow_symlinks,
                         hashing::ReaderBackend backend)
    : allow_symlinks_(allow_symlinks), backend_(backend) {
  const std::optional<rlim_t> limit = prepare_descriptor_table(files.size());
  if (limit && *limit < files.size() + kOtherDescriptors) {
    throw_out_of_descriptors(EMFILE, files.size(), limit);
  }
  const bool single_file = files.size() == 1 && files[0].path == ".";
  if (single_file) {
    // A symlink given as SOURCE (a "current" link) is resolved once, here; the file is then
    // opened, and later looked at by replaced(), by its real name from its directory, opened
    // now: not through a path, which may lead into this very mount once it is made (a file
    // mounted over its own directory), and not through the link, which may change meanwhile.
    allow_symlinks_ = false;
    std::error_code error;
    const std::filesystem::path real = std::filesystem::canonical(source, error);
    if (!error) {
      root_ = UniqueFd(::open(real.parent_path().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
      if (root_.get() < 0) error.assign(errno, std::generic_category());
      names_.push_back(real.filename().string());
    }
    if (error) {
      if (error.value() == ENOENT) {
        throw verifier::VerificationError("signed file " + quoted(source.string()) + ": missing");
      }
      throw std::system_error(error, "cannot open the directory of " + source.string());
    }
  } else {
    root_ = UniqueFd(::open(source.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (root_.get() < 0) {
      throw verifier::VerificationError(
          "SOURCE " + source.string() +
          ": cannot open as a directory: " + std::generic_category().message(errno));
    }
  }
  files_.resize(files.size());
  std::vector<std::string> problem_of(files.size());
  // Set by the first open that finds no descriptor left (this process holds others too): the
  // other threads stop, and the mount fails with one message.
  std::atomic<int> out_of_descriptors{0};
  const auto open_range = [&](std::size_t from, std::size_t to) {
    for (std::size_t i = from; i < to && out_of_descriptors.load() == 0; ++i) {
      OpenFile& open_file = files_[i];
      try {
        if (single_file) {
          open_file.fd = open_beneath(root_.get(), names_[0], false, open_file.info);
        } else {
          open_file.fd = open_beneath(root_.get(), files[i].path, allow_symlinks, open_file.info);
        }
      } catch (const std::system_error& error) {
        if (const int code = error.code().value(); code == EMFILE || code == ENFILE) {
          int none = 0;
          out_of_descriptors.compare_exchange_strong(none, code);
          return;
        }
        problem_of[i] = "signed file " + quoted(files[i].path) + ": " + describe_open_error(error);
      }
    }
  };
  // Opening is path lookups in the kernel, which scale across cores: with thousands of files
  // this is most of the mount time after the signature check.
  constexpr std::size_t kFilesPerThread = 1024;
  const std::size_t threads = std::clamp<std::size_t>(
      files.size() / kFilesPerThread, 1, std::max(1U, std::thread::hardware_concurrency()));
  {
    std::vector<std::jthread> helpers;
    const std::size_t per_thread = (files.size() + threads - 1) / threads;
    for (std::size_t t = 1; t < threads; ++t) {
      helpers.emplace_back(open_range, std::min(files.size(), t * per_thread),
                           std::min(files.size(), (t + 1) * per_thread));
    }
    open_range(0, std::min(files.size(), per_thread));
  }
  if (const int error = out_of_descriptors.load(); error != 0) {
    throw_out_of_descriptors(error, files.size(), limit);
  }
  std::vector<std::string> problems;
  for (std::string& problem : problem_of) {
    if (!problem.empty()) problems.push_back(std::move(problem));
  }
  if (!problems.empty()) throw verifier::VerificationError(std::move(problems));
  if (!single_file) {
    names_.reserve(files.size());
    for (const verifier::SignedFile& file : files) names_.push_back(file.path);
  }
}

std::optional<std::string> SourceStore::replaced(std::size_t file) const {
  // Resolved as at mount (beneath SOURCE, the same symlink rules, no mount point crossed), so
  // the look never leaves SOURCE's file system: nothing an attacker puts there can send it into
  // this mount, whose requests the daemon's own threads would have to answer. A single-file model's
  // real name has no symlink.
  UniqueFd now_fd;
  try {
    now_fd = resolve_beneath(root_.get(), names_.at(file), allow_symlinks_, O_PATH);
  } catch (const std::system_error& error) {
    switch (error.code().value()) {
      case ENOENT:
        return "nothing (renamed away or deleted)";
      case ENOTDIR:
      case ELOOP:
      case EXDEV:
        return describe_open_error(error);
      default:
        throw;  // cannot tell now (out of memory, an I/O error): like a failed read
    }
  }
  struct stat now {};
  if (::fstat(now_fd.get(), &now) != 0) throw_errno(errno, "fstat");
  const OpenedFile& opened = files_.at(file).info;
  if (now.st_dev != opened.device || now.st_ino != opened.inode) {
    return "a different file (replaced)";
  }
  return std::nullopt;
}

hashing::FileReader& SourceStore::reader_for_this_thread() {
  std::lock_guard lock(readers_mutex_);
  auto& reader = readers_[std::this_thread::get_id()];
  if (!reader) reader = hashing::make_file_reader(backend_);
  return *reader;
}

std::size_t SourceStore::read(std::size_t file, std::uint64_t offset, std::span<std::uint8_t> out) {
  const int fd = files_.at(file).fd.get();
  try {
    reader_for_this_thread().read_exact(fd, offset, out);
  } catch (const std::system_error&) {
    // Tell a file that shrank (truncated after mount: tampering) from an I/O error.
    struct stat st {};
    if (fstat(fd, &st) == 0 && static_cast<std::uint64_t>(st.st_size) < offset + out.size()) {
      return 0;
    }
    throw;
  }
  return out.size();
}

std::size_t SourceStore::thread_readers() const {
  std::lock_guard lock(readers_mutex_);
  return readers_.size();
}

void SourceStore::forget_this_thread() {
  std::lock_guard lock(readers_mutex_);
  readers_.erase(std::this_thread::get_id());
}

void SourceStore::drop_readers() {
  std::lock_guard lock(readers_mutex_);
  readers_.clear();
}

std::optional<std::size_t> SourceStore::file_with_identity(dev_t device, ino_t inode) const {
  for (std::size_t i = 0; i < files_.size(); ++i) {
    if (files_[i].info.device == device && files_[i].info.inode == inode) return i;
  }
  return std::nullopt;
}

std::string_view SourceStore::reader_backend() const {
  return hashing::resolve_backend(backend_) == hashing::ReaderBackend::pread ? "pread" : "io_uring";
}

std::optional<OpenedFile> SourceStore::directory(const std::string& name) const {
  try {
    const UniqueFd opened = name.empty()
                                ? UniqueFd()
                                : resolve_beneath(root_.get(), name,
                                                  /*allow_symlinks=*/false, O_PATH | O_DIRECTORY);
    const int fd = name.empty() ? root_.get() : opened.get();
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISDIR(st.st_mode)) return std::nullopt;
    return opened_file(fd, st);
  } catch (const std::system_error&) {
    return std::nullopt;
  }
}

}  // namespace sigmount::fs
