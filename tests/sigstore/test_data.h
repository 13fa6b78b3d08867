// Reading the committed sigstore test data (tests/data, located through SIGMOUNT_TEST_DATA).
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace sigmount::verifier::sigstore::testing {

inline std::filesystem::path test_data_dir() {
  const char* dir = std::getenv("SIGMOUNT_TEST_DATA");
  return dir != nullptr ? std::filesystem::path(dir) : std::filesystem::path("tests/data");
}

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline std::filesystem::path conformance_dir() {
  return test_data_dir() / "sigstore-conformance" / "bundle-verify";
}

}  // namespace sigmount::verifier::sigstore::testing
