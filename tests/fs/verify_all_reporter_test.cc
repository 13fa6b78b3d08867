// What `mount --verify-all -f` tells a service manager and its log while it hashes: progress
// it can show, and start-timeout extensions only while bytes are actually being hashed.
#include "fs/verify_all_reporter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/common/notify_listener.h"
#include "tests/common/scoped_env.h"
#include "tests/common/temp_dir.h"

namespace sigmount::fs {
namespace {

using ::testing::HasSubstr;
using testing::NotifyListener;
using testing::ScopedEnv;
using ::testing::StartsWith;
using testing::TempDir;

constexpr std::uint64_t kGiB = 1ULL << 30;

std::vector<nlohmann::json> json_lines(const std::string& text) {
  std::vector<nlohmann::json> out;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) out.push_back(nlohmann::json::parse(line));
  return out;
}

// A service manager listening on $NOTIFY_SOCKET, and the log (stderr) captured.
class VerifyAllReporterWithServiceManager : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(manager.bound());
    ::testing::internal::CaptureStderr();
  }
  static std::string logged() { return ::testing::internal::GetCapturedStderr(); }

  const TempDir dir;
  const NotifyListener manager{(dir.path() / "notify.sock").string()};
  const ScopedEnv env{"NOTIFY_SOCKET", manager.name().c_str()};
  EventLogger log;
  ServiceManager service_manager{log};
};

TEST_F(VerifyAllReporterWithServiceManager, ExtendsTheStartTimeoutOnlyWhileHashingMovesOn) {
  VerifyAllReporter reporter(log, &service_manager, /*log_progress=*/true);
  const VerifyAllProgress progress = reporter.progress();
  EXPECT_EQ(progress.interval, VerifyAllReporter::kInterval);

  progress.report(0, 4 * kGiB);
  EXPECT_EQ(manager.next(), "STATUS=Verifying the model: 0.0 of 4.0 GiB hashed (0%)");
  progress.report(kGiB, 4 * kGiB);
  EXPECT_EQ(manager.next(),
            "STATUS=Verifying the model: 1.0 of 4.0 GiB hashed (25%)\n"
            "EXTEND_TIMEOUT_USEC=30000000");
  // A stalled disk: the status says where it stands, and the timeout is left to run out.
  progress.report(kGiB, 4 * kGiB);
  EXPECT_EQ(manager.next(), "STATUS=Verifying the model: 1.0 of 4.0 GiB hashed (25%)");
  progress.report(4 * kGiB, 4 * kGiB);
  EXPECT_THAT(manager.next(), HasSubstr("(100%)\nEXTEND_TIMEOUT_USEC="));
  reporter.finished();
  EXPECT_THAT(manager.next(), StartsWith("STATUS=Verified every signed byte (4.0 GiB in "));
  EXPECT_EQ(manager.next(), "");

  const auto lines = json_lines(logged());
  ASSERT_EQ(lines.size(), 5u);
  const std::vector<std::uint64_t> hashed = {0, kGiB, kGiB, 4 * kGiB};
  for (std::size_t i = 0; i < hashed.size(); ++i) {
    EXPECT_EQ(lines[i]["event"], "verify_progress");
    EXPECT_EQ(lines[i]["bytes_hashed"], hashed[i]);
    EXPECT_EQ(lines[i]["bytes"], 4 * kGiB);
    EXPECT_TRUE(lines[i]["seconds"].is_number());
  }
  EXPECT_EQ(lines[4]["event"], "verified_all");
  EXPECT_EQ(lines[4]["bytes"], 4 * kGiB);
}

// Without -f the command returns once the mount is ready and the daemon carries on: the
// terminal stays quiet, and the process a service manager watches is not the daemon.
TEST_F(VerifyAllReporterWithServiceManager, DaemonizedItSaysNothing) {
  VerifyAllReporter reporter(log, /*service_manager=*/nullptr, /*log_progress=*/false);
  reporter.progress().report(1, 2);
  reporter.finished();
  EXPECT_EQ(logged(), "");
  EXPECT_EQ(manager.next(), "");
}

// Daemonized with --log-file: the progress goes to the file (a container's log), still nothing
// to a service manager.
TEST_F(VerifyAllReporterWithServiceManager, DaemonizedWithALogFileItLogsOnly) {
  VerifyAllReporter reporter(log, /*service_manager=*/nullptr, /*log_progress=*/true);
  reporter.progress().report(1, 2);
  reporter.finished();
  const auto lines = json_lines(logged());
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["event"], "verify_progress");
  EXPECT_EQ(lines[1]["event"], "verified_all");
  EXPECT_EQ(manager.next(), "");
}

TEST(VerifyAllReporter, AnUnreachableServiceManagerIsLoggedOnceAndHashingGoesOn) {
  const TempDir dir;
  const std::string missing = (dir.path() / "gone.sock").string();
  const ScopedEnv env("NOTIFY_SOCKET", missing.c_str());
  EventLogger log;
  ServiceManager service_manager(log);
  ::testing::internal::CaptureStderr();
  VerifyAllReporter reporter(log, &service_manager, /*log_progress=*/true);
  const VerifyAllProgress progress = reporter.progress();
  for (std::uint64_t hashed = 0; hashed < 3; ++hashed) progress.report(hashed, 3);
  reporter.finished();
  int failures = 0;
  for (const auto& line : json_lines(::testing::internal::GetCapturedStderr())) {
    if (line["event"] == "notify_failed") {
      ++failures;
      EXPECT_THAT(line["reason"].get<std::string>(), HasSubstr(missing));
    }
  }
  EXPECT_EQ(failures, 1);
}

TEST(VerifyAllReporter, SmallModelsAreToldInMiB) {
  EXPECT_EQ(VerifyAllReporter::status_text(3 << 20, 12 << 20),
            "Verifying the model: 3.0 of 12.0 MiB hashed (25%)");
  EXPECT_EQ(VerifyAllReporter::status_text(0, 0),
            "Verifying the model: 0.0 of 0.0 MiB hashed (100%)");
  // Never 100% before the last byte.
  EXPECT_THAT(VerifyAllReporter::status_text(999, 1000), HasSubstr("(99%)"));
}

}  // namespace
}  // namespace sigmount::fs
