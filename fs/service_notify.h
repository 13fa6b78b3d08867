// Readiness and stopping, told to a service manager: systemd's notify protocol (Type=notify),
// one datagram to the AF_UNIX socket named by $NOTIFY_SOCKET, a path or "@name" for the
// abstract namespace. Two messages do not justify linking libsystemd.
#pragma once

#include <atomic>
#include <cstddef>
#include <string>
#include <string_view>

#include "fs/event_log.h"

namespace sigmount::fs {

// Sends `state` ("READY=1", "STOPPING=1"). Without $NOTIFY_SOCKET it does nothing. Returns ""
// once sent (or when there is no one to tell), otherwise why not: the daemon logs that and
// goes on serving.
std::string notify_service_manager(std::string_view state);

// What the daemon tells its service manager, with failures logged: never fatal, since the mount
// itself works, and logged once, since a socket that cannot be reached now will not be reached a
// moment later either. Thread-safe.
class ServiceManager {
 public:
  explicit ServiceManager(EventLogger& log) : log_(log) {}
  // notify_service_manager(state); true if sent (or there is no one to tell).
  bool tell(std::string_view state);

 private:
  EventLogger& log_;
  std::atomic<bool> failure_logged_{false};
};

// `text` fit to be the value of STATUS=: a path may hold a newline (which would start an
// assignment of its own) or bytes that are not UTF-8 (systemd ignores such a status), so
// control characters and invalid UTF-8 become '?'; and it is cut to at most `max_bytes`
// (ending in "...") because systemd drops a whole message of 4096 bytes or more.
std::string status_value(std::string_view text, std::size_t max_bytes = 1024);

}  // namespace sigmount::fs
