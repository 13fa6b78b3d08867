#include "tools/version.h"

#include <openssl/crypto.h>

#include <stdexcept>

#include "fs/fuse_session.h"
#include "hashing/blake3.h"
#include "hashing/file_reader.h"

namespace sigmount::tools {
namespace {

constexpr const char* kVersion = "0.1.0";

std::string reader_line() {
  using hashing::ReaderBackend;
  try {
    if (hashing::resolve_backend(ReaderBackend::automatic) == ReaderBackend::io_uring) {
      return hashing::io_uring_available()
                 ? "io_uring"
                 : "none: SIGMOUNT_READER=io_uring, but io_uring is not available to this process";
    }
  } catch (const std::invalid_argument& error) {
    return std::string("none: ") + error.what();
  }
  return hashing::io_uring_available() ? "pread (SIGMOUNT_READER=pread)"
                                       : "pread (io_uring is not available to this process)";
}

}  // namespace

std::string version_report() {
  std::string out = std::string("sigmount ") + kVersion + "\n";
  out += std::string("hashes: sha256 blake2b blake3 (blake3: ") +
         hashing::Blake3::implementation() + ")\n";
  out += "reader: " + reader_line() + "\n";
  out += "libfuse: " + fs::libfuse_version() + "\n";
  out += std::string("openssl: ") + OpenSSL_version(OPENSSL_VERSION) + "\n";
  return out;
}

}  // namespace sigmount::tools
