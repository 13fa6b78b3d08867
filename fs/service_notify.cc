#include "fs/service_notify.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>

#include "hashing/unique_fd.h"
#include "verifier/format/utf8.h"

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

std::string status_value(std::string_view text, std::size_t max_bytes) {
  std::string out;
  std::size_t fits = 0;  // bytes of `out` that leave room for "..." within max_bytes
  constexpr std::string_view kCut = "...";
  while (!text.empty()) {
    const std::size_t length = verifier::format::utf8_sequence_length(text);
    const auto lead = static_cast<unsigned char>(text[0]);
    const bool control = length == 1 && (lead < 0x20 || lead == 0x7f);
    out += length == 0 || control ? std::string_view("?") : text.substr(0, length);
    text.remove_prefix(std::max<std::size_t>(length, 1));
    if (out.size() + kCut.size() <= max_bytes) fits = out.size();
  }
  if (out.size() > max_bytes) {
    out.resize(fits);
    out += kCut;
  }
  return out;
}

bool ServiceManager::tell(std::string_view state) {
  const std::string problem = notify_service_manager(state);
  if (problem.empty()) return true;
  if (!failure_logged_.exchange(true)) {
    log_.event("notify_failed", nlohmann::ordered_json{{"reason", problem}}.dump(
                                    -1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
  return false;
}

}  // namespace sigmount::fs
