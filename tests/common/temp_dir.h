// A temporary directory for one test, shared by every test suite: tests make their own data
// and must not leave it behind.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

#include "hashing/bytes.h"

namespace sigmount::testing {

// A fresh directory under the system temp dir, removed with everything in it at scope exit.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "sigmount-test-XXXXXX").string();
    // mkdtemp rather than a random name: it creates the directory atomically with mode 0700.
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw std::system_error(errno, std::generic_category(), "mkdtemp " + pattern);
    }
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

  // Writes `content` to `name` (relative, '/'-separated; missing parent directories are
  // created) and returns its path.
  std::filesystem::path write(std::string_view name, ByteView content) const {
    const auto file = path_ / name;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(content.data()),
              static_cast<std::streamsize>(content.size()));
    if (!out) throw std::runtime_error("cannot write " + file.string());
    return file;
  }
  std::filesystem::path write(std::string_view name, std::string_view content) const {
    return write(name, as_bytes(content));
  }

 private:
  std::filesystem::path path_;
};

}  // namespace sigmount::testing
