#include "verifier/format/bounded_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

#include "hashing/unique_fd.h"
#include "verifier/errors.h"

namespace sigmount::verifier {

std::string read_bounded_file(const std::filesystem::path& path, std::size_t max_bytes,
                              std::string_view what) {
  const auto name = [&] { return std::string(what) + " " + path.string(); };
  // A named pipe nobody writes to (a model.sig planted in a model directory) reads as empty.
  const UniqueFd fd = open_for_reading(path);
  if (fd.get() < 0)
    throw std::system_error(errno, std::generic_category(), "cannot open " + name());
  const auto too_large = [&] {
    return FormatError(name() + ": larger than " + std::to_string(max_bytes) + " bytes");
  };
  // One allocation of the right size for a regular file (a 10,000-file bundle is 2 MB and its
  // copies showed up in the mount time); growth for anything else.
  struct stat st {};
  std::string text;
  if (::fstat(fd.get(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
    if (static_cast<std::uintmax_t>(st.st_size) > max_bytes) throw too_large();
    text.reserve(static_cast<std::size_t>(st.st_size) + 1);
  }
  constexpr std::size_t kChunk = std::size_t{64} << 10;
  std::size_t used = 0;
  while (true) {
    if (used > max_bytes) throw too_large();
    // Never more than one byte past the bound (how a file of exactly max_bytes is told from a
    // larger one); a regular file in one read.
    const std::size_t want =
        std::min(max_bytes + 1 - used, std::max(kChunk, text.capacity() - used));
    if (text.size() < used + want) text.resize(std::max(used + want, text.capacity()));
    const ssize_t got = ::read(fd.get(), text.data() + used, want);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "cannot read " + name());
    }
    if (got == 0) break;
    used += static_cast<std::size_t>(got);
  }
  text.resize(used);
  return text;
}

}  // namespace sigmount::verifier
