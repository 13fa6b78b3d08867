#define FUSE_USE_VERSION 312
#include "fs/fuse_session.h"

#include <fcntl.h>
#include <fuse3/fuse_lowlevel.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "fs/service_notify.h"
#include "fs/stop_signals.h"
#include "hashing/unique_fd.h"

namespace sigmount::fs {
namespace {

struct SessionDeleter {
  void operator()(fuse_session* se) const { fuse_session_destroy(se); }
};
using Session = std::unique_ptr<fuse_session, SessionDeleter>;

struct LoopConfigDeleter {
  void operator()(fuse_loop_config* cfg) const { fuse_loop_cfg_destroy(cfg); }
};
using LoopConfig = std::unique_ptr<fuse_loop_config, LoopConfigDeleter>;

struct ArgsDeleter {
  void operator()(fuse_args* args) const { fuse_opt_free_args(args); }
};

// Options mount(8), fstab and systemd add that are about when/how to mount, not for FUSE.
bool is_mount_helper_option(std::string_view option) {
  static constexpr std::string_view kIgnored[] = {"defaults", "nofail", "noauto", "auto", "_netdev",
                                                  "user",     "users",  "nouser", "ro"};
  for (std::string_view ignored : kIgnored) {
    if (option == ignored) return true;
  }
  return option.starts_with("x-") || option.starts_with("comment=");
}

// fsname goes into /proc/mounts; keep it from breaking the option list or the table.
std::string safe_fsname(const std::string& fsname) {
  std::string out;
  for (char c : fsname) {
    out += (c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\\') ? '_' : c;
  }
  return out;
}

std::string json_field(const char* key, const std::string& value) {
  return nlohmann::json{{key, value}}.dump(-1, ' ', false,
                                           nlohmann::json::error_handler_t::replace);
}

// --fail-closed: after the first mismatch the core fails every read, but the kernel answers
// reads of pages it has cached without asking the daemon. Dropping them for every file (which
// also unmaps them from mmaps) makes every read of the mount fail. On a thread of its own:
// dropping waits for pages locked by reads in flight, which the loop's threads must answer.
void drop_kernel_cache_once_failed_closed(fuse_session* session, FuseFilesystem& fs,
                                          EventLogger& log, const std::stop_token& stop) {
  if (!fs.core().wait_until_failed_closed(stop)) return;
  std::size_t files = 0;
  for (std::uint64_t inode = 1; inode <= fs.tree().size(); ++inode) {
    const ModelTree::Node* node = fs.tree().node(inode);
    if (node == nullptr || node->is_directory) continue;
    // Fails with ENOENT for a file the kernel never looked up: it caches nothing of it.
    if (fuse_lowlevel_notify_inval_inode(session, inode, 0, 0) == 0) ++files;
  }
  log.event("failed_closed", "{\"kernel_cache_dropped_files\":" + std::to_string(files) + "}");
}

// Counts the helper threads still running, for the stop watcher to wait on.
class HelperCount {
 public:
  explicit HelperCount(int running) : running_(running) {}
  void done() {
    {
      const std::lock_guard lock(mutex_);
      --running_;
    }
    all_done_.notify_all();
  }
  // False if `stop` came first.
  bool wait_all_done(const std::stop_token& stop) {
    std::unique_lock lock(mutex_);
    return all_done_.wait(lock, stop, [&] { return running_ == 0; });
  }

 private:
  std::mutex mutex_;  // guards running_
  std::condition_variable_any all_done_;
  int running_;
};

// Unmounts on every way out, exceptions included: a dead mount would answer ENOTCONN until
// someone ran fusermount3 -u. A no-op once the session was unmounted.
struct UnmountOnExit {
  fuse_session* session;
  ~UnmountOnExit() { fuse_session_unmount(session); }
};

struct SignalHandlersInstalled {
  fuse_session* session;
  ~SignalHandlersInstalled() { fuse_remove_signal_handlers(session); }
};

// Points each of `fds` at /dev/null (a detached daemon's standard descriptors).
void redirect_to_dev_null(std::initializer_list<int> fds) {
  const UniqueFd null_fd(::open("/dev/null", O_RDWR | O_CLOEXEC));
  if (null_fd.get() < 0) return;
  for (const int fd : fds) ::dup2(null_fd.get(), fd);
}

// Waits `interval` or until `stop` is requested.
void sleep_unless_stopped(const std::stop_token& stop, std::chrono::milliseconds interval) {
  std::mutex mutex;
  std::condition_variable_any wake;
  std::unique_lock lock(mutex);
  wake.wait_for(lock, stop, interval, [] { return false; });
}

}  // namespace

std::string fuse_option_string(const MountOptions& options, const std::string& fsname) {
  std::string out =
      "ro,nosuid,nodev,default_permissions,subtype=sigmount,fsname=" + safe_fsname(fsname);
  for (const std::string& entry : options.fuse_options) {
    for (const std::string& option : split_option_list(entry)) {
      if (is_mount_helper_option(option)) continue;
      // mount.fuse3 passes mount(8)'s "dev,suid" along unless the line says otherwise. Nothing
      // in a model is a device or set-user-ID, and the mount says so whatever the line asks.
      if (option == "dev" || option == "suid" || option == "nodev" || option == "nosuid") {
        continue;
      }
      if (option == "rw") throw std::invalid_argument("-o rw: sigmount mounts are read-only");
      // The mount.fuse3 form takes these out before; here they would be silently lost.
      if (option.starts_with("sigmount.")) {
        throw std::invalid_argument("-o " + option +
                                    ": sigmount.* options are for `mount -t fuse.sigmount` and "
                                    "fstab; on the command line give the matching --option");
      }
      if (option.starts_with("fsname=") || option.starts_with("subtype=")) continue;
      if (option == "nonempty") continue;  // checked at mount (mountpoint_check.h)
      out += "," + option;
    }
  }
  if (options.debug) out += ",debug";
  return out;
}

std::string set_read_ahead_kb(const std::filesystem::path& path, unsigned kib) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::string("stat: ") + std::strerror(errno);
  const std::string bdi = "/sys/class/bdi/" + std::to_string(major(st.st_dev)) + ":" +
                          std::to_string(minor(st.st_dev)) + "/read_ahead_kb";
  const int fd = ::open(bdi.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return bdi + ": " + std::strerror(errno);
  const std::string value = std::to_string(kib);
  const ssize_t written = ::write(fd, value.data(), value.size());
  const int error = errno;
  ::close(fd);
  if (written != static_cast<ssize_t>(value.size())) return bdi + ": " + std::strerror(error);
  return "";
}

int serve_fuse(FuseFilesystem& fs, const std::filesystem::path& mountpoint,
               const std::string& fsname, const MountOptions& options, EventLogger& log,
               ServiceManager& service_manager, const std::function<void()>& on_daemon_start) {
  // Before the mount: from then on a stop signal must unmount, not kill the process.
  const StopSignals stop_signals;
  const ThreadWaker waker;
  std::atomic<bool> never_ready{false};  // the mount never answered (set by the ready thread)

  const std::string fuse_options = fuse_option_string(options, fsname);
  std::vector<std::string> argv_strings = {"sigmount", "-o", fuse_options};
  std::vector<char*> argv;
  argv.reserve(argv_strings.size());
  for (auto& s : argv_strings) argv.push_back(s.data());
  fuse_args args = FUSE_ARGS_INIT(static_cast<int>(argv.size()), argv.data());
  std::unique_ptr<fuse_args, ArgsDeleter> args_guard(&args);

  Session session(
      fuse_session_new(&args, &FuseFilesystem::operations(), sizeof(fuse_lowlevel_ops), &fs));
  if (!session)
    throw std::runtime_error("cannot start a FUSE session (options: " + fuse_options + ")");
  // The stop signals are blocked, so these handlers never run for them; libfuse's SIGPIPE
  // handler keeps a write to a closed pipe from killing the daemon.
  if (fuse_set_signal_handlers(session.get()) != 0) {
    throw std::runtime_error("cannot install signal handlers");
  }
  const SignalHandlersInstalled handlers{session.get()};

  // Helper threads that wait on requests only the loop answers; the loop must not end before
  // they are done, or they wait forever and so does the daemon, joining them.
  // - ready: once the loop runs, waits for the kernel's INIT to be answered (a stat of the
  //   mountpoint blocks until then), raises the readahead window so the kernel asks for 1 MiB
  //   at a time (FUSE only lets the daemon lower it; the bdi default is 128 KiB), then reports
  //   ready.
  // - cache_dropper (--fail-closed): drops the kernel's cache once the mount failed closed,
  //   which waits for pages locked by reads in flight.
  // - stop_watcher: takes the stop signals and ends the loop once the other two are done.
  // Declared before the mount so that on the way out they are joined after the unmount, which
  // aborts the connection and with it any wait of theirs.
  HelperCount helpers(options.fail_closed ? 2 : 1);
  std::jthread log_flusher;
  std::jthread cache_dropper;
  std::jthread ready_thread;
  std::jthread stop_watcher;

  // What MOUNTPOINT is before the mount: once mounted, its name must lead somewhere else. (A
  // /dev/fd/N mountpoint is the device itself, mounted already by mount.fuse3.)
  struct stat underlying {};
  const bool check_underlying =
      ::stat(mountpoint.c_str(), &underlying) == 0 && !mountpoint.string().starts_with("/dev/fd/");
  std::atomic<bool> loop_returned{false};
  if (fuse_session_mount(session.get(), mountpoint.c_str()) != 0) {
    throw std::runtime_error("cannot mount at " + mountpoint.string() +
                             " (is /dev/fuse there, and the mountpoint an existing directory?)");
  }
  const UnmountOnExit unmount_on_exit{session.get()};

  // Daemonize: the parent waits until the child reports the mount answering, so that
  // `sigmount mount` returns with a usable mount (and fails if the daemon could not start).
  int ready_pipe[2] = {-1, -1};
  if (!options.foreground && options.log_file.empty() && !syslog_socket_present()) {
    // Said while the caller still reads this stderr: afterwards nobody would hear of mismatches.
    std::fprintf(stderr,
                 "sigmount: warning: no syslog here (no socket at /dev/log): once detached, the "
                 "daemon's log lines, mismatches included, are lost; give --log-file PATH "
                 "(/dev/stderr keeps them on this stderr) or -f. `sigmount status %s` still "
                 "shows the counters and the last refused read.\n",
                 mountpoint.c_str());
  }
  if (!options.foreground) {
    if (::pipe2(ready_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid > 0) {
      // The daemon's unmount aborts the connection only if it closes the last descriptor of
      // /dev/fuse; with this copy open, a daemon whose loop failed before INIT would wait for
      // INIT forever, and this process for it.
      ::close(fuse_session_fd(session.get()));
      ::close(ready_pipe[1]);
      const DaemonStart start = wait_for_ready_passing_on_stop_signals(
          ready_pipe[0], pid, stop_signals, std::chrono::seconds(30));
      // Exit 0 means mounted. Stopped on the way, the status is that of a process the signal
      // ended (the daemon unmounts, and has when start.daemon_gone).
      int status = 0;
      if (start.passed_signal != 0) {
        status = 128 + start.passed_signal;
      } else if (!start.ready) {
        // The daemon said why on the stderr it still shared with this process.
        std::fprintf(stderr, "Mount failed: the daemon ended before the mount answered%s\n",
                     start.daemon_gone ? "" : " (and had not exited 30 s later)");
        status = 1;
      }
      // Leave without running destructors: the session and files now belong to the child.
      ::_exit(status);
    }
    ::close(ready_pipe[0]);
    ::setsid();
    if (::chdir("/") != 0) { /* "/" always exists; nothing to do otherwise */
    }
    // stderr stays the caller's until the mount answers (the ready thread lets go of it then):
    // whatever goes wrong before that, libfuse's own messages included, reaches the user.
    redirect_to_dev_null({STDIN_FILENO, STDOUT_FILENO});
    log.use_syslog();
    if (on_daemon_start) on_daemon_start();
  }

  {
    // Only the loop's thread may be woken (see stop_watcher).
    const BlockedSignals not_woken({ThreadWaker::kSignal});
    stop_watcher = std::jthread(
        [&, se = session.get(), loop_thread = pthread_self()](const std::stop_token& stop) {
          const int signal = stop_signals.wait(stop);
          if (signal == 0) return;  // the loop ended on its own
          log.event("stopping", json_field("signal", StopSignals::name(signal)));
          if (options.foreground) service_manager.tell("STOPPING=1");
          cache_dropper.request_stop();
          // The loop may still end on its own meanwhile (an error, an unmount): then stop comes.
          if (!helpers.wait_all_done(stop)) return;
          fuse_session_exit(se);
          // The loop's thread sees the exit flag when its wait is interrupted. A wake-up sent just
          // before it began to wait is lost, so repeat it until the loop has returned.
          while (!stop.stop_requested()) {
            ThreadWaker::wake(loop_thread);
            sleep_unless_stopped(stop, std::chrono::milliseconds(20));
          }
        });
    if (options.fail_closed) {
      cache_dropper = std::jthread([&, se = session.get()](const std::stop_token& stop) {
        drop_kernel_cache_once_failed_closed(se, fs, log, stop);
        helpers.done();
      });
    }
    // Failures held back by the core's repeat interval reach the log within one interval.
    const auto interval = fs.core().repeat_log_interval();
    if (interval > std::chrono::steady_clock::duration::zero()) {
      log_flusher = std::jthread([&fs, interval](const std::stop_token& stop) {
        const auto period = std::chrono::ceil<std::chrono::milliseconds>(interval);
        // The last flush, at unmount, is the loop's owner's (below).
        for (sleep_unless_stopped(stop, period); !stop.stop_requested();
             sleep_unless_stopped(stop, period)) {
          fs.core().flush_held_log_lines();
        }
      });
    }
    ready_thread = std::jthread([&, write_fd = ready_pipe[1], se = session.get(),
                                 loop_thread = pthread_self()] {
      // Returns once INIT is answered, or fails once the connection is gone (the loop ended
      // first), or at once when the mount cannot answer at all (a root mounted where no
      // directory can be: EIO). If the loop ended and the mount is gone already, the name
      // leads to the directory underneath again: that is no mount either.
      struct stat root {};
      const bool answered = ::stat(mountpoint.c_str(), &root) == 0;
      const int error = answered ? 0 : errno;
      const bool underneath = answered && check_underlying && root.st_dev == underlying.st_dev &&
                              root.st_ino == underlying.st_ino;
      if (!answered || underneath) {
        const char* reason = answered ? "the mount is gone" : std::strerror(error);
        never_ready = true;
        log.event("not_ready", json_field("reason", reason));
        std::fprintf(stderr, "Mount failed: %s does not answer: %s\n", mountpoint.c_str(), reason);
        // End the loop if it still runs (as the stop watcher does for a signal; a signal to
        // ourselves could be one the process ignores). A wake-up sent just before the loop
        // waits is lost, so repeat it until the loop has returned.
        fuse_session_exit(se);
        while (!loop_returned) {
          ThreadWaker::wake(loop_thread);
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
      } else {
        const std::string problem = set_read_ahead_kb(mountpoint, 1024);
        if (problem.empty()) {
          log.event("read_ahead", "{\"read_ahead_kb\":1024}");
        } else {
          log.event("read_ahead_not_raised", json_field("reason", problem));
        }
        log.event("mounted", json_field("mountpoint", mountpoint.string()));
        // Only in the foreground, where this process is the one the service manager started:
        // a daemonized child is not, and a command that runs `sigmount mount` and then its
        // server must not report ready for it. The status line, which replaces whatever
        // --verify-all last showed in `systemctl status`, goes on its own: a message too long
        // for systemd is dropped whole, and READY=1 must not go with it.
        if (options.foreground && service_manager.tell("READY=1")) {
          service_manager.tell("STATUS=" + status_value("Serving verified bytes of " + fsname +
                                                        " at " + mountpoint.string()));
        }
        if (write_fd >= 0) {
          redirect_to_dev_null({STDERR_FILENO});
          const char ready = 1;
          [[maybe_unused]] ssize_t ignored = ::write(write_fd, &ready, 1);
        }
      }
      if (write_fd >= 0) ::close(write_fd);
      helpers.done();
    });
  }

  LoopConfig config(fuse_loop_cfg_create());
  fuse_loop_cfg_set_clone_fd(config.get(), 1);
  fuse_loop_cfg_set_max_threads(config.get(), options.max_threads > 0 ? options.max_threads : 10);
  const int loop_result = fuse_session_loop_mt(session.get(), config.get());
  loop_returned = true;
  stop_watcher.request_stop();
  stop_watcher.join();
  cache_dropper.request_stop();
  if (cache_dropper.joinable()) cache_dropper.join();
  // The loop may have ended on an error before INIT was answered: unmounting closes the last
  // device descriptor, which aborts the connection and so ends the ready thread's wait.
  fuse_session_unmount(session.get());
  ready_thread.join();
  log_flusher.request_stop();
  if (log_flusher.joinable()) log_flusher.join();
  fs.core().flush_held_log_lines();
  // The final counters: a daemon's status is gone with it.
  const nlohmann::ordered_json unmounted = {{"mountpoint", mountpoint.string()},
                                            {"counters", counters_object(fs.core().counters())}};
  log.event("unmounted", unmounted.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  return loop_result < 0 || never_ready ? 1 : 0;
}

std::string libfuse_version() {
  return fuse_pkgversion();
}

}  // namespace sigmount::fs
