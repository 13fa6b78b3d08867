// Every bundle-verify case of the sigstore-conformance suite, in PATH and DIGEST mode, driven
// through the verify-bundle command exactly as the suite's harness builds its arguments.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "hashing/bytes.h"
#include "tests/sigstore/test_data.h"
#include "tools/verify_bundle_command.h"
#include "verifier/sigstore/crypto.h"

namespace sigmount::verifier::sigstore {
namespace {

namespace fs = std::filesystem;
using testing::conformance_dir;
using testing::read_text;

constexpr const char* kDefaultIdentity =
    "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/"
    "workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
constexpr const char* kDefaultIssuer = "https://token.actions.githubusercontent.com";

struct Case {
  std::string name;
  bool digest_mode = false;
};

std::vector<Case> all_cases() {
  std::vector<Case> cases;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(conformance_dir(), error)) {
    if (!entry.is_directory()) continue;
    for (const bool digest : {false, true})
      cases.push_back({entry.path().filename().string(), digest});
  }
  std::sort(cases.begin(), cases.end(), [](const Case& a, const Case& b) {
    return a.name != b.name ? a.name < b.name : a.digest_mode < b.digest_mode;
  });
  return cases;
}

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.pop_back();
  }
  return text;
}

class ConformanceCase : public ::testing::TestWithParam<Case> {};

TEST_P(ConformanceCase, VerifiesOrRejectsAsTheSuiteExpects) {
  const Case& c = GetParam();
  const fs::path dir = conformance_dir() / c.name;
  std::vector<std::string> args{"verify-bundle", "--bundle",
                                (dir / "bundle.sigstore.json").string()};
  if (fs::exists(dir / "key.pub")) {
    args.insert(args.end(), {"--key", (dir / "key.pub").string()});
  } else {
    const std::string identity =
        fs::exists(dir / "identity") ? trimmed(read_text(dir / "identity")) : kDefaultIdentity;
    const std::string issuer =
        fs::exists(dir / "issuer") ? trimmed(read_text(dir / "issuer")) : kDefaultIssuer;
    args.insert(args.end(),
                {"--certificate-identity", identity, "--certificate-oidc-issuer", issuer});
  }
  if (fs::exists(dir / "trusted_root.json")) {
    args.insert(args.end(), {"--trusted-root", (dir / "trusted_root.json").string()});
  }
  const fs::path artifact =
      fs::exists(dir / "artifact") ? dir / "artifact" : conformance_dir() / "a.txt";
  args.push_back(c.digest_mode ? "sha256:" + to_hex(sha256(as_bytes(read_text(artifact))))
                               : artifact.string());
  const bool must_fail = c.name.ends_with("_fail");
  const int status = tools::run_verify_bundle(args);
  if (must_fail) {
    EXPECT_EQ(status, 1) << c.name << " must be rejected";
  } else {
    EXPECT_EQ(status, 0) << c.name << " must verify";
  }
}

INSTANTIATE_TEST_SUITE_P(SigstoreConformance, ConformanceCase, ::testing::ValuesIn(all_cases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           std::string name =
                               std::string(info.param.digest_mode ? "DIGEST_" : "PATH_") +
                               info.param.name;
                           for (char& ch : name) {
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return name;
                         });

TEST(ConformanceData, AllCasesArePresent) {
  EXPECT_GE(all_cases().size(), 70u);
}

TEST(VerifyBundleCommand, UsageErrorsExitTwo) {
  const std::vector<std::string> no_policy{"verify-bundle", "--bundle", "b.json", "a.txt"};
  EXPECT_EQ(tools::run_verify_bundle(no_policy), 2);
  const std::vector<std::string> both{
      "--bundle", "b",    "--key", "k", "--certificate-identity", "i", "--certificate-oidc-issuer",
      "u",        "a.txt"};
  EXPECT_EQ(tools::run_verify_bundle(both), 2);
  const std::vector<std::string> no_artifact{"--bundle", "b", "--key", "k"};
  EXPECT_EQ(tools::run_verify_bundle(no_artifact), 2);
  const std::vector<std::string> unknown{"--bundle", "b", "--key", "k", "--frobnicate", "a"};
  EXPECT_EQ(tools::run_verify_bundle(unknown), 2);
}

TEST(VerifyBundleCommand, MissingFilesExitOne) {
  const std::vector<std::string> args{"--bundle", "/nonexistent/bundle.json", "--key", "k",
                                      "a.txt"};
  EXPECT_EQ(tools::run_verify_bundle(args), 1);
}

}  // namespace
}  // namespace sigmount::verifier::sigstore
