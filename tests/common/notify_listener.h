// A datagram socket standing in for systemd's notify socket ($NOTIFY_SOCKET): a path, or
// "@name" in the abstract namespace.
#pragma once

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>
#include <string>

namespace sigmount::testing {

class NotifyListener {
 public:
  explicit NotifyListener(std::string name)
      : name_(std::move(name)), socket_(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (socket_ < 0 || name_.empty() || name_.size() >= sizeof(address.sun_path)) return;
    std::memcpy(&address.sun_path[0], name_.data(), name_.size());
    if (name_.front() == '@') address.sun_path[0] = '\0';
    const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name_.size());
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the sockets API's own cast
    bound_ = ::bind(socket_, reinterpret_cast<const sockaddr*>(&address), length) == 0;
  }
  ~NotifyListener() {
    if (socket_ >= 0) ::close(socket_);
  }
  NotifyListener(const NotifyListener&) = delete;
  NotifyListener& operator=(const NotifyListener&) = delete;

  bool bound() const { return bound_; }
  const std::string& name() const { return name_; }
  // The next datagram, or "" if none arrives within `timeout_ms` (0: only one already there;
  // a send to a local socket arrives before the sender goes on).
  std::string next(int timeout_ms = 0) const {
    pollfd ready{.fd = socket_, .events = POLLIN, .revents = 0};
    if (::poll(&ready, 1, timeout_ms) != 1) return {};
    std::string message(4096, '\0');
    const ssize_t got = ::recv(socket_, message.data(), message.size(), 0);
    message.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
    return message;
  }

 private:
  std::string name_;
  int socket_;
  bool bound_ = false;
};

}  // namespace sigmount::testing
