// Where the daemon's JSON lines go: stderr in the foreground, syslog once daemonized, or a
// file the user names (--log-file) throughout.
#pragma once

#include <filesystem>
#include <mutex>
#include <string>

#include "hashing/unique_fd.h"

namespace sigmount::fs {

class EventLogger {
 public:
  EventLogger() = default;
  ~EventLogger();
  EventLogger(const EventLogger&) = delete;
  EventLogger& operator=(const EventLogger&) = delete;

  // From now on, lines go to syslog (LOG_DAEMON) instead of stderr, unless they go to a file.
  void use_syslog();
  // From now on, lines are appended to `path` (created 0640 if missing), and stay there after
  // the daemon detaches. "/dev/stderr" keeps them on the caller's stderr, such as a container's
  // log. Throws std::system_error if it cannot be opened for writing.
  void use_file(const std::filesystem::path& path);
  // One JSON object, without the newline. Thread-safe.
  void line(const std::string& json);
  // {"time":...,"event":<event>, <fields...>} built from a JSON object text of extra fields.
  void event(const std::string& event, const std::string& extra_fields_json = "{}");

 private:
  std::mutex mutex_;  // keeps lines whole when several threads log at once
  bool syslog_ = false;
  UniqueFd file_;
};

// Whether syslog(3) lines reach anyone: a socket at /dev/log. Containers often have none, and
// syslog(3) then drops every line without a word.
bool syslog_socket_present();

}  // namespace sigmount::fs
