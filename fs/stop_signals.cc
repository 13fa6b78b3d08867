#include "fs/stop_signals.h"

#include <poll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>

#include <array>
#include <cerrno>
#include <ctime>
#include <thread>

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

DaemonStart wait_for_ready_passing_on_stop_signals(int ready_fd, pid_t daemon,
                                                   const StopSignals& stop_signals,
                                                   std::chrono::milliseconds patience) {
  DaemonStart out;
  const int signals_fd = ::signalfd(-1, &stop_signals.signals(), SFD_CLOEXEC | SFD_NONBLOCK);
  const auto pass_on_pending = [&] {
    signalfd_siginfo info{};
    while (signals_fd >= 0 && ::read(signals_fd, &info, sizeof info) == sizeof info) {
      ::kill(daemon, static_cast<int>(info.ssi_signo));
      if (out.passed_signal == 0) out.passed_signal = static_cast<int>(info.ssi_signo);
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
  // One that came while the byte was read.
  pass_on_pending();
  if (signals_fd >= 0) ::close(signals_fd);
  out.ready = got == 1;
  if (!out.ready || out.passed_signal != 0) {
    // The daemon is this process's child: reap it once it has unmounted and exited.
    const auto deadline = std::chrono::steady_clock::now() + patience;
    while (std::chrono::steady_clock::now() < deadline) {
      const pid_t reaped = ::waitpid(daemon, nullptr, WNOHANG);
      if (reaped == daemon || (reaped < 0 && errno == ECHILD)) {
        out.daemon_gone = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  return out;
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
