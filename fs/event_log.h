// Where the daemon's JSON lines go: stderr in the foreground, syslog once daemonized.
#pragma once

#include <mutex>
#include <string>

namespace sigmount::fs {

class EventLogger {
 public:
  EventLogger() = default;
  ~EventLogger();
  EventLogger(const EventLogger&) = delete;
  EventLogger& operator=(const EventLogger&) = delete;

  // From now on, lines go to syslog (LOG_DAEMON) instead of stderr.
  void use_syslog();
  // One JSON object, without the newline. Thread-safe.
  void line(const std::string& json);
  // {"time":...,"event":<event>, <fields...>} built from a JSON object text of extra fields.
  void event(const std::string& event, const std::string& extra_fields_json = "{}");

 private:
  std::mutex mutex_;  // keeps lines whole when several threads log at once
  bool syslog_ = false;
};

}  // namespace sigmount::fs
