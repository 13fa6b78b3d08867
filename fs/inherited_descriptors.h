// A mount daemon lives as long as its mount, so it must not keep descriptors it was started
// with beyond stdin, stdout and stderr. Whoever waits for EOF on a pipe handed down to
// `sigmount mount` (a build step's log pipe, a supervisor's status pipe) would otherwise wait
// for as long as the model stays mounted.
#pragma once

#include <string>
#include <vector>

namespace sigmount::fs {

// The descriptors above stderr a process was started with, noted before it opens any of its
// own and closed once it no longer needs them: a key or signature given as /dev/fd/N (a shell's
// process substitution) is read while verifying, after which the daemon drops them all.
class InheritedDescriptors {
 public:
  // Notes what is open now, except the descriptor a mountpoint of the form /dev/fd/N names
  // (mount.fuse3's drop_privileges mounts first and hands the daemon /dev/fuse that way).
  explicit InheritedDescriptors(const std::string& mountpoint);

  // Closes what was noted. Where /proc/self/fd could not be listed, closes every descriptor
  // above stderr but the kept one, so call it before opening anything that must stay open.
  // Returns "" or why that failed too.
  std::string close_all();

 private:
  int keep_ = -1;
  bool listed_ = false;
  std::vector<int> noted_;
};

}  // namespace sigmount::fs
