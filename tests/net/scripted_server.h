// A loopback HTTP/1.1 server for tests whose every answer is scripted by the test: a reply, a
// stall, or a connection reset. Records each request it saw.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace sigmount::testing {

struct SeenRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
};

struct ScriptedAnswer {
  enum class Kind { kReply, kReset, kStall } kind = Kind::kReply;
  std::string raw;  // the whole response, status line to body, for kReply
  std::chrono::milliseconds stall{0};

  static ScriptedAnswer reply(int status, const std::string& body,
                              const std::vector<std::string>& extra_headers = {}) {
    std::string raw = "HTTP/1.1 " + std::to_string(status) + " X\r\n";
    for (const auto& header : extra_headers) {
      raw += header + "\r\n";
    }
    raw += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    return {Kind::kReply, raw, {}};
  }
  static ScriptedAnswer reset() { return {Kind::kReset, {}, {}}; }
  static ScriptedAnswer stall_for(std::chrono::milliseconds how_long) {
    return {Kind::kStall, {}, how_long};
  }
};

class ScriptedServer {
 public:
  using Script = std::function<ScriptedAnswer(const SeenRequest&, int request_number)>;

  explicit ScriptedServer(Script script) : script_(std::move(script)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        ::listen(listener_, 16) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      throw std::runtime_error("scripted server: cannot listen");
    }
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~ScriptedServer() {
    stopping_ = true;
    ::shutdown(listener_, SHUT_RDWR);
    thread_.join();
    for (auto& worker : workers_) {
      worker.join();
    }
    ::close(listener_);
  }
  ScriptedServer(const ScriptedServer&) = delete;
  ScriptedServer& operator=(const ScriptedServer&) = delete;

  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] std::string url(const std::string& path,
                                const std::string& host = "127.0.0.1") const {
    return "http://" + host + ":" + std::to_string(port_) + path;
  }
  [[nodiscard]] std::vector<SeenRequest> requests() const {
    const std::lock_guard lock(mutex_);
    return seen_;
  }
  [[nodiscard]] int connections() const { return connections_; }

 private:
  void serve() {
    while (!stopping_) {
      const int connection = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (connection < 0) {
        return;
      }
      ++connections_;
      // A thread per connection: a client may hold a kept-alive connection while it opens another.
      workers_.emplace_back([this, connection] {
        handle(connection);
        ::close(connection);
      });
    }
  }

  // Serves requests on one connection until the client closes it or the script ends it.
  void handle(int connection) {
    std::string buffer;
    for (;;) {
      const auto header_end = read_until_headers(connection, buffer);
      if (header_end == std::string::npos) {
        return;
      }
      SeenRequest request = parse(buffer.substr(0, header_end));
      buffer.erase(0, header_end + 4);
      std::size_t body_length = 0;
      if (auto it = request.headers.find("content-length"); it != request.headers.end()) {
        body_length = std::stoul(it->second);
      }
      while (buffer.size() < body_length) {
        if (!read_more(connection, buffer)) {
          return;
        }
      }
      request.body = buffer.substr(0, body_length);
      buffer.erase(0, body_length);
      int number = 0;
      {
        const std::lock_guard lock(mutex_);
        seen_.push_back(request);
        number = static_cast<int>(seen_.size());
      }
      const ScriptedAnswer answer = script_(request, number);
      if (answer.kind == ScriptedAnswer::Kind::kReset) {
        linger hard{1, 0};  // close with RST, not FIN
        ::setsockopt(connection, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
        return;
      }
      if (answer.kind == ScriptedAnswer::Kind::kStall) {
        const auto until = std::chrono::steady_clock::now() + answer.stall;
        while (!stopping_ && std::chrono::steady_clock::now() < until) {
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return;
      }
      std::size_t sent = 0;
      while (sent < answer.raw.size()) {
        const auto n =
            ::send(connection, answer.raw.data() + sent, answer.raw.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) {
          return;
        }
        sent += static_cast<std::size_t>(n);
      }
    }
  }

  bool read_more(int connection, std::string& buffer) {
    pollfd ready{connection, POLLIN, 0};
    while (!stopping_) {
      if (::poll(&ready, 1, 50) > 0) {
        char chunk[4096];
        const auto n = ::recv(connection, chunk, sizeof chunk, 0);
        if (n <= 0) {
          return false;
        }
        buffer.append(chunk, static_cast<std::size_t>(n));
        return true;
      }
    }
    return false;
  }

  std::size_t read_until_headers(int connection, std::string& buffer) {
    for (;;) {
      if (const auto end = buffer.find("\r\n\r\n"); end != std::string::npos) {
        return end;
      }
      if (!read_more(connection, buffer)) {
        return std::string::npos;
      }
    }
  }

  static SeenRequest parse(const std::string& head) {
    SeenRequest request;
    std::size_t line_end = head.find("\r\n");
    const std::string first = head.substr(0, line_end);
    const auto space = first.find(' ');
    request.method = first.substr(0, space);
    request.target = first.substr(space + 1, first.rfind(' ') - space - 1);
    while (line_end != std::string::npos && line_end < head.size()) {
      const auto start = line_end + 2;
      line_end = head.find("\r\n", start);
      const std::string line = head.substr(start, line_end - start);
      const auto colon = line.find(':');
      if (colon == std::string::npos) {
        continue;
      }
      std::string name = line.substr(0, colon);
      for (auto& c : name) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
      auto value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      request.headers[name] = value;
    }
    return request;
  }

  Script script_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  mutable std::mutex mutex_;  // guards seen_ (the server thread appends, the test reads)
  std::vector<SeenRequest> seen_;
  std::thread thread_;
  std::vector<std::thread> workers_;  // only the accepting thread_ adds; joined after it ends
};

}  // namespace sigmount::testing
