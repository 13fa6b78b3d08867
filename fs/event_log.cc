#include "fs/event_log.h"

#include <syslog.h>
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "fs/verified_file_core.h"

namespace sigmount::fs {

EventLogger::~EventLogger() {
  if (syslog_) closelog();
}

void EventLogger::use_syslog() {
  std::lock_guard lock(mutex_);
  if (!syslog_) openlog("sigmount", LOG_PID, LOG_DAEMON);
  syslog_ = true;
}

void EventLogger::line(const std::string& json) {
  std::lock_guard lock(mutex_);
  if (syslog_) {
    syslog(LOG_NOTICE, "%s", json.c_str());
    return;
  }
  const std::string text = json + "\n";
  // One write per line: lines from the daemon and from tests stay intact.
  [[maybe_unused]] const ssize_t ignored = ::write(STDERR_FILENO, text.data(), text.size());
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
