#include "verifier/format/json.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <string>
#include <vector>

#include "verifier/errors.h"
#include "verifier/format/json_parser.h"

namespace sigmount::verifier::json {
namespace {

std::string field(std::string_view what, std::string_view key) {
  return std::string(what) + "." + std::string(key);
}

void check_size(std::string_view text, std::string_view what, const Limits& limits) {
  if (text.size() > limits.max_bytes) {
    throw FormatError(std::string(what) + ": larger than " + std::to_string(limits.max_bytes) +
                      " bytes");
  }
}

}  // namespace

Value parse(std::string_view text, std::string_view what, Limits limits) {
  check_size(text, what, limits);
  return parse_strict(text, what, limits.max_depth, limits.max_values);
}

Value parse_streaming(std::string_view text, std::string_view what, Limits limits,
                      std::span<const std::string_view> path,
                      const std::function<void(Value&&)>& element) {
  check_size(text, what, limits);
  return parse_strict_streaming(text, what, limits.max_depth, limits.max_values, path, element);
}

bool has(const Value& object, std::string_view key) {
  if (!object.is_object()) return false;
  const auto it = object.find(key);
  return it != object.end() && !it->is_null();
}

void require_object(const Value& value, std::string_view what) {
  if (!value.is_object()) throw FormatError(std::string(what) + ": expected a JSON object");
}

const Value& object_at(const Value& object, std::string_view key, std::string_view what) {
  require_object(object, what);
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) throw FormatError(field(what, key) + ": missing");
  if (!it->is_object()) throw FormatError(field(what, key) + ": expected an object");
  return *it;
}

const Value& array_at(const Value& object, std::string_view key, std::string_view what) {
  require_object(object, what);
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) throw FormatError(field(what, key) + ": missing");
  if (!it->is_array()) throw FormatError(field(what, key) + ": expected an array");
  return *it;
}

const Value& bounded_array_at(const Value& object, std::string_view key, std::string_view what,
                              std::size_t max_items) {
  static const Value empty_array = Value::array();
  if (!has(object, key)) return empty_array;
  const Value& array = array_at(object, key, what);
  if (array.size() > max_items) {
    throw FormatError(field(what, key) + ": more than " + std::to_string(max_items) + " items");
  }
  return array;
}

void for_each_object_at(
    const Value& object, std::string_view key, std::string_view what, std::size_t max_items,
    const std::function<void(const Value& item, const std::string& item_what)>& visit) {
  const Value& array = bounded_array_at(object, key, what, max_items);
  for (std::size_t i = 0; i < array.size(); ++i) {
    const std::string item_what = field(what, key) + "[" + std::to_string(i) + "]";
    require_object(array[i], item_what);
    visit(array[i], item_what);
  }
}

const std::string& string_at(const Value& object, std::string_view key, std::string_view what) {
  require_object(object, what);
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) throw FormatError(field(what, key) + ": missing");
  if (!it->is_string()) throw FormatError(field(what, key) + ": expected a string");
  return it->get_ref<const std::string&>();
}

std::string take_string_at(Value& object, std::string_view key, std::string_view what) {
  (void)string_at(object, key, what);
  return std::move(object.find(key)->get_ref<std::string&>());
}

bool bool_at(const Value& object, std::string_view key, std::string_view what) {
  require_object(object, what);
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) throw FormatError(field(what, key) + ": missing");
  if (!it->is_boolean()) throw FormatError(field(what, key) + ": expected true or false");
  return it->get<bool>();
}

std::int64_t int64_at(const Value& object, std::string_view key, std::string_view what) {
  require_object(object, what);
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) throw FormatError(field(what, key) + ": missing");
  // An unsigned JSON number above INT64_MAX would wrap to a negative value.
  if (it->is_number_unsigned()) {
    const auto value = it->get<std::uint64_t>();
    if (value <= static_cast<std::uint64_t>(INT64_MAX)) return static_cast<std::int64_t>(value);
  } else if (it->is_number_integer()) {
    return it->get<std::int64_t>();
  }
  if (it->is_string()) {
    const auto& s = it->get_ref<const std::string&>();
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec == std::errc() && end == s.data() + s.size() && !s.empty()) return value;
  }
  throw FormatError(field(what, key) + ": expected a 64-bit integer");
}

void reject_unknown_keys(const Value& object, std::initializer_list<std::string_view> allowed,
                         std::string_view what) {
  require_object(object, what);
  for (const auto& [key, value] : object.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      throw FormatError(field(what, key) + ": unknown field");
    }
  }
}

}  // namespace sigmount::verifier::json
