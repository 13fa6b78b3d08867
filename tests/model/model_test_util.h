// Helpers shared by the model tests: files on disk and golden data (temporary directories
// come from tests/common).
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>

#include "hashing/bytes.h"
#include "hashing/digest.h"
#include "tests/common/temp_dir.h"

namespace sigmount::verifier::testing {

using sigmount::testing::TempDir;

inline void write_file(const std::filesystem::path& path, std::string_view content) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline hashing::Digest digest_of(std::string_view hex) {
  const auto bytes = from_hex(hex);
  if (!bytes) throw std::invalid_argument("bad hex");
  return hashing::Digest(*bytes);
}

inline hashing::Digest sha256_of(std::string_view data) {
  return hashing::hash_bytes(hashing::HashAlgorithm::sha256, as_bytes(data));
}

// tests/data, as meson passes it.
inline std::filesystem::path test_data_dir() {
  const char* dir = std::getenv("SIGMOUNT_TEST_DATA");
  if (dir == nullptr) throw std::runtime_error("SIGMOUNT_TEST_DATA is not set");
  return dir;
}

inline std::filesystem::path goldens_dir() {
  return test_data_dir() / "model-signing" / "python-goldens";
}

}  // namespace sigmount::verifier::testing
