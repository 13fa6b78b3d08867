#include "fs/service_notify.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>

#include "fs/source_store.h"

namespace sigmount::fs {

std::string notify_service_manager(std::string_view state) {
  const char* variable = std::getenv("NOTIFY_SOCKET");
  if (variable == nullptr || *variable == '\0') return {};
  const std::string_view name(variable);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (name.size() >= sizeof(address.sun_path)) return "NOTIFY_SOCKET is too long";
  if (name.front() != '/' && name.front() != '@') {
    return "NOTIFY_SOCKET is neither a path nor an abstract socket name: " + std::string(name);
  }
  std::memcpy(&address.sun_path[0], name.data(), name.size());
  if (name.front() == '@') address.sun_path[0] = '\0';
  const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
  const UniqueFd socket(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (socket.get() < 0) return std::string("cannot create a socket: ") + std::strerror(errno);
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the sockets API's own cast
  const auto* target = reinterpret_cast<const sockaddr*>(&address);
  if (::sendto(socket.get(), state.data(), state.size(), MSG_NOSIGNAL, target, length) < 0) {
    return "cannot notify " + std::string(name) + ": " + std::strerror(errno);
  }
  return {};
}

std::string one_line_value(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return out;
}

}  // namespace sigmount::fs
