#include "fs/stop_signals.h"

#include <cerrno>
#include <ctime>

namespace sigmount::fs {
namespace {

// The daemon checks for a stop request this often while it waits for a signal.
constexpr std::timespec kStopPollInterval{.tv_sec = 0, .tv_nsec = 100'000'000};

void do_nothing(int /*signal*/) {}

}  // namespace

BlockedSignals::BlockedSignals(std::initializer_list<int> signals) {
  sigemptyset(&blocked_);
  for (const int signal : signals) sigaddset(&blocked_, signal);
  pthread_sigmask(SIG_BLOCK, &blocked_, &previous_);
}

BlockedSignals::~BlockedSignals() {
  pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
}

StopSignals::StopSignals() : BlockedSignals({SIGINT, SIGTERM, SIGHUP}) {}

StopSignals::~StopSignals() {
  constexpr std::timespec kNow{};
  while (sigtimedwait(&blocked_, nullptr, &kNow) > 0) {
  }
}

int StopSignals::wait(const std::stop_token& stop) const {
  while (!stop.stop_requested()) {
    const int signal = sigtimedwait(&blocked_, nullptr, &kStopPollInterval);
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
