// How the daemon takes SIGINT, SIGTERM and SIGHUP. A handler that ends the FUSE loop at once
// can strand threads that wait on requests only the loop answers (the kernel's INIT, reads of
// pages being dropped): joining them would hang the daemon with its mount in place. So every
// thread blocks these signals and one thread takes them, and the daemon ends the loop when it
// is safe to.
#pragma once

#include <pthread.h>
#include <signal.h>  // NOLINT(modernize-deprecated-headers): POSIX sigset_t
#include <sys/types.h>

#include <chrono>
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

 private:
  sigset_t previous_{};
};

// Blocks SIGINT, SIGTERM and SIGHUP in the calling thread (and the threads it starts), so that
// only wait() takes them. A signal the process ignores (nohup, a shell's background job) is
// left alone and stays ignored. They stay blocked after this object is gone: it lives as long
// as the mount, and a signal that comes once the mount is gone must not kill the stopping
// process with a non-zero status.
class StopSignals {
 public:
  StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  // The next stop signal, or 0 once `stop` is requested. Call it from a thread that blocks the
  // stop signals (any thread started while this object lives).
  int wait(const std::stop_token& stop) const;
  // The signals wait() takes.
  const sigset_t& signals() const { return taken_; }

  static const char* name(int signal);

 private:
  sigset_t taken_{};
};

// How the wait for the daemon ended, for the exit status of the command that forked it.
struct DaemonStart {
  bool ready = false;        // the daemon sent its ready byte
  int passed_signal = 0;     // the first stop signal passed on to it, if any
  bool daemon_gone = false;  // waited for and reaped: its mount is gone too
};

// In the process that forked the daemon: waits for the daemon's ready byte on `ready_fd`, and
// passes on to `daemon` the stop signals this process gets meanwhile or got before the fork
// (a fork does not hand pending signals to the child). If a stop signal was passed on, or the
// daemon closed the pipe without the byte, the mount is not there to stay: then it also waits
// (up to `patience`) for the daemon to exit, which it does once it has unmounted, so that the
// command does not return while the mount still shows.
DaemonStart wait_for_ready_passing_on_stop_signals(int ready_fd, pid_t daemon,
                                                   const StopSignals& stop_signals,
                                                   std::chrono::milliseconds patience);

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
