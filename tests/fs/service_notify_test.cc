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

TEST(ServiceNotify, AValueCannotStartAnAssignmentOfItsOwn) {
  EXPECT_EQ(one_line_value("/models/a\nREADY=1"), "/models/a?READY=1");
  EXPECT_EQ(one_line_value("tab\there\x7f"), "tab?here?");
  EXPECT_EQ(one_line_value("/models/llama 3"), "/models/llama 3");
}

}  // namespace
}  // namespace sigmount::fs
