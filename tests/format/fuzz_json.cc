// libFuzzer target, differential: sigmount's strict JSON reader against nlohmann's parser.
//  * Whatever ours accepts, nlohmann accepts, with an equal value.
//  * Whatever nlohmann accepts, ours accepts too, unless the document is one ours refuses on
//    purpose: a repeated member name, nesting deeper than the bound, a leading byte order mark
//    (nlohmann skips it), or a number outside double's range.
//  * A NUL byte anywhere is refused (nlohmann stops reading there).
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "verifier/errors.h"
#include "verifier/format/json.h"

namespace {

constexpr std::size_t kDepth = 16;

// nlohmann's SAX events, used only to learn whether the document has a duplicate member or
// deep nesting: reasons for ours to refuse what nlohmann reads.
class Shape final : public nlohmann::json_sax<nlohmann::json> {
 public:
  bool duplicate = false;
  std::size_t max_depth = 0;
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override {
    enter();
    members_.emplace_back();
    return true;
  }
  bool key(string_t& name) override {
    if (!members_.back().insert(name).second) duplicate = true;
    return true;
  }
  bool end_object() override {
    members_.pop_back();
    --depth_;
    return true;
  }
  bool start_array(std::size_t) override {
    enter();
    return true;
  }
  bool end_array() override {
    --depth_;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  void enter() { max_depth = std::max(max_depth, ++depth_); }
  std::size_t depth_ = 0;
  std::vector<std::set<std::string>> members_;
};

// Equal, except that doubles which nlohmann rounds to zero or a subnormal may be refused or
// rounded differently by ours (from_chars reports underflow where strtod does not).
bool same(const nlohmann::json& a, const nlohmann::json& b) {
  if (a.is_number_float() || b.is_number_float()) {
    if (!a.is_number() || !b.is_number()) return false;
    const double x = a.get<double>();
    const double y = b.get<double>();
    return x == y || (std::fabs(x) < 1e-300 && std::fabs(y) < 1e-300);
  }
  if (a.type() != b.type()) return a == b;  // integer vs unsigned of the same value
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (!same(a[i], b[i])) return false;
    }
    return true;
  }
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto it = a.begin(); it != a.end(); ++it) {
      const auto other = b.find(it.key());
      if (other == b.end() || !same(*it, *other)) return false;
    }
    return true;
  }
  return a == b;
}

// Whether `value` holds a double that a number out of double's range may have become: an
// overflow (infinite) or an underflow (zero or nearly).
bool has_out_of_range_double(const nlohmann::json& value) {
  if (value.is_number_float()) {
    const double x = value.get<double>();
    return !std::isfinite(x) || std::fabs(x) < 1e-300;
  }
  if (value.is_structured()) {
    for (const auto& element : value) {
      if (has_out_of_range_double(element)) return true;
    }
  }
  return false;
}

// The streaming parse is the same parse: it fails exactly when the plain one does, and the
// elements it passed on, put back at the path, give the same document.
void check_streaming(std::string_view text, const std::optional<nlohmann::json>& plain) {
  static constexpr std::array<std::string_view, 2> kPath = {"a", "b"};
  std::vector<nlohmann::json> streamed;
  std::optional<nlohmann::json> document;
  try {
    document = sigmount::verifier::json::parse_streaming(
        text, "fuzz", {.max_depth = kDepth}, kPath,
        [&streamed](nlohmann::json&& element) { streamed.push_back(std::move(element)); });
  } catch (const sigmount::verifier::FormatError&) {
  }
  if (document.has_value() != plain.has_value()) std::abort();
  if (!document) return;
  nlohmann::json* array = nullptr;
  if (document->is_object()) {
    const auto a = document->find("a");
    if (a != document->end() && a->is_object()) {
      const auto b = a->find("b");
      if (b != a->end() && b->is_array()) array = &*b;
    }
  }
  if (array == nullptr) {
    if (!streamed.empty()) std::abort();
  } else {
    if (!array->empty()) std::abort();
    for (auto& element : streamed) array->push_back(std::move(element));
  }
  if (!same(*document, *plain)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  // nlohmann reads a NUL byte as the end of the input; JSON has no place for one, so ours must
  // refuse the whole input, and the comparison goes on with what nlohmann sees.
  if (const auto nul = text.find('\0'); nul != std::string_view::npos) {
    try {
      (void)sigmount::verifier::json::parse(text, "fuzz", {.max_depth = kDepth});
      std::abort();
    } catch (const sigmount::verifier::FormatError&) {
    }
    text = text.substr(0, nul);
  }
  std::optional<nlohmann::json> ours;
  bool ours_out_of_range = false;
  try {
    ours = sigmount::verifier::json::parse(text, "fuzz", {.max_depth = kDepth});
  } catch (const sigmount::verifier::FormatError& error) {
    ours_out_of_range =
        std::string_view(error.what()).find("number out of range") != std::string_view::npos;
  }
  check_streaming(text, ours);
  std::optional<nlohmann::json> reference;
  try {
    reference = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception&) {
  }
  if (ours) {
    if (!reference || !same(*ours, *reference)) std::abort();
    return 0;
  }
  if (!reference) return 0;
  Shape shape;
  nlohmann::json::sax_parse(text, &shape);
  const bool refused_on_purpose = shape.duplicate || shape.max_depth > kDepth ||
                                  text.starts_with("\xef\xbb\xbf") ||
                                  (ours_out_of_range && has_out_of_range_double(*reference));
  if (!refused_on_purpose) std::abort();
  return 0;
}
