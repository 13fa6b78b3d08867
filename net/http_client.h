// A small, strict HTTP(S) client over libcurl for sigmount's outside services (Sigstore, TUF
// repositories, object stores). TLS verification is always on; plain http is allowed only to
// loopback hosts (tests and local proxies), checked on every redirect hop as well.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sigmount::net {

struct HttpHeader {
  std::string name;
  std::string value;
};

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<HttpHeader> headers;
  std::string body;
  // A request that may be sent again after a failure. GET and HEAD always are; a POST only
  // when the caller says so (for example a Fulcio request, which has no side effect).
  bool idempotent = false;
};

struct HttpResponse {
  long status = 0;
  // Names in lower case, in the order the server sent them (the last response of a redirect chain).
  std::vector<HttpHeader> headers;
  std::string body;
  // The URL that answered, after any redirects followed.
  std::string effective_url;

  // The value of the first header named `name` (case-insensitive), if any.
  [[nodiscard]] std::optional<std::string> header(std::string_view name) const;
};

struct HttpOptions {
  // For messages: "Fulcio", "Rekor", "TUF repository", "S3", ...
  std::string service = "HTTP";
  std::chrono::milliseconds connect_timeout{10'000};
  // The whole exchange, per attempt.
  std::chrono::milliseconds request_timeout{60'000};
  // A transfer slower than 1 byte/s for this long is abandoned (a stalled server).
  std::chrono::milliseconds stall_timeout{15'000};
  // Hostile servers: a longer body fails the request.
  std::size_t max_body_bytes = std::size_t{16} << 20;
  std::size_t max_header_bytes = std::size_t{64} << 10;
  // Attempts in all for retryable failures (connection errors, resets, timeouts, 429, 5xx).
  int max_attempts = 4;
  // Backoff before attempt n (n >= 2): initial_backoff * 2^(n-2), capped, with jitter.
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{5'000};
  int max_redirects = 5;  // 0: a 3xx is returned to the caller as it is
  // Trust anchors for private deployments (a PEM file), used instead of the system store.
  std::string ca_bundle;
  // The User-Agent sent.
  std::string user_agent = "sigmount/0.1";
};

// One line: which service, which URL (without its query string, which may carry credentials),
// and why. `status` is the last HTTP status seen (0: none, a transport failure).
class HttpError : public std::runtime_error {
 public:
  HttpError(std::string service, std::string url, long status, const std::string& reason);
  [[nodiscard]] const std::string& service() const { return service_; }
  [[nodiscard]] const std::string& url() const { return url_; }
  [[nodiscard]] long status() const { return status_; }

 private:
  std::string service_;
  std::string url_;
  long status_;
};

// The URL without query string and fragment (and without any user:password), for messages.
[[nodiscard]] std::string redacted_url(std::string_view url);

// Whether `url` is https, or http to a loopback host (localhost, 127.0.0.0/8, [::1]).
[[nodiscard]] bool is_allowed_url(std::string_view url);

// Resolves a (possibly relative) Location against the URL it came from.
[[nodiscard]] std::string resolve_url(std::string_view base, std::string_view reference);

// Not thread-safe: one client per thread. Reuses its connection (keep-alive) across requests.
class HttpClient {
 public:
  explicit HttpClient(HttpOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;
  HttpClient(HttpClient&&) noexcept;
  HttpClient& operator=(HttpClient&&) noexcept;

  // Sends the request, following redirects (each hop checked with is_allowed_url; headers named
  // Authorization are dropped when a redirect changes host) and retrying retryable failures of
  // idempotent requests. Returns any final HTTP status, 4xx included (the caller decides), except
  // that an idempotent request still getting 429 or 5xx after the last attempt throws (a
  // non-idempotent one gets its first answer back). Throws HttpError on a transport failure, a
  // disallowed URL, too many redirects or a body over max_body_bytes.
  HttpResponse send(const HttpRequest& request);

  // As send(), then throws HttpError unless the status is 2xx.
  HttpResponse send_expecting_success(const HttpRequest& request);

  [[nodiscard]] const HttpOptions& options() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace sigmount::net
