// RFC 7512 PKCS#11 URIs, as `model_signing sign pkcs11-*` takes them:
//   pkcs11:token=ci;object=release-key?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=/run/pin
// The URI is hostile input from a command line or a CI variable: bounded, every attribute known
// (an attribute we would silently ignore could select another key than the user meant), none
// twice. The PIN it may carry is a secret: nothing here puts a value into an error message.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hashing/bytes.h"

namespace sigmount::verifier::pkcs11 {

inline constexpr std::size_t kMaxUriBytes = 4096;

struct Uri {
  // Path attributes: which module, slot, token and object (all percent-decoded).
  std::optional<std::string> token;
  std::optional<std::string> manufacturer;
  std::optional<std::string> serial;
  std::optional<std::string> model;
  std::optional<std::string> library_manufacturer;
  std::optional<std::string> library_description;
  std::optional<std::string> library_version;  // "M" or "M.N"
  std::optional<std::string> slot_description;
  std::optional<std::string> slot_manufacturer;
  std::optional<std::uint32_t> slot_id;
  std::optional<std::string> object;  // CKA_LABEL
  std::optional<Bytes> id;            // CKA_ID
  std::optional<std::string> type;    // public | private | cert | secret-key | data
  // Query attributes: how to load the module and log in.
  std::optional<std::string> module_path;  // absolute: a module file, or a folder to search
  std::optional<std::string> module_name;
  std::optional<std::string> pin_value;
  std::optional<std::string> pin_source;  // a file, as a path or a file: URI

  // Throws FormatError naming the attribute (never its value) for anything RFC 7512 or this
  // signer does not accept.
  static Uri parse(std::string_view text);
};

// The PIN the URI gives: pin-value, or the contents of pin-source (one trailing newline
// dropped, as `echo PIN > file` writes it). nullopt when it gives none.
std::optional<std::string> pin_of(const Uri& uri);

}  // namespace sigmount::verifier::pkcs11
