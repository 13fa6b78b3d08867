#include "net/http_client.h"

#include <gtest/gtest.h>

#include <chrono>

#include "tests/net/scripted_server.h"

namespace sigmount::net {
namespace {

using namespace std::chrono_literals;
using testing::ScriptedAnswer;
using testing::ScriptedServer;
using testing::SeenRequest;

HttpOptions fast_options() {
  HttpOptions options;
  options.service = "Test service";
  options.initial_backoff = 1ms;
  options.max_backoff = 5ms;
  options.max_attempts = 3;
  return options;
}

HttpRequest get(std::string url, std::vector<HttpHeader> headers = {}) {
  HttpRequest request;
  request.url = std::move(url);
  request.headers = std::move(headers);
  return request;
}

HttpRequest post(std::string url, std::string body, bool idempotent = false) {
  HttpRequest request;
  request.method = "POST";
  request.url = std::move(url);
  request.body = std::move(body);
  request.idempotent = idempotent;
  return request;
}

TEST(HttpUrls, OnlyHttpsOrLoopbackHttpIsAllowed) {
  EXPECT_TRUE(is_allowed_url("https://fulcio.sigstore.dev/api/v2/signingCert"));
  EXPECT_TRUE(is_allowed_url("http://127.0.0.1:8080/x"));
  EXPECT_TRUE(is_allowed_url("http://127.10.0.3/x"));
  EXPECT_TRUE(is_allowed_url("http://localhost:1/x"));
  EXPECT_TRUE(is_allowed_url("http://[::1]:99/"));
  EXPECT_FALSE(is_allowed_url("http://example.com/"));
  EXPECT_FALSE(is_allowed_url("http://127.0.0.1.example.com/"));
  EXPECT_FALSE(is_allowed_url("http://10.0.0.1/"));
  EXPECT_FALSE(is_allowed_url("ftp://127.0.0.1/"));
  EXPECT_FALSE(is_allowed_url("file:///etc/passwd"));
  EXPECT_FALSE(is_allowed_url("not a url"));
}

TEST(HttpUrls, RedactedUrlDropsQueryFragmentAndCredentials) {
  EXPECT_EQ(redacted_url("https://user:secret@s3.example.com/b/k?X-Amz-Signature=abc#f"),
            "https://s3.example.com/b/k");
  EXPECT_EQ(redacted_url("https://host/path"), "https://host/path");
}

TEST(HttpUrls, ResolvesRelativeLocations) {
  EXPECT_EQ(resolve_url("https://h/a/b/c?q", "../d"), "https://h/a/d");
  EXPECT_EQ(resolve_url("https://h/a/b", "/x/y"), "https://h/x/y");
  EXPECT_EQ(resolve_url("https://h/a", "https://cdn.example/z"), "https://cdn.example/z");
}

TEST(HttpClient, GetsBodyAndHeadersAndReusesTheConnection) {
  ScriptedServer server([](const SeenRequest& request, int) {
    return ScriptedAnswer::reply(200, "hello " + request.target, {"ETag: \"abc\""});
  });
  HttpClient client(fast_options());
  const auto first = client.send(get(server.url("/one")));
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.body, "hello /one");
  EXPECT_EQ(first.header("ETAG"), "\"abc\"");
  const auto second = client.send(get(server.url("/two"), {{"Range", "bytes=0-1"}}));
  EXPECT_EQ(second.body, "hello /two");
  const auto seen = server.requests();
  ASSERT_EQ(seen.size(), 2U);
  EXPECT_EQ(seen[1].headers.at("range"), "bytes=0-1");
  EXPECT_EQ(server.connections(), 1);
}

TEST(HttpClient, PostsTheBody) {
  ScriptedServer server([](const SeenRequest& request, int) {
    return ScriptedAnswer::reply(201, request.method + ":" + request.body);
  });
  HttpClient client(fast_options());
  const auto response = client.send([&] {
    auto request = post(server.url("/entries"), R"({"a":1})");
    request.headers = {{"Content-Type", "application/json"}};
    return request;
  }());
  EXPECT_EQ(response.status, 201);
  EXPECT_EQ(response.body, R"(POST:{"a":1})");
}

TEST(HttpClient, RetriesServerErrorsThenSucceeds) {
  ScriptedServer server([](const SeenRequest&, int number) {
    return number < 3 ? ScriptedAnswer::reply(503, "busy") : ScriptedAnswer::reply(200, "ok");
  });
  HttpClient client(fast_options());
  EXPECT_EQ(client.send(get(server.url("/x"))).body, "ok");
  EXPECT_EQ(server.requests().size(), 3U);
}

TEST(HttpClient, GivesUpAfterTheLastAttemptWithOneLine) {
  ScriptedServer server([](const SeenRequest&, int) { return ScriptedAnswer::reply(500, "no"); });
  HttpClient client(fast_options());
  try {
    static_cast<void>(client.send(get(server.url("/x?token=secret"))));
    FAIL() << "no error";
  } catch (const HttpError& error) {
    EXPECT_EQ(error.status(), 500);
    const std::string message = error.what();
    EXPECT_EQ(message, "Test service: " + server.url("/x") + ": HTTP 500 after 3 attempts");
    EXPECT_EQ(message.find("secret"), std::string::npos);
  }
  EXPECT_EQ(server.requests().size(), 3U);
}

TEST(HttpClient, DoesNotRetryANonIdempotentPost) {
  ScriptedServer server([](const SeenRequest&, int) { return ScriptedAnswer::reply(503, "no"); });
  HttpClient client(fast_options());
  EXPECT_EQ(client.send(post(server.url("/x"), "b")).status, 503);
  EXPECT_EQ(server.requests().size(), 1U);
  EXPECT_THROW(static_cast<void>(client.send(post(server.url("/x"), "b", true))), HttpError);
  EXPECT_EQ(server.requests().size(), 4U);
}

TEST(HttpClient, RetriesAfterAConnectionReset) {
  ScriptedServer server([](const SeenRequest&, int number) {
    return number == 1 ? ScriptedAnswer::reset() : ScriptedAnswer::reply(200, "after reset");
  });
  HttpClient client(fast_options());
  EXPECT_EQ(client.send(get(server.url("/x"))).body, "after reset");
}

TEST(HttpClient, RefusesABodyOverTheBoundWithoutRetrying) {
  ScriptedServer server(
      [](const SeenRequest&, int) { return ScriptedAnswer::reply(200, std::string(5000, 'x')); });
  HttpOptions options = fast_options();
  options.max_body_bytes = 4096;
  HttpClient client(options);
  try {
    static_cast<void>(client.send(get(server.url("/big"))));
    FAIL() << "no error";
  } catch (const HttpError& error) {
    EXPECT_NE(std::string(error.what()).find("response body over 4096 bytes"), std::string::npos)
        << error.what();
  }
  EXPECT_EQ(server.requests().size(), 1U);
}

TEST(HttpClient, AbandonsAStalledServer) {
  ScriptedServer server([](const SeenRequest&, int) { return ScriptedAnswer::stall_for(20s); });
  HttpOptions options = fast_options();
  options.request_timeout = 1500ms;
  options.max_attempts = 2;
  HttpClient client(options);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(static_cast<void>(client.send(get(server.url("/x")))), HttpError);
  // Not a timing assertion of speed: only that the 20 s stall did not hold the reader.
  EXPECT_LT(std::chrono::steady_clock::now() - start, 15s);
  EXPECT_EQ(server.requests().size(), 2U);
}

TEST(HttpClient, FollowsRedirectsAndDropsAuthorizationOnAnotherHost) {
  std::string other_host_url;
  ScriptedServer server([&](const SeenRequest& request, int) {
    if (request.target == "/start") {
      return ScriptedAnswer::reply(302, "", {"Location: /same-host"});
    }
    if (request.target == "/same-host") {
      return ScriptedAnswer::reply(307, "", {"Location: " + other_host_url});
    }
    return ScriptedAnswer::reply(200, "landed");
  });
  other_host_url = server.url("/cdn", "localhost");
  HttpClient client(fast_options());
  const auto response = client.send(get(server.url("/start"), {{"Authorization", "Bearer T"}}));
  EXPECT_EQ(response.body, "landed");
  EXPECT_EQ(response.effective_url, other_host_url);
  const auto seen = server.requests();
  ASSERT_EQ(seen.size(), 3U);
  EXPECT_EQ(seen[1].headers.count("authorization"), 1U);
  EXPECT_EQ(seen[2].headers.count("authorization"), 0U);
}

TEST(HttpClient, RefusesARedirectToPlainHttpOffLoopback) {
  ScriptedServer server([](const SeenRequest&, int) {
    return ScriptedAnswer::reply(301, "", {"Location: http://example.com/x"});
  });
  HttpClient client(fast_options());
  try {
    static_cast<void>(client.send(get(server.url("/x"))));
    FAIL() << "no error";
  } catch (const HttpError& error) {
    EXPECT_NE(std::string(error.what()).find("http://example.com/x: refused"), std::string::npos)
        << error.what();
  }
}

TEST(HttpClient, BoundsRedirectChains) {
  ScriptedServer server(
      [](const SeenRequest&, int) { return ScriptedAnswer::reply(302, "", {"Location: /again"}); });
  HttpOptions options = fast_options();
  options.max_redirects = 3;
  HttpClient client(options);
  EXPECT_THROW(static_cast<void>(client.send(get(server.url("/x")))), HttpError);
  EXPECT_EQ(server.requests().size(), 4U);
}

TEST(HttpClient, ExpectingSuccessNamesTheStatusAndTheServersReason) {
  ScriptedServer server(
      [](const SeenRequest&, int) { return ScriptedAnswer::reply(400, "bad token\n"); });
  HttpClient client(fast_options());
  try {
    static_cast<void>(client.send_expecting_success(get(server.url("/x"))));
    FAIL() << "no error";
  } catch (const HttpError& error) {
    EXPECT_EQ(std::string(error.what()),
              "Test service: " + server.url("/x") + ": HTTP 400: bad token");
  }
}

TEST(HttpClient, RefusesTlsItCannotVerify) {
  // A plain-text server spoken to over https: the handshake fails, never falls back.
  ScriptedServer server([](const SeenRequest&, int) { return ScriptedAnswer::reply(200, "x"); });
  HttpOptions options = fast_options();
  options.max_attempts = 1;
  options.connect_timeout = 1s;
  HttpClient client(options);
  EXPECT_THROW(static_cast<void>(
                   client.send(get("https://127.0.0.1:" + std::to_string(server.port()) + "/x"))),
               HttpError);
}

}  // namespace
}  // namespace sigmount::net
