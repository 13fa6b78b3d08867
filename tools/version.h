// `sigmount --version`: the version and what this build and this machine give it.
#pragma once

#include <string>

namespace sigmount::tools {

// "sigmount X.Y.Z" and one line each for the hash algorithms, the backing-file reader this
// process would use (io_uring is often blocked in containers), libfuse and OpenSSL.
std::string version_report();

}  // namespace sigmount::tools
