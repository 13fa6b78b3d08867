// Telling a service manager never stops the daemon: without $NOTIFY_SOCKET nothing is sent,
// and a socket that cannot be reached is a reason to log, not an error. (Mount tests check
// the messages a real socket receives.)
#include "fs/service_notify.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "tests/common/scoped_env.h"
#include "tests/common/temp_dir.h"

namespace sigmount::fs {
namespace {

using ::testing::HasSubstr;
using testing::ScopedEnv;
using testing::TempDir;

TEST(ServiceNotify, WithoutNotifySocketNothingIsSent) {
  const ScopedEnv empty("NOTIFY_SOCKET", "");
  EXPECT_EQ(notify_service_manager("READY=1"), "");
  ::unsetenv("NOTIFY_SOCKET");  // restored by `empty`
  EXPECT_EQ(notify_service_manager("READY=1"), "");
}

TEST(ServiceNotify, AnUnusableSocketIsReportedNotThrown) {
  const TempDir dir;
  const std::string missing = (dir.path() / "no-such.sock").string();
  {
    const ScopedEnv env("NOTIFY_SOCKET", missing.c_str());
    EXPECT_THAT(notify_service_manager("READY=1"), HasSubstr("cannot notify " + missing));
  }
  {
    const ScopedEnv env("NOTIFY_SOCKET", "relative.sock");
    EXPECT_THAT(notify_service_manager("READY=1"), HasSubstr("neither a path nor"));
  }
  {
    const std::string too_long = "/" + std::string(200, 'x');
    const ScopedEnv env("NOTIFY_SOCKET", too_long.c_str());
    EXPECT_THAT(notify_service_manager("READY=1"), HasSubstr("too long"));
  }
}

TEST(ServiceNotify, AStatusValueIsOneLineOfUtf8ThatSystemdAccepts) {
  // A newline would start an assignment of its own.
  EXPECT_EQ(status_value("/models/a\nREADY=1"), "/models/a?READY=1");
  EXPECT_EQ(status_value("tab\there\x7f\r"), "tab?here??");
  EXPECT_EQ(status_value("/models/llama 3"), "/models/llama 3");
  // UTF-8 stays; what is not UTF-8 (a stray byte, an overlong, a surrogate, a cut sequence)
  // becomes '?', or systemd ignores the status.
  EXPECT_EQ(status_value("/models/\xE6\xA8\xA1\xE5\x9E\x8B \xF0\x9F\xA6\x99"),
            "/models/\xE6\xA8\xA1\xE5\x9E\x8B \xF0\x9F\xA6\x99");
  EXPECT_EQ(status_value("a\xFF"
                         "b"),
            "a?b");
  EXPECT_EQ(status_value("a\xC0\xAF"
                         "b"),
            "a??b");
  EXPECT_EQ(status_value("a\xED\xA0\x80"
                         "b"),
            "a???b");
  EXPECT_EQ(status_value("a\xE6\xA8"), "a??");
  // Long values are cut at a character boundary, well under systemd's 4096-byte message.
  EXPECT_EQ(status_value("abcdefgh", 8), "abcdefgh");
  EXPECT_EQ(status_value("abcdefghi", 8), "abcde...");
  EXPECT_EQ(status_value("abcd\xE6\xA8\xA1xyz", 8), "abcd...");
  EXPECT_LE(status_value(std::string(10000, 'x')).size(), 1024u);
}

}  // namespace
}  // namespace sigmount::fs
