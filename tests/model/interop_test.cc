// Models signed by released model_signing versions (the format tests' data, see
// tests/data/format/SOURCES.md): walking and hashing them must give exactly the signed
// resources and subject digest, with the ignores each release used.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/model/model_test_util.h"
#include "verifier/format/base64.h"
#include "verifier/model/model_check.h"
#include "verifier/model/path_order.h"

namespace sigmount::verifier {
namespace {

namespace fs = std::filesystem;

nlohmann::json statement_of(const fs::path& bundle_path) {
  std::ifstream in(bundle_path);
  const auto bundle = nlohmann::json::parse(in);
  const Bytes payload =
      base64_decode(bundle.at("dsseEnvelope").at("payload").get<std::string>(), "payload");
  return nlohmann::json::parse(as_chars(payload));
}

TEST(ModelSigningInterop, ReleasedBundlesMatchOurSerialization) {
  const fs::path data = testing::test_data_dir() / "format";
  int checked = 0;
  int recorded_checked = 0;
  for (const char* release :
       {"v0.3.1-certificate", "v0.3.1-elliptic-key", "v1.0.0-certificate", "v1.0.0-elliptic-key",
        "v1.0.1-certificate", "v1.0.1-elliptic-key", "v1.1.0-certificate", "v1.1.0-elliptic-key"}) {
    const fs::path dir = data / release;
    if (!fs::exists(dir / "model.sig")) continue;  // the format tests own this data
    SCOPED_TRACE(release);
    const auto statement = statement_of(dir / "model.sig");
    const auto& predicate = statement.at("predicate");

    Serialization serialization;  // every release signs files/sha256
    if (predicate.at("serialization").contains("ignore_paths")) {
      serialization.ignore_paths = predicate.at("serialization").at("ignore_paths");
    }
    std::vector<Resource> expected;
    for (const auto& item : predicate.at("resources")) {
      expected.push_back(Resource{item.at("name"), item.at("algorithm"),
                                  testing::digest_of(item.at("digest").get<std::string>())});
    }
    // Single-file models ("." resources) were signed as the file signme-1.
    const bool single_file = expected.size() == 1 && expected[0].name == ".";
    const fs::path root = single_file ? dir / "signme-1" : dir;
    ModelOptions options;
    options.signature_path = dir / "model.sig";
    options.ignore_paths = {dir / "ignore-me"};  // older releases did not record it

    const auto resources = serialize_model(root, options, serialization);
    ASSERT_EQ(resources.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
      EXPECT_EQ(resources[i].name, expected[i].name);
      EXPECT_EQ(resources[i].algorithm, expected[i].algorithm);
      EXPECT_EQ(resources[i].digest, expected[i].digest);
    }
    EXPECT_EQ(root_digest(resources).hex(),
              statement.at("subject").at(0).at("digest").at("sha256"));

    ++checked;
    const auto files = signed_files_from_resources(serialization, expected);
    EXPECT_TRUE(compare_model_with_signed_files(serialization, files, root, options).empty());
    if (serialization.ignore_paths.empty()) continue;
    // v1.1 recorded its ignores: without our own ignore of "ignore-me" the check still passes,
    // and recorded_ignore_paths() writes the same list model_signing recorded.
    ModelOptions only_signature;
    only_signature.signature_path = dir / "model.sig";
    EXPECT_TRUE(
        compare_model_with_signed_files(serialization, files, root, only_signature).empty());
    auto recorded = serialization.ignore_paths;
    std::sort(recorded.begin(), recorded.end(), ModelPathLess{});
    EXPECT_EQ(recorded_ignore_paths(root, options), recorded);
    ++recorded_checked;
  }
  if (fs::exists(data / "v1.1.0-elliptic-key")) {
    EXPECT_EQ(checked, 8);
    EXPECT_EQ(recorded_checked, 2);
  }
}

}  // namespace
}  // namespace sigmount::verifier
