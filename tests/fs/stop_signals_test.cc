// Stop signals are taken by one waiting thread and never kill the process; ignored ones stay
// ignored; the waker interrupts a blocking call. Each case runs in a forked child: a
// process-directed signal goes to any thread that does not block it, and the test runner's threads
// do not.
#include "fs/stop_signals.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <ctime>
#include <functional>
#include <thread>

namespace sigmount::fs {
namespace {

// Runs `body` in a child process; returns its exit code, or 128 + the signal that killed it.
// The child starts from the default disposition of the stop signals, unblocked: the runner may
// have inherited them ignored (under nohup SIGHUP is, and StopSignals rightly leaves an ignored
// signal alone), and a case that wants one ignored says so itself.
int in_child(const std::function<int()>& body) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    for (const int signal : {SIGINT, SIGTERM, SIGHUP}) {
      std::signal(signal, SIG_DFL);
      sigaddset(&stop_signals, signal);
    }
    pthread_sigmask(SIG_UNBLOCK, &stop_signals, nullptr);
    ::_exit(body());
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST(StopSignals, ASignalToTheProcessIsTakenByTheWaitingThread) {
  for (const int sent : {SIGTERM, SIGINT, SIGHUP}) {
    EXPECT_EQ(
        in_child([sent] {
          const StopSignals signals;
          int taken = -1;
          std::jthread waiter([&](const std::stop_token& stop) { taken = signals.wait(stop); });
          ::kill(::getpid(), sent);
          waiter.join();
          return taken == sent ? 0 : 1;
        }),
        0)
        << StopSignals::name(sent);
  }
}

TEST(StopSignals, WaitReturnsZeroOnceStopIsRequested) {
  EXPECT_EQ(in_child([] {
              const StopSignals signals;
              int taken = -1;
              std::jthread waiter([&](const std::stop_token& stop) { taken = signals.wait(stop); });
              waiter.request_stop();
              waiter.join();
              return taken;
            }),
            0);
}

TEST(StopSignals, ASignalThatComesAfterTheLastWaitNeverKillsTheProcess) {
  EXPECT_EQ(in_child([] {
              { const StopSignals signals; }
              ::kill(::getpid(), SIGTERM);
              return 0;
            }),
            0);
  // Control: without StopSignals the same signal kills the child.
  EXPECT_EQ(in_child([] {
              ::kill(::getpid(), SIGTERM);
              return 0;
            }),
            128 + SIGTERM);
}

// `nohup sigmount mount -f ...` ignores SIGHUP, a shell's background job SIGINT: they must not
// stop the mount.
TEST(StopSignals, ASignalTheProcessIgnoresStaysIgnored) {
  EXPECT_EQ(in_child([] {
              std::signal(SIGHUP, SIG_IGN);
              const StopSignals signals;
              int taken = -1;
              std::jthread waiter([&](const std::stop_token& stop) { taken = signals.wait(stop); });
              ::kill(::getpid(), SIGHUP);
              ::kill(::getpid(), SIGTERM);
              waiter.join();
              return taken == SIGTERM ? 0 : 1;
            }),
            0);
}

// `sigmount mount` forks the daemon after mounting and waits for its ready byte. A stop signal
// that reached it before the fork, or while it waits, must reach the daemon, or the mount
// outlives the stop request. The stand-in daemon sends its byte only once it gets SIGTERM.
TEST(StopSignals, TheMountCommandPassesOnASignalThatCameBeforeTheFork) {
  EXPECT_EQ(in_child([] {
              const StopSignals signals;
              ::kill(::getpid(), SIGTERM);  // pending: blocked, and nobody waits yet
              int ready[2];
              if (::pipe(ready) != 0) return 2;
              const pid_t daemon = ::fork();
              if (daemon == 0) {
                // Bounded so that a missing signal fails the test instead of hanging it.
                constexpr std::timespec kPatience{.tv_sec = 30, .tv_nsec = 0};
                const int taken = sigtimedwait(&signals.signals(), nullptr, &kPatience);
                if (taken == SIGTERM) {
                  const char byte = 1;
                  [[maybe_unused]] const ssize_t written = ::write(ready[1], &byte, 1);
                }
                ::_exit(0);
              }
              ::close(ready[1]);
              const DaemonStart start = wait_for_ready_passing_on_stop_signals(
                  ready[0], daemon, signals, std::chrono::seconds(30));
              // Ready, but told to stop: the command waited for the daemon to go (and with it
              // the mount) and must not report a mount that is not there.
              return start.ready && start.passed_signal == SIGTERM && start.daemon_gone ? 0 : 1;
            }),
            0);
}

// A daemon that closes the pipe without its byte failed to mount: the command waits for it to
// exit (and unmount) before it reports the failure.
TEST(StopSignals, TheMountCommandWaitsForADaemonThatFailedToGo) {
  EXPECT_EQ(in_child([] {
              const StopSignals signals;
              int ready[2];
              if (::pipe(ready) != 0) return 2;
              const pid_t daemon = ::fork();
              if (daemon == 0) {
                ::close(ready[1]);  // no byte: the mount failed
                std::this_thread::sleep_for(std::chrono::milliseconds(200));  // unmounting
                ::_exit(0);
              }
              ::close(ready[1]);
              const DaemonStart start = wait_for_ready_passing_on_stop_signals(
                  ready[0], daemon, signals, std::chrono::seconds(30));
              return !start.ready && start.passed_signal == 0 && start.daemon_gone ? 0 : 1;
            }),
            0);
}

TEST(ThreadWaker, InterruptsABlockingCallInTheTargetThread) {
  const ThreadWaker waker;
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  std::atomic<pthread_t> reader_thread{};
  std::atomic<bool> started{false};
  std::atomic<bool> finished{false};
  int read_errno = 0;
  std::thread reader([&] {
    reader_thread = pthread_self();
    started = true;
    char byte = 0;
    if (::read(pipe_fds[0], &byte, 1) < 0) read_errno = errno;
    finished = true;
  });
  while (!started) std::this_thread::yield();
  // The wake-up may come before the read begins; repeat it, as the daemon does. The reader is
  // joined only after the last one, so it is never sent to a thread that is gone.
  std::thread repeat([&] {
    while (!finished) {
      ThreadWaker::wake(reader_thread);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  });
  repeat.join();
  reader.join();
  EXPECT_EQ(read_errno, EINTR);
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
}

}  // namespace
}  // namespace sigmount::fs
