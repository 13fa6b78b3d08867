// model_signing's own goldens, read back: every payload's resources validate, and their root
// digest is the statement's subject digest.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/model/model_test_util.h"
#include "verifier/model/resources.h"

namespace sigmount::verifier {
namespace {

struct Payload {
  Serialization serialization;
  std::vector<Resource> resources;
  std::string subject_digest;
};

Payload read_payload(const std::filesystem::path& path) {
  std::ifstream in(path);
  const auto json = nlohmann::json::parse(in);
  Payload payload;
  const auto& serialization = json.at("predicate").at("serialization");
  if (serialization.at("method") == "shards") {
    payload.serialization.method = SerializationMethod::shards;
    payload.serialization.shard_size = serialization.at("shard_size").get<std::uint64_t>();
  }
  payload.serialization.allow_symlinks = serialization.at("allow_symlinks").get<bool>();
  for (const auto& item : json.at("predicate").at("resources")) {
    payload.resources.push_back(Resource{item.at("name"), item.at("algorithm"),
                                         testing::digest_of(item.at("digest").get<std::string>())});
  }
  payload.subject_digest = json.at("subject").at(0).at("digest").at("sha256");
  return payload;
}

TEST(GoldenPayloads, RootDigestIsTheSubjectDigestAndResourcesValidate) {
  int count = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(testing::goldens_dir() / "payloads")) {
    SCOPED_TRACE(entry.path().filename().string());
    const Payload payload = read_payload(entry.path());
    EXPECT_EQ(root_digest(payload.resources).hex(), payload.subject_digest);
    EXPECT_NO_THROW(signed_files_from_resources(payload.serialization, payload.resources));
    ++count;
  }
  EXPECT_EQ(count, 21);
}

}  // namespace
}  // namespace sigmount::verifier
