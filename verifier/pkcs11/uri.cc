#include "verifier/pkcs11/uri.h"

#include <charconv>
#include <filesystem>

#include "verifier/errors.h"
#include "verifier/format/bounded_file.h"

namespace sigmount::verifier::pkcs11 {
namespace {

constexpr std::size_t kMaxPinFileBytes = 1024;

[[noreturn]] void reject(const std::string& why) {
  throw FormatError("PKCS#11 URI: " + why);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view value, std::string_view name) {
  std::string out;
  out.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] != '%') {
      out += value[i];
      continue;
    }
    const int high = i + 2 < value.size() ? hex_value(value[i + 1]) : -1;
    const int low = i + 2 < value.size() ? hex_value(value[i + 2]) : -1;
    if (high < 0 || low < 0) reject("attribute '" + std::string(name) + "' has a bad %-escape");
    out += static_cast<char>((high << 4) | low);
    i += 2;
  }
  return out;
}

bool is_library_version(std::string_view v) {
  const auto digits = [](std::string_view s) {
    return !s.empty() && s.size() <= 3 &&
           s.find_first_not_of("0123456789") == std::string_view::npos;
  };
  const auto dot = v.find('.');
  if (dot == std::string_view::npos) return digits(v);
  return digits(v.substr(0, dot)) && digits(v.substr(dot + 1));
}

std::uint32_t parse_slot_id(std::string_view v) {
  std::uint32_t slot = 0;
  const auto [end, error] = std::from_chars(v.data(), v.data() + v.size(), slot);
  if (v.empty() || error != std::errc() || end != v.data() + v.size()) {
    reject("slot-id must be a decimal number below 2^32");
  }
  return slot;
}

template <class T>
void set_once(std::optional<T>& field, T value, std::string_view name) {
  if (field) reject("attribute '" + std::string(name) + "' appears twice");
  field = std::move(value);
}

void set_path_attribute(Uri& uri, std::string_view name, std::string value) {
  if (name == "token") return set_once(uri.token, std::move(value), name);
  if (name == "manufacturer") return set_once(uri.manufacturer, std::move(value), name);
  if (name == "serial") return set_once(uri.serial, std::move(value), name);
  if (name == "model") return set_once(uri.model, std::move(value), name);
  if (name == "library-manufacturer")
    return set_once(uri.library_manufacturer, std::move(value), name);
  if (name == "library-description")
    return set_once(uri.library_description, std::move(value), name);
  if (name == "library-version") {
    if (!is_library_version(value)) reject("library-version must be M or M.N");
    return set_once(uri.library_version, std::move(value), name);
  }
  if (name == "slot-description") return set_once(uri.slot_description, std::move(value), name);
  if (name == "slot-manufacturer") return set_once(uri.slot_manufacturer, std::move(value), name);
  if (name == "slot-id") return set_once(uri.slot_id, parse_slot_id(value), name);
  if (name == "object") return set_once(uri.object, std::move(value), name);
  if (name == "id") return set_once(uri.id, Bytes(value.begin(), value.end()), name);
  if (name == "type") {
    if (value != "public" && value != "private" && value != "cert" && value != "secret-key" &&
        value != "data") {
      reject("type must be public, private, cert, secret-key or data");
    }
    return set_once(uri.type, std::move(value), name);
  }
  reject("unknown path attribute '" + std::string(name) + "'");
}

void set_query_attribute(Uri& uri, std::string_view name, std::string value) {
  if (name == "module-path") {
    if (!std::filesystem::path(value).is_absolute()) reject("module-path must be absolute");
    return set_once(uri.module_path, std::move(value), name);
  }
  if (name == "module-name") {
    if (value.empty() || value.find('/') != std::string::npos) {
      reject("module-name must be a file name, without '/'");
    }
    return set_once(uri.module_name, std::move(value), name);
  }
  if (name == "pin-value") return set_once(uri.pin_value, std::move(value), name);
  if (name == "pin-source") return set_once(uri.pin_source, std::move(value), name);
  reject("unknown query attribute '" + std::string(name) + "'");
}

// Splits "a=1;b=2" at `separator` and hands each decoded name/value pair to `set`.
template <class Setter>
void parse_attributes(std::string_view part, char separator, std::string_view kind, Setter set) {
  while (true) {
    const auto end = part.find(separator);
    const std::string_view attribute = part.substr(0, end);
    const auto equals = attribute.find('=');
    if (equals == std::string_view::npos || equals == 0) {
      reject("malformed " + std::string(kind) + " attribute (expected name=value)");
    }
    const std::string_view name = attribute.substr(0, equals);
    if (name.find('%') != std::string_view::npos) reject("attribute names take no %-escapes");
    set(name, percent_decode(attribute.substr(equals + 1), name));
    if (end == std::string_view::npos) return;
    part.remove_prefix(end + 1);
  }
}

bool starts_with_scheme(std::string_view text) {
  constexpr std::string_view kScheme = "pkcs11:";
  if (text.size() < kScheme.size()) return false;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    const char c = text[i];
    const char lower = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    if (lower != kScheme[i]) return false;
  }
  return true;
}

}  // namespace

Uri Uri::parse(std::string_view text) {
  if (text.size() > kMaxUriBytes) reject("longer than " + std::to_string(kMaxUriBytes) + " bytes");
  if (!starts_with_scheme(text)) reject("does not start with 'pkcs11:'");
  text.remove_prefix(7);
  Uri uri;
  const auto question = text.find('?');
  const std::string_view path = text.substr(0, question);
  if (!path.empty()) {
    parse_attributes(path, ';', "path", [&](std::string_view name, std::string value) {
      set_path_attribute(uri, name, std::move(value));
    });
  }
  if (question != std::string_view::npos) {
    parse_attributes(text.substr(question + 1), '&', "query",
                     [&](std::string_view name, std::string value) {
                       set_query_attribute(uri, name, std::move(value));
                     });
  }
  if (uri.pin_value && uri.pin_source) reject("give pin-value or pin-source, not both");
  return uri;
}

std::optional<std::string> pin_of(const Uri& uri) {
  if (uri.pin_value) return uri.pin_value;
  if (!uri.pin_source) return std::nullopt;
  std::string_view source = *uri.pin_source;
  if (source.starts_with("file:")) source.remove_prefix(5);
  if (source.starts_with("//")) source.remove_prefix(2);  // file:///run/pin
  if (!std::filesystem::path(source).is_absolute()) {
    reject("pin-source must be an absolute path or file: URI");
  }
  std::string pin = read_bounded_file(std::filesystem::path(source), kMaxPinFileBytes, "PIN file");
  if (pin.ends_with("\r\n")) {
    pin.resize(pin.size() - 2);
  } else if (pin.ends_with('\n')) {
    pin.pop_back();
  }
  return pin;
}

}  // namespace sigmount::verifier::pkcs11
