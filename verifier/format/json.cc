#include "verifier/format/json.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "verifier/errors.h"

namespace sigmount::verifier::json {
namespace {

std::string field(std::string_view what, std::string_view key) {
  return std::string(what) + "." + std::string(key);
}

// Builds the document in one linear SAX pass while enforcing the depth bound and rejecting
// duplicate member names (parsers disagree on which copy wins, so a document with duplicates
// can mean one thing to us and another to the signer). nlohmann's callback parser could do the
// checks, but its end_object scans the parent container: quadratic for a 10,000-resource
// manifest.
class CheckedDomBuilder final : public nlohmann::json_sax<Value> {
 public:
  CheckedDomBuilder(Value& root, std::string_view what, std::size_t max_depth)
      : dom_(root), what_(what), max_depth_(max_depth) {}

  bool null() override { return dom_.null(); }
  bool boolean(bool value) override { return dom_.boolean(value); }
  bool number_integer(number_integer_t value) override { return dom_.number_integer(value); }
  bool number_unsigned(number_unsigned_t value) override { return dom_.number_unsigned(value); }
  bool number_float(number_float_t value, const string_t& text) override {
    return dom_.number_float(value, text);
  }
  bool string(string_t& value) override { return dom_.string(value); }
  bool binary(binary_t& value) override { return dom_.binary(value); }
  bool start_object(std::size_t elements) override {
    enter();
    members_.emplace_back();
    return dom_.start_object(elements);
  }
  bool key(string_t& name) override {
    if (!members_.back().insert(name).second) {
      throw FormatError(std::string(what_) + ": duplicate member \"" + name + "\"");
    }
    return dom_.key(name);
  }
  bool end_object() override {
    members_.pop_back();
    --depth_;
    return dom_.end_object();
  }
  bool start_array(std::size_t elements) override {
    enter();
    return dom_.start_array(elements);
  }
  bool end_array() override {
    --depth_;
    return dom_.end_array();
  }
  bool parse_error(std::size_t /*position*/, const std::string& /*token*/,
                   const nlohmann::detail::exception& error) override {
    throw FormatError(std::string(what_) + ": not valid JSON (" + error.what() + ")");
  }

 private:
  void enter() {
    if (++depth_ > max_depth_) {
      throw FormatError(std::string(what_) + ": nested deeper than " + std::to_string(max_depth_) +
                        " levels");
    }
  }
  nlohmann::detail::json_sax_dom_parser<Value> dom_;
  std::string_view what_;
  std::size_t max_depth_;
  std::size_t depth_ = 0;
  std::vector<std::set<std::string>> members_;
};

}  // namespace

Value parse(std::string_view text, std::string_view what, Limits limits) {
  if (text.size() > limits.max_bytes) {
    throw FormatError(std::string(what) + ": larger than " + std::to_string(limits.max_bytes) +
                      " bytes");
  }
  Value root;
  CheckedDomBuilder builder(root, what, limits.max_depth);
  try {
    Value::sax_parse(text.begin(), text.end(), &builder);
    return root;
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(std::string(what) + ": not valid JSON (" + e.what() + ")");
  }
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

std::string string_at(const Value& object, std::string_view key, std::string_view what) {
  require_object(object, what);
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) throw FormatError(field(what, key) + ": missing");
  if (!it->is_string()) throw FormatError(field(what, key) + ": expected a string");
  return it->get<std::string>();
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
