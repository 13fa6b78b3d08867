// Readiness and stopping, told to a service manager: systemd's notify protocol (Type=notify),
// one datagram to the AF_UNIX socket named by $NOTIFY_SOCKET, a path or "@name" for the
// abstract namespace. Two messages do not justify linking libsystemd.
#pragma once

#include <string>
#include <string_view>

namespace sigmount::fs {

// Sends `state` ("READY=1", "STOPPING=1"). Without $NOTIFY_SOCKET it does nothing. Returns ""
// once sent (or when there is no one to tell), otherwise why not: the daemon logs that and
// goes on serving.
std::string notify_service_manager(std::string_view state);

// `text` fit to be one assignment's value (a path may hold a newline, which would start an
// assignment of its own): control characters become '?'.
std::string one_line_value(std::string_view text);

}  // namespace sigmount::fs
