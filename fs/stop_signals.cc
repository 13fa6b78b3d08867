#include "fs/stop_signals.h"

#include <poll.h>
#include <sys/signalfd.h>

#include <array>
#include <cerrno>
#include <ctime>

namespace sigmount::fs {
namespace {

// The daemon checks for a stop request this often while it waits for a signal.
constexpr std::timespec kStopPollInterval{.tv_sec = 0, .tv_nsec = 100'000'000};

void do_nothing(int /*signal*/) {}

}  // namespace

BlockedSignals::BlockedSignals(std::initializer_list<int> signals) {
  sigset_t blocked;
  sigemptyset(&blocked);
  for (const int signal : signals) sigaddset(&blocked, signal);
  pthread_sigmask(SIG_BLOCK, &blocked, &previous_);
}

BlockedSignals::~BlockedSignals() {
  pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
}

StopSignals::StopSignals() {
  sigemptyset(&taken_);
  for (const int signal : {SIGINT, SIGTERM, SIGHUP}) {
    // A blocked signal is queued even while ignored, and wait() would take it.
    struct sigaction current {};
    if (sigaction(signal, nullptr, &current) == 0 && current.sa_handler == SIG_IGN) continue;
    sigaddset(&taken_, signal);
  }
  pthread_sigmask(SIG_BLOCK, &taken_, nullptr);
}

int StopSignals::wait(const std::stop_token& stop) const {
  while (!stop.stop_requested()) {
    const int signal = sigtimedwait(&taken_, nullptr, &kStopPollInterval);
    if (signal > 0) return signal;
  }
  return 0;
}

const char* StopSignals::name(int signal) {
  switch (signal) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    case SIGHUP:
      return "SIGHUP";
    default:
      return "other";
  }
}

bool wait_for_ready_passing_on_stop_signals(int ready_fd, pid_t daemon,
                                            const StopSignals& stop_signals) {
  const int signals_fd = ::signalfd(-1, &stop_signals.signals(), SFD_CLOEXEC | SFD_NONBLOCK);
  const auto pass_on_pending = [&] {
    signalfd_siginfo info{};
    while (signals_fd >= 0 && ::read(signals_fd, &info, sizeof info) == sizeof info) {
      ::kill(daemon, static_cast<int>(info.ssi_signo));
    }
  };
  ssize_t got = -1;
  for (;;) {
    std::array<pollfd, 2> fds{{{ready_fd, POLLIN, 0}, {signals_fd, POLLIN, 0}}};
    if (::poll(fds.data(), signals_fd >= 0 ? 2 : 1, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    pass_on_pending();
    if (fds[0].revents == 0) continue;
    char ready = 0;
    do {
      got = ::read(ready_fd, &ready, 1);
    } while (got < 0 && errno == EINTR);
    break;
  }
  // One that came while the byte was read: the caller exits right after.
  pass_on_pending();
  if (signals_fd >= 0) ::close(signals_fd);
  return got == 1;
}

ThreadWaker::ThreadWaker() {
  struct sigaction action {};
  action.sa_handler = do_nothing;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: the interrupted call must return
  sigaction(kSignal, &action, &previous_);
}

ThreadWaker::~ThreadWaker() {
  sigaction(kSignal, &previous_, nullptr);
}

void ThreadWaker::wake(pthread_t thread) {
  pthread_kill(thread, kSignal);
}

}  // namespace sigmount::fs
