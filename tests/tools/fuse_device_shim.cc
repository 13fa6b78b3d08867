// LD_PRELOAD shim for cli_test.sh: opening /dev/fuse fails with the errno named by
// SIGMOUNT_TEST_FUSE_ERRNO ("EACCES" or "ENOENT"), as on a machine whose /dev/fuse this user
// may not open, or that has none. Every other open goes to the kernel unchanged. (A mount
// namespace with something bound over /dev/fuse would be more real, but cannot be made in a
// chroot whose "/" is no mount point.)
//
// Both entry points are defined: without this, glibc's headers would name open() open64() too.
#undef _FILE_OFFSET_BITS
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdlib>
#include <cstring>

namespace {

int open_unless_fuse(const char* path, int flags, mode_t mode) {
  if (path != nullptr && std::strcmp(path, "/dev/fuse") == 0) {
    const char* name = std::getenv("SIGMOUNT_TEST_FUSE_ERRNO");
    errno = name != nullptr && std::strcmp(name, "ENOENT") == 0 ? ENOENT : EACCES;
    return -1;
  }
  return static_cast<int>(::syscall(SYS_openat, AT_FDCWD, path, flags, mode));
}

}  // namespace

extern "C" int open(const char* path, int flags, ...) {
  mode_t mode = 0;
  if ((flags & (O_CREAT | O_TMPFILE)) != 0) {
    va_list arguments;
    va_start(arguments, flags);
    mode = static_cast<mode_t>(va_arg(arguments, int));
    va_end(arguments);
  }
  return open_unless_fuse(path, flags, mode);
}

extern "C" int open64(const char* path, int flags, ...) {
  mode_t mode = 0;
  if ((flags & (O_CREAT | O_TMPFILE)) != 0) {
    va_list arguments;
    va_start(arguments, flags);
    mode = static_cast<mode_t>(va_arg(arguments, int));
    va_end(arguments);
  }
  return open_unless_fuse(path, flags, mode);
}
