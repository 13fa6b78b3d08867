// Reproduces model_signing's serializer and payload goldens byte for byte: names, order,
// digests and the subject (root) digest.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "tests/model/model_test_util.h"
#include "verifier/model/serialize.h"

namespace sigmount::verifier {
namespace {

namespace fs = std::filesystem;

constexpr std::uint64_t kDefaultShardSize = 1'000'000'000;

// The fixture model a golden was made from. m4/empty_folder_model is an empty directory, which
// git cannot store: made here.
class GoldenModels {
 public:
  GoldenModels() { fs::create_directory(scratch_ / "empty_folder_model"); }

  fs::path model(std::string_view fixture) const {
    static const std::map<std::string, std::string, std::less<>> fixtures{
        {"deep_model_folder", "m6/deep_model"},
        {"empty_model_file", "m2/empty_file_model"},
        {"model_folder_with_empty_file", "m5/empty_file_inside_model"},
        {"sample_model_file", "m1/file_model"},
        {"sample_model_folder", "m3/sample_model"},
        {"symlink_model_folder", "m7/symlink_model"},
    };
    if (fixture == "empty_model_folder") return scratch_ / "empty_folder_model";
    return testing::goldens_dir() / "models" / fixtures.at(std::string(fixture));
  }

 private:
  testing::TempDir scratch_;
};

struct GoldenCase {
  std::string fixture;  // e.g. "sample_model_folder"
  Serialization serialization;
};

// "sample_model_folder_small_shards" -> fixture + shards of 8, and so on.
GoldenCase parse_case(std::string name, bool shards) {
  GoldenCase c;
  c.serialization.allow_symlinks = true;
  if (shards) {
    c.serialization.method = SerializationMethod::shards;
    c.serialization.shard_size = kDefaultShardSize;
  }
  for (const auto& [suffix, size] :
       {std::pair<std::string, std::uint64_t>{"_small_shards", 8}, {"_shard", kDefaultShardSize}}) {
    if (name.ends_with(suffix)) {
      name.resize(name.size() - suffix.size());
      c.serialization.method = SerializationMethod::shards;
      c.serialization.shard_size = size;
    }
  }
  c.fixture = name;
  return c;
}

std::vector<Resource> serialize_fixture(const GoldenModels& models, const GoldenCase& c) {
  ModelOptions options;
  options.allow_symlinks = true;
  HashingKnobs knobs;
  knobs.workers = 2;
  return serialize_model(models.model(c.fixture), options, c.serialization, knobs);
}

// "name:digest" lines.
std::vector<std::pair<std::string, std::string>> read_golden_lines(const fs::path& path) {
  std::ifstream in(path);
  std::vector<std::pair<std::string, std::string>> lines;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    const auto colon = line.rfind(':');
    lines.emplace_back(line.substr(0, colon), line.substr(colon + 1));
  }
  return lines;
}

void expect_serializer_goldens(std::string_view folder, bool shards, int expected_count) {
  GoldenModels models;
  int count = 0;
  for (const auto& entry : fs::directory_iterator(testing::goldens_dir() / folder)) {
    const std::string name = entry.path().filename().string();
    SCOPED_TRACE(name);
    const GoldenCase c = parse_case(name, shards);
    const auto resources = serialize_fixture(models, c);
    const auto expected = read_golden_lines(entry.path());
    ASSERT_EQ(resources.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
      EXPECT_EQ(resources[i].name, expected[i].first);
      EXPECT_EQ(resources[i].digest.hex(), expected[i].second);
    }
    ++count;
  }
  EXPECT_EQ(count, expected_count);
}

TEST(SerializerGoldens, Files) {
  expect_serializer_goldens("serializer-files", false, 7);
}

TEST(SerializerGoldens, Shards) {
  expect_serializer_goldens("serializer-shards", true, 14);
}

TEST(PayloadGoldens, ResourcesAndSubjectMatchModelSigning) {
  GoldenModels models;
  int count = 0;
  for (const auto& entry : fs::directory_iterator(testing::goldens_dir() / "payloads")) {
    const std::string name = entry.path().filename().string();
    SCOPED_TRACE(name);
    std::ifstream in(entry.path());
    const auto payload = nlohmann::json::parse(in);
    const GoldenCase c = parse_case(name, false);
    const auto resources = serialize_fixture(models, c);

    const auto& expected = payload.at("predicate").at("resources");
    ASSERT_EQ(resources.size(), expected.size());
    for (std::size_t i = 0; i < resources.size(); ++i) {
      EXPECT_EQ(resources[i].name, expected[i].at("name"));
      EXPECT_EQ(resources[i].algorithm, expected[i].at("algorithm"));
      EXPECT_EQ(resources[i].digest.hex(), expected[i].at("digest"));
    }
    const auto& subject = payload.at("subject").at(0);
    EXPECT_EQ(root_digest(resources).hex(), subject.at("digest").at("sha256"));
    EXPECT_EQ(model_name(models.model(c.fixture)), subject.at("name"));
    // What we produce reads back through the verifier's validation.
    EXPECT_NO_THROW(signed_files_from_resources(c.serialization, resources));
    ++count;
  }
  EXPECT_EQ(count, 21);
}

}  // namespace
}  // namespace sigmount::verifier
