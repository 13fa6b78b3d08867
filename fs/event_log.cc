#include "fs/event_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <system_error>

#include "fs/verified_file_core.h"

namespace sigmount::fs {

bool syslog_socket_present() {
  struct stat st {};
  return ::stat(_PATH_LOG, &st) == 0 && S_ISSOCK(st.st_mode);
}

EventLogger::~EventLogger() {
  if (syslog_) closelog();
}

void EventLogger::use_syslog() {
  std::lock_guard lock(mutex_);
  if (file_.get() >= 0) return;
  if (!syslog_) openlog("sigmount", LOG_PID, LOG_DAEMON);
  syslog_ = true;
}

void EventLogger::use_file(const std::filesystem::path& path) {
  // A copy of stderr itself rather than a new open of it: that works for a socket too (a
  // journal stream), and keeps sharing the caller's file offset.
  const bool is_stderr = path == "/dev/stderr" || path == "/dev/fd/2" || path == "/proc/self/fd/2";
  UniqueFd file(
      is_stderr ? ::fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3)
                : ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640));
  if (file.get() < 0) {
    throw std::system_error(errno, std::generic_category(), "--log-file " + path.string());
  }
  std::lock_guard lock(mutex_);
  file_ = std::move(file);
}

void EventLogger::line(const std::string& json) {
  std::lock_guard lock(mutex_);
  if (syslog_) {
    syslog(LOG_NOTICE, "%s", json.c_str());
    return;
  }
  const std::string text = json + "\n";
  // One write per line (O_APPEND for a file): lines stay whole, also beside other writers.
  const int fd = file_.get() >= 0 ? file_.get() : STDERR_FILENO;
  [[maybe_unused]] const ssize_t ignored = ::write(fd, text.data(), text.size());
}

void EventLogger::event(const std::string& event, const std::string& extra_fields_json) {
  nlohmann::ordered_json out = {{"time", utc_timestamp()}, {"event", event}};
  const auto extra = nlohmann::ordered_json::parse(extra_fields_json, nullptr, false);
  if (extra.is_object()) {
    for (const auto& [key, value] : extra.items()) out[key] = value;
  }
  line(out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace sigmount::fs
