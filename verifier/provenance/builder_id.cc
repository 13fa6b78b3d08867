#include "verifier/provenance/builder_id.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace sigmount::verifier::provenance {
namespace {

constexpr std::array<std::string_view, 5> kDefaultBuilders = {
    "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/"
    "generator_generic_slsa3.yml",
    "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/"
    "builder_go_slsa3.yml",
    "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/"
    "builder_container-based_slsa3.yml",
    "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/"
    "delegator_generic_slsa3.yml",
    "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/"
    "delegator_lowperms-generic_slsa3.yml",
};

bool is_number(std::string_view text) {
  return !text.empty() && (text.size() == 1 || text.front() != '0') &&
         std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); });
}

}  // namespace

BuilderId parse_builder_id(std::string_view id) {
  const auto at = id.rfind('@');
  if (at == std::string_view::npos) return {std::string(id), ""};
  return {std::string(id.substr(0, at)), std::string(id.substr(at + 1))};
}

bool matches_loosely(const BuilderId& actual, std::string_view expected) {
  const BuilderId wanted = parse_builder_id(expected);
  if (wanted.name != actual.name) return false;
  return wanted.ref.empty() || wanted.ref == actual.ref;
}

bool is_release_tag(std::string_view ref) {
  constexpr std::string_view kPrefix = "refs/tags/v";
  if (!ref.starts_with(kPrefix)) return false;
  std::string_view version = ref.substr(kPrefix.size());
  for (int part = 0; part < 3; ++part) {
    const auto dot = version.find('.');
    const std::string_view number = part < 2 ? version.substr(0, dot) : version;
    if (!is_number(number)) return false;
    if (part < 2) {
      if (dot == std::string_view::npos) return false;
      version.remove_prefix(dot + 1);
    }
  }
  return true;
}

std::span<const std::string_view> default_trusted_builders() {
  return kDefaultBuilders;
}

bool is_delegator(std::string_view builder_name) {
  return builder_name == kDefaultBuilders[3] || builder_name == kDefaultBuilders[4];
}

}  // namespace sigmount::verifier::provenance
