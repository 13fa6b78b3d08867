// How the daemon takes SIGINT, SIGTERM and SIGHUP. A handler that ends the FUSE loop at once
// can strand threads that wait on requests only the loop answers (the kernel's INIT, reads of
// pages being dropped): joining them would hang the daemon with its mount in place. So every
// thread blocks these signals and one thread takes them, and the daemon ends the loop when it
// is safe to.
#pragma once

#include <pthread.h>
#include <signal.h>  // NOLINT(modernize-deprecated-headers): POSIX sigset_t

#include <initializer_list>
#include <stop_token>

namespace sigmount::fs {

// Blocks the given signals in the calling thread for its lifetime (threads started meanwhile
// inherit the mask and keep it).
class BlockedSignals {
 public:
  explicit BlockedSignals(std::initializer_list<int> signals);
  ~BlockedSignals();
  BlockedSignals(const BlockedSignals&) = delete;
  BlockedSignals& operator=(const BlockedSignals&) = delete;

 protected:
  sigset_t blocked_{};

 private:
  sigset_t previous_{};
};

// SIGINT, SIGTERM and SIGHUP, blocked in the calling thread (and the threads it starts) so
// that only wait() takes them.
class StopSignals : private BlockedSignals {
 public:
  StopSignals();
  // Discards stop signals nobody waited for (the daemon is stopping anyway) before the mask
  // is restored: one left pending would kill the process with the mount already gone.
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  // The next stop signal, or 0 once `stop` is requested. Call it from a thread that blocks the
  // stop signals (any thread started while this object lives).
  int wait(const std::stop_token& stop) const;

  static const char* name(int signal);
};

// SIGUSR1 with a handler that does nothing, installed for its lifetime: wake(thread) makes a
// blocking call in `thread` return EINTR. Threads that must not be woken block kSignal.
class ThreadWaker {
 public:
  static constexpr int kSignal = SIGUSR1;
  ThreadWaker();
  ~ThreadWaker();
  ThreadWaker(const ThreadWaker&) = delete;
  ThreadWaker& operator=(const ThreadWaker&) = delete;

  static void wake(pthread_t thread);

 private:
  struct sigaction previous_ {};
};

}  // namespace sigmount::fs
