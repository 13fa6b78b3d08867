// libFuzzer target: Uri::parse must either return or throw FormatError, and whatever it
// accepts is bounded by the input (no attribute longer than the URI).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "verifier/errors.h"
#include "verifier/pkcs11/uri.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sigmount::verifier;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const pkcs11::Uri uri = pkcs11::Uri::parse(text);
    if (uri.object && uri.object->size() > size) __builtin_trap();
    if (uri.id && uri.id->size() > size) __builtin_trap();
    if (uri.pin_value && uri.pin_source) __builtin_trap();
  } catch (const FormatError&) {
  }
  return 0;
}
