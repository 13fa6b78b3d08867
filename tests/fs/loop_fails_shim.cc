// LD_PRELOAD shim for mount_test: libfuse's multi-threaded loop fails after a second without
// having answered anything, as it does when it cannot start its first worker thread (a pids
// limit). The kernel's INIT stays unanswered meanwhile.
#include <unistd.h>

struct fuse_session;
struct fuse_loop_config;

extern "C" int fuse_session_loop_mt(fuse_session* /*session*/, fuse_loop_config* /*config*/) {
  ::sleep(1);
  return -1;
}
