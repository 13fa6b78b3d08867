// Bounded JSON parsing and typed field access for hostile documents. Every accessor throws
// FormatError naming the field, so a malformed document yields one clear line.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>

namespace sigmount::verifier::json {

using Value = nlohmann::json;

struct Limits {
  std::size_t max_bytes = 64u << 20;
  std::size_t max_depth = 64;
  // Values kept in the document returned (elements of a streamed array are not kept and do not
  // count). A value costs 40-100 bytes of memory and can take 2 bytes of text ("{},"), so the
  // byte bound alone let a 60 MB bundle take 2.3 GB before its schema was checked.
  std::size_t max_values = std::size_t{1} << 20;
};

// Parses `text` as one JSON document; rejects oversize input, excessive nesting and invalid
// UTF-8. `what` names the document in errors ("bundle", "trusted root").
Value parse(std::string_view text, std::string_view what, Limits limits = {});
// parse(), except that the elements of the array at `path` (member names from the root) go to
// `element`, in order, and that array reads as empty (json_parser.h says why and when).
Value parse_streaming(std::string_view text, std::string_view what, Limits limits,
                      std::span<const std::string_view> path,
                      const std::function<void(Value&&)>& element);

// A member that is absent or JSON null counts as absent (the protobuf JSON mapping).
bool has(const Value& object, std::string_view key);
const Value& object_at(const Value& object, std::string_view key, std::string_view what);
const Value& array_at(const Value& object, std::string_view key, std::string_view what);
// An array member with at most `max_items` items; absent or null reads as empty (protobuf
// JSON leaves out empty repeated fields).
const Value& bounded_array_at(const Value& object, std::string_view key, std::string_view what,
                              std::size_t max_items);
// Calls `visit(item, item_what)` for each item of bounded_array_at(object, key, what,
// max_items), in order, after checking that the item is an object; `item_what` is
// "what.key[i]", for errors.
void for_each_object_at(
    const Value& object, std::string_view key, std::string_view what, std::size_t max_items,
    const std::function<void(const Value& item, const std::string& item_what)>& visit);
const std::string& string_at(const Value& object, std::string_view key, std::string_view what);
// string_at, moving the string out of a document about to be dropped.
std::string take_string_at(Value& object, std::string_view key, std::string_view what);
bool bool_at(const Value& object, std::string_view key, std::string_view what);
// int64 as protobuf writes it (a decimal string) or as a JSON integer.
std::int64_t int64_at(const Value& object, std::string_view key, std::string_view what);
void require_object(const Value& value, std::string_view what);
// Rejects members other than `allowed` (strict formats, like model_signing's reader).
void reject_unknown_keys(const Value& object, std::initializer_list<std::string_view> allowed,
                         std::string_view what);

}  // namespace sigmount::verifier::json
