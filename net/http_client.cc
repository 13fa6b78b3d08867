#include "net/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <mutex>
#include <random>
#include <thread>

#include "net/curl_handles.h"

namespace sigmount::net {
namespace {

using namespace std::chrono_literals;

constexpr std::size_t kMaxUrlBytes = 8192;

std::string lower(std::string_view text) {
  std::string out(text);
  std::ranges::transform(out, out.begin(),
                         [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' ||
                           text.back() == '\n')) {
    text.remove_suffix(1);
  }
  return text;
}

// libcurl needs one initialization per process before the first handle; it is idempotent
// afterwards, and since 7.84 thread-safe, but older builds are not: call_once keeps it so.
void ensure_curl_initialized() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct ParsedUrl {
  std::string scheme;
  std::string host;
  std::string port;
};

std::optional<ParsedUrl> parse_url(std::string_view url) {
  if (url.size() > kMaxUrlBytes) {
    return std::nullopt;
  }
  CurlUrl handle(curl_url());
  if (!handle) {
    return std::nullopt;
  }
  const std::string text(url);
  if (curl_url_set(handle.get(), CURLUPART_URL, text.c_str(), 0) != CURLUE_OK) {
    return std::nullopt;
  }
  ParsedUrl parsed;
  auto part = [&](CURLUPart which, std::string& out, unsigned flags) {
    char* value = nullptr;
    if (curl_url_get(handle.get(), which, &value, flags) == CURLUE_OK && value != nullptr) {
      out = value;
    }
    curl_free(value);
  };
  part(CURLUPART_SCHEME, parsed.scheme, 0);
  part(CURLUPART_HOST, parsed.host, 0);
  part(CURLUPART_PORT, parsed.port, CURLU_DEFAULT_PORT);
  parsed.scheme = lower(parsed.scheme);
  parsed.host = lower(parsed.host);
  return parsed;
}

bool is_loopback_host(std::string_view host) {
  if (host == "localhost" || host == "[::1]") {
    return true;
  }
  // 127.0.0.0/8, written as a dotted quad.
  if (!host.starts_with("127.")) {
    return false;
  }
  int dots = 0;
  for (const char c : host) {
    if (c == '.') {
      ++dots;
    } else if (c < '0' || c > '9') {
      return false;
    }
  }
  return dots == 3;
}

bool is_retryable_status(long status) {
  return status == 429 || status >= 500;
}

bool is_retryable_transport(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
  }
}

bool is_redirect(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// The Retry-After of a 429/503 in seconds (the HTTP-date form is ignored: backoff applies).
std::optional<std::chrono::milliseconds> retry_after(const HttpResponse& response) {
  const auto value = response.header("retry-after");
  if (!value) {
    return std::nullopt;
  }
  unsigned seconds = 0;
  const auto* end = value->data() + value->size();
  const auto result = std::from_chars(value->data(), end, seconds);
  if (result.ec != std::errc{} || result.ptr != end) {
    return std::nullopt;
  }
  return std::chrono::milliseconds(std::min<unsigned>(seconds, 3600) * 1000LL);
}

}  // namespace

std::optional<std::string> HttpResponse::header(std::string_view name) const {
  const std::string wanted = lower(name);
  for (const auto& entry : headers) {
    if (entry.name == wanted) {
      return entry.value;
    }
  }
  return std::nullopt;
}

HttpError::HttpError(std::string service, std::string url, long status, const std::string& reason)
    : std::runtime_error(service + ": " + url + ": " + reason),
      service_(std::move(service)),
      url_(std::move(url)),
      status_(status) {}

std::string redacted_url(std::string_view url) {
  ensure_curl_initialized();
  const std::string fallback(url.substr(0, std::min(url.find_first_of("?#"), std::size_t{256})));
  if (url.size() > kMaxUrlBytes) {
    return fallback;
  }
  CurlUrl handle(curl_url());
  const std::string text(url);
  if (!handle || curl_url_set(handle.get(), CURLUPART_URL, text.c_str(), 0) != CURLUE_OK) {
    // Unparseable: keep only what precedes any query, and never a user:password@ part.
    const auto at = fallback.find('@');
    return at == std::string::npos ? fallback : "<unparseable URL>";
  }
  curl_url_set(handle.get(), CURLUPART_QUERY, nullptr, 0);
  curl_url_set(handle.get(), CURLUPART_FRAGMENT, nullptr, 0);
  curl_url_set(handle.get(), CURLUPART_USER, nullptr, 0);
  curl_url_set(handle.get(), CURLUPART_PASSWORD, nullptr, 0);
  char* value = nullptr;
  std::string out = fallback;
  if (curl_url_get(handle.get(), CURLUPART_URL, &value, 0) == CURLUE_OK && value != nullptr) {
    out = value;
  }
  curl_free(value);
  return out;
}

bool is_allowed_url(std::string_view url) {
  ensure_curl_initialized();
  const auto parsed = parse_url(url);
  if (!parsed || parsed->host.empty()) {
    return false;
  }
  if (parsed->scheme == "https") {
    return true;
  }
  return parsed->scheme == "http" && is_loopback_host(parsed->host);
}

std::string resolve_url(std::string_view base, std::string_view reference) {
  ensure_curl_initialized();
  CurlUrl handle(curl_url());
  const std::string base_text(base);
  const std::string reference_text(reference);
  if (!handle || base.size() > kMaxUrlBytes || reference.size() > kMaxUrlBytes ||
      curl_url_set(handle.get(), CURLUPART_URL, base_text.c_str(), 0) != CURLUE_OK ||
      curl_url_set(handle.get(), CURLUPART_URL, reference_text.c_str(), 0) != CURLUE_OK) {
    return {};
  }
  char* value = nullptr;
  std::string out;
  if (curl_url_get(handle.get(), CURLUPART_URL, &value, 0) == CURLUE_OK && value != nullptr) {
    out = value;
  }
  curl_free(value);
  return out;
}

struct HttpClient::State {
  explicit State(HttpOptions chosen) : options(std::move(chosen)), random(std::random_device{}()) {}

  HttpOptions options;
  CurlEasy easy;
  std::mt19937 random;

  // Filled by libcurl's callbacks during one transfer.
  HttpResponse response;
  std::size_t header_bytes = 0;
  bool body_too_large = false;
  bool headers_too_large = false;

  static std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
    auto& self = *static_cast<State*>(user);
    const std::size_t bytes = size * count;
    if (self.response.body.size() + bytes > self.options.max_body_bytes) {
      self.body_too_large = true;
      return 0;  // aborts the transfer with CURLE_WRITE_ERROR
    }
    self.response.body.append(data, bytes);
    return bytes;
  }

  static std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
    auto& self = *static_cast<State*>(user);
    const std::size_t bytes = size * count;
    self.header_bytes += bytes;
    if (self.header_bytes > self.options.max_header_bytes) {
      self.headers_too_large = true;
      return 0;
    }
    const std::string_view line(data, bytes);
    if (line.starts_with("HTTP/")) {
      // A new status line (after a 100 Continue, say): only the final response's headers count.
      self.response.headers.clear();
      return bytes;
    }
    const auto colon = line.find(':');
    if (colon != std::string_view::npos) {
      self.response.headers.push_back(
          {lower(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1)))});
    }
    return bytes;
  }

  std::chrono::milliseconds backoff(int attempt) {
    const auto doubled = options.initial_backoff * (1LL << std::min(attempt - 2, 16));
    const auto capped = std::min<std::chrono::milliseconds>(doubled, options.max_backoff);
    // Up to half the delay again, so that many clients do not retry in step.
    std::uniform_int_distribution<long long> jitter(0, capped.count() / 2);
    return capped + std::chrono::milliseconds(jitter(random));
  }

  // One exchange with no redirects followed. Throws HttpError on a transport failure, with
  // `retryable` telling the caller whether another attempt may help.
  struct TransportFailure {
    CURLcode code;
    std::string reason;
  };
  std::optional<TransportFailure> perform(const HttpRequest& request, const std::string& url);
};

std::optional<HttpClient::State::TransportFailure> HttpClient::State::perform(
    const HttpRequest& request, const std::string& url) {
  if (!easy) {
    easy.reset(curl_easy_init());
    if (!easy) {
      return TransportFailure{CURLE_FAILED_INIT, "cannot create a libcurl handle"};
    }
  } else {
    // Keeps the connection cache (keep-alive), drops every option of the last request.
    curl_easy_reset(easy.get());
  }
  response = HttpResponse{};
  header_bytes = 0;
  body_too_large = false;
  headers_too_large = false;

  CURL* handle = easy.get();
  std::array<char, CURL_ERROR_SIZE> error_text{};
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error_text.data());
  curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L);  // redirects are checked here, per hop
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(handle, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options.ca_bundle.empty()) {
    curl_easy_setopt(handle, CURLOPT_CAINFO, options.ca_bundle.c_str());
  }
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options.connect_timeout.count()));
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(options.request_timeout.count()));
  curl_easy_setopt(handle, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(handle, CURLOPT_LOW_SPEED_TIME,
                   std::max(1L, static_cast<long>(options.stall_timeout.count() / 1000)));
  curl_easy_setopt(handle, CURLOPT_USERAGENT, options.user_agent.c_str());
  curl_easy_setopt(handle, CURLOPT_ACCEPT_ENCODING, nullptr);  // bounded bytes are wire bytes
  curl_easy_setopt(handle, CURLOPT_MAXFILESIZE_LARGE,
                   static_cast<curl_off_t>(options.max_body_bytes));
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, &State::on_body);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, this);
  curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, &State::on_header);
  curl_easy_setopt(handle, CURLOPT_HEADERDATA, this);

  CurlHeaderList header_list;
  for (const auto& header : request.headers) {
    const std::string line = header.name + ": " + header.value;
    curl_slist* extended = curl_slist_append(header_list.get(), line.c_str());
    if (extended == nullptr) {
      return TransportFailure{CURLE_OUT_OF_MEMORY, "cannot build the request headers"};
    }
    static_cast<void>(header_list.release());
    header_list.reset(extended);
  }
  // libcurl would otherwise add "Expect: 100-continue" to larger POSTs and wait for it.
  if (curl_slist* extended = curl_slist_append(header_list.get(), "Expect:")) {
    static_cast<void>(header_list.release());
    header_list.reset(extended);
  }
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, header_list.get());

  if (request.method == "GET") {
    curl_easy_setopt(handle, CURLOPT_HTTPGET, 1L);
  } else if (request.method == "HEAD") {
    curl_easy_setopt(handle, CURLOPT_NOBODY, 1L);
  } else {
    if (request.method != "POST") {
      curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }
    curl_easy_setopt(handle, CURLOPT_POST, 1L);
    curl_easy_setopt(handle, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
  }

  const CURLcode code = curl_easy_perform(handle);
  if (code != CURLE_OK) {
    if (body_too_large || code == CURLE_FILESIZE_EXCEEDED) {
      return TransportFailure{
          code, "response body over " + std::to_string(options.max_body_bytes) + " bytes"};
    }
    if (headers_too_large) {
      return TransportFailure{
          code, "response headers over " + std::to_string(options.max_header_bytes) + " bytes"};
    }
    std::string reason = curl_easy_strerror(code);
    if (error_text[0] != '\0') {
      reason += " (" + std::string(error_text.data()) + ")";
    }
    return TransportFailure{code, reason};
  }
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &response.status);
  response.effective_url = url;
  return std::nullopt;
}

HttpClient::HttpClient(HttpOptions options) : state_(std::make_unique<State>(std::move(options))) {
  ensure_curl_initialized();
}

HttpClient::~HttpClient() = default;
HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;

const HttpOptions& HttpClient::options() const {
  return state_->options;
}

HttpResponse HttpClient::send(const HttpRequest& original) {
  const HttpOptions& options = state_->options;
  const bool idempotent =
      original.idempotent || original.method == "GET" || original.method == "HEAD";
  HttpRequest request = original;
  std::string shown_url = redacted_url(request.url);
  int redirects = 0;
  int attempt = 1;
  for (;;) {
    if (!is_allowed_url(request.url)) {
      throw HttpError(options.service, shown_url, 0,
                      "refused: only https, or http to a loopback host, is allowed");
    }
    const auto failure = state_->perform(request, request.url);
    std::string reason;
    long status = 0;
    std::optional<std::chrono::milliseconds> server_delay;
    if (failure) {
      if (state_->body_too_large || state_->headers_too_large ||
          !is_retryable_transport(failure->code) || !idempotent) {
        throw HttpError(options.service, shown_url, 0, failure->reason);
      }
      reason = failure->reason;
    } else {
      status = state_->response.status;
      if (is_redirect(status) && options.max_redirects > 0) {
        const auto location = state_->response.header("location");
        if (!location) {
          throw HttpError(options.service, shown_url, status,
                          "HTTP " + std::to_string(status) + " without a Location");
        }
        if (++redirects > options.max_redirects) {
          throw HttpError(options.service, shown_url, status,
                          "more than " + std::to_string(options.max_redirects) + " redirects");
        }
        const std::string next = resolve_url(request.url, *location);
        if (next.empty()) {
          throw HttpError(options.service, shown_url, status, "redirect to an unparseable URL");
        }
        const auto from = parse_url(request.url);
        const auto to = parse_url(next);
        if (!from || !to || from->host != to->host || from->port != to->port ||
            from->scheme != to->scheme) {
          // Credentials are for the host they were given for, never for the next one.
          std::erase_if(request.headers, [](const HttpHeader& header) {
            return lower(header.name) == "authorization";
          });
        }
        if (status == 303 || ((status == 301 || status == 302) && request.method == "POST")) {
          request.method = "GET";
          request.body.clear();
        }
        request.url = next;
        shown_url = redacted_url(next);
        continue;
      }
      if (!is_retryable_status(status) || !idempotent) {
        return std::move(state_->response);
      }
      reason = "HTTP " + std::to_string(status);
      server_delay = retry_after(state_->response);
    }
    if (attempt >= options.max_attempts) {
      throw HttpError(
          options.service, shown_url, status,
          reason + " after " + std::to_string(attempt) + (attempt == 1 ? " attempt" : " attempts"));
    }
    ++attempt;
    auto delay = state_->backoff(attempt);
    if (server_delay) {
      delay =
          std::min<std::chrono::milliseconds>(std::max(delay, *server_delay), options.max_backoff);
    }
    std::this_thread::sleep_for(delay);
  }
}

HttpResponse HttpClient::send_expecting_success(const HttpRequest& request) {
  HttpResponse response = send(request);
  if (response.status < 200 || response.status > 299) {
    std::string reason = "HTTP " + std::to_string(response.status);
    // A short excerpt of an error body helps (APIs explain refusals there); bounded, one line.
    std::string excerpt = response.body.substr(0, 200);
    std::ranges::replace_if(
        excerpt, [](unsigned char c) { return c < 0x20 || c >= 0x7f; }, ' ');
    if (!trim(excerpt).empty()) {
      reason += ": " + std::string(trim(excerpt));
    }
    throw HttpError(state_->options.service, redacted_url(response.effective_url), response.status,
                    reason);
  }
  return response;
}

}  // namespace sigmount::net
