// libFuzzer: Rekor entry bodies of every supported kind. The first byte picks the kind.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

#include "hashing/bytes.h"
#include "verifier/errors.h"
#include "verifier/sigstore/rekor_body.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kKinds{{
      {"hashedrekord", "0.0.1"},
      {"hashedrekord", "0.0.2"},
      {"dsse", "0.0.1"},
      {"intoto", "0.0.2"},
  }};
  if (size == 0) return 0;
  const auto& [kind, version] = kKinds[data[0] % kKinds.size()];
  try {
    (void)sigmount::verifier::sigstore::parse_rekor_body(sigmount::ByteView(data + 1, size - 1),
                                                         kind, version);
  } catch (const sigmount::verifier::FormatError&) {
  }
  return 0;
}
