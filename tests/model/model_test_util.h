// Helpers shared by the model tests: scratch directories and golden data.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>

#include "hashing/bytes.h"
#include "hashing/digest.h"

namespace sigmount::verifier::testing {

// A fresh directory under the system temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::random_device random;
    const auto base = std::filesystem::temp_directory_path();
    for (int attempt = 0; attempt < 100; ++attempt) {
      auto candidate = base / ("sigmount-model-test-" + std::to_string(random()));
      if (std::filesystem::create_directory(candidate)) {
        path_ = candidate;
        return;
      }
    }
    throw std::runtime_error("cannot create a temporary directory");
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

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
