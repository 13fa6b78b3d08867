#include "verifier/format/statement.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <exception>
#include <string>

#include "verifier/errors.h"
#include "verifier/format/dsse.h"
#include "verifier/format/json.h"

namespace sigmount::verifier {
namespace {

using json::Value;

constexpr std::size_t kMaxIgnorePaths = 1u << 16;
constexpr std::size_t kMaxNameBytes = 4096;

std::string indexed(std::string_view what, std::size_t i) {
  return std::string(what) + "[" + std::to_string(i) + "]";
}

hashing::Digest hex_digest(std::string_view hex, std::size_t expected_size,
                           const std::string& what) {
  const auto bytes = from_hex(hex);
  if (!bytes) throw FormatError(what + ": not a hex digest");
  if (bytes->size() != expected_size) {
    throw FormatError(what + ": expected " + std::to_string(expected_size) + " bytes, got " +
                      std::to_string(bytes->size()));
  }
  return hashing::Digest(*bytes);
}

// hex_digest for predicate.resources[index], naming the resource only when it is wrong.
hashing::Digest resource_digest(std::string_view hex, std::size_t expected_size,
                                std::size_t index) {
  if (const auto bytes = from_hex(hex); bytes && bytes->size() == expected_size) {
    return hashing::Digest(*bytes);
  }
  return hex_digest(hex, expected_size, indexed("predicate.resources", index) + ".digest");
}

void check_name_length(const std::string& name, std::string_view key, std::string_view what) {
  if (name.size() > kMaxNameBytes) {
    throw FormatError(std::string(what) + "." + std::string(key) + ": too long");
  }
}

std::string bounded_name(const Value& object, std::string_view key, std::string_view what) {
  std::string name = json::string_at(object, key, what);
  check_name_length(name, key, what);
  return name;
}

// shard_size: model_signing writes a JSON double (1000000000.0, protobuf Struct numbers),
// the OMS spec an integer; both must be a positive whole number.
std::uint64_t parse_shard_size(const Value& serialization) {
  const std::string_view what = "predicate.serialization.shard_size";
  if (!json::has(serialization, "shard_size")) throw FormatError(std::string(what) + ": missing");
  const Value& value = serialization.at("shard_size");
  if (value.is_number_unsigned()) {
    const auto size = value.get<std::uint64_t>();
    if (size > 0) return size;
  } else if (value.is_number_float()) {
    const double size = value.get<double>();
    // 2^53: every whole double below it is exact, and no real shard is larger.
    if (std::isfinite(size) && size >= 1 && size <= 9007199254740992.0 &&
        std::floor(size) == size) {
      return static_cast<std::uint64_t>(size);
    }
  }
  throw FormatError(std::string(what) + ": expected a positive whole number");
}

Serialization parse_serialization(const Value& predicate) {
  const std::string_view what = "predicate.serialization";
  const Value& value = json::object_at(predicate, "serialization", "predicate");
  Serialization out;
  const std::string method = json::string_at(value, "method", what);
  if (method == "files") {
    out.method = SerializationMethod::files;
  } else if (method == "shards") {
    out.method = SerializationMethod::shards;
  } else {
    throw FormatError(std::string(what) + ".method: unknown method '" + method + "'");
  }
  const std::string hash_type = json::string_at(value, "hash_type", what);
  const auto hash = hashing::parse_algorithm_name(hash_type);
  if (!hash) throw FormatError(std::string(what) + ".hash_type: unknown '" + hash_type + "'");
  out.hash = *hash;
  out.allow_symlinks = json::bool_at(value, "allow_symlinks", what);
  if (out.method == SerializationMethod::shards) out.shard_size = parse_shard_size(value);
  if (json::has(value, "ignore_paths")) {
    const Value& paths = json::array_at(value, "ignore_paths", what);
    if (paths.size() > kMaxIgnorePaths) {
      throw FormatError(std::string(what) + ".ignore_paths: too many");
    }
    for (std::size_t i = 0; i < paths.size(); ++i) {
      const std::string item_what = indexed(std::string(what) + ".ignore_paths", i);
      if (!paths[i].is_string()) throw FormatError(item_what + ": expected a string");
      const auto& path = paths[i].get_ref<const std::string&>();
      if (path.size() > kMaxNameBytes) throw FormatError(item_what + ": too long");
      out.ignore_paths.push_back(path);
    }
  }
  return out;
}

// predicate.resources of a v1.0 statement, taken from the parse one element at a time
// (json::parse_streaming) instead of from a tree of 10,000 small objects. Checks are made in
// the order a walk of the whole document would make them: the count, then resource by resource
// the name, the algorithm and the digest. A digest is only type-checked here; its hex and size
// are checked in take(), once the serialization (which may come later in the text) has said
// which hash it is. After the first bad resource the rest are counted, not kept.
class ListedResources {
 public:
  void add(Value&& element) {
    const std::size_t index = count_++;
    if (index >= kMaxResources || first_error_) return;
    try {
      // Reused: 10,000 resources would otherwise build 10,000 names for errors they never have.
      what_.resize(kWhatPrefix.size());
      what_ += std::to_string(index);
      what_ += ']';
      json::require_object(element, what_);
      Listed listed;
      listed.name = json::take_string_at(element, "name", what_);
      check_name_length(listed.name, "name", what_);
      listed.algorithm = json::take_string_at(element, "algorithm", what_);
      check_name_length(listed.algorithm, "algorithm", what_);
      listed.digest_hex = json::take_string_at(element, "digest", what_);
      listed_.push_back(std::move(listed));
    } catch (const FormatError&) {
      first_error_ = std::current_exception();
    }
  }

  std::vector<Resource> take(std::size_t digest_size) {
    if (count_ > kMaxResources) throw FormatError("predicate.resources: too many");
    std::vector<Resource> out;
    out.reserve(listed_.size());
    for (std::size_t i = 0; i < listed_.size(); ++i) {
      Listed& listed = listed_[i];
      out.push_back({.name = std::move(listed.name),
                     .algorithm = std::move(listed.algorithm),
                     .digest = resource_digest(listed.digest_hex, digest_size, i)});
    }
    if (first_error_) std::rethrow_exception(first_error_);
    return out;
  }

 private:
  struct Listed {
    std::string name;
    std::string algorithm;
    std::string digest_hex;
  };
  static constexpr std::string_view kWhatPrefix = "predicate.resources[";
  std::size_t count_ = 0;
  std::vector<Listed> listed_;
  std::exception_ptr first_error_;
  std::string what_{kWhatPrefix};
};

Statement parse_v1_0(const Value& document, ListedResources& resources) {
  Statement out;
  const Value& subjects = json::array_at(document, "subject", "statement");
  if (subjects.size() != 1) {
    throw FormatError("statement.subject: expected exactly one subject, got " +
                      std::to_string(subjects.size()));
  }
  const Value& subject = subjects[0];
  json::require_object(subject, "statement.subject[0]");
  out.model_name = bounded_name(subject, "name", "statement.subject[0]");
  const Value& digest = json::object_at(subject, "digest", "statement.subject[0]");
  out.root_digest = hex_digest(json::string_at(digest, "sha256", "statement.subject[0].digest"), 32,
                               "statement.subject[0].digest.sha256");

  const Value& predicate = json::object_at(document, "predicate", "statement");
  out.serialization = parse_serialization(predicate);
  // Streamed away: present and an array is all the document itself still says.
  (void)json::array_at(predicate, "resources", "predicate");
  out.resources = resources.take(hashing::digest_size(out.serialization.hash));
  // The subject binds the list: recompute over the order listed, as model_signing does.
  const hashing::Digest computed = root_digest(out.resources);
  if (!(computed == out.root_digest)) {
    throw FormatError("statement: manifest is inconsistent: root digest is " +
                      out.root_digest.hex() + " but the resources hash to " + computed.hex());
  }
  return out;
}

// model_signing 0.2: one subject per file, always files/sha256, no root digest.
Statement parse_v0_2(const Value& document) {
  Statement out;
  out.model_name = std::string(kModelSigning02ModelName);
  out.serialization.method = SerializationMethod::files;
  out.serialization.hash = hashing::HashAlgorithm::sha256;
  const Value& subjects = json::array_at(document, "subject", "statement");
  if (subjects.size() > kMaxResources) throw FormatError("statement.subject: too many");
  for (std::size_t i = 0; i < subjects.size(); ++i) {
    const std::string what = indexed("statement.subject", i);
    json::require_object(subjects[i], what);
    Resource resource;
    resource.name = bounded_name(subjects[i], "name", what);
    resource.algorithm = "sha256";
    const Value& digest = json::object_at(subjects[i], "digest", what);
    resource.digest = hex_digest(json::string_at(digest, "sha256", what + ".digest"), 32,
                                 what + ".digest.sha256");
    out.resources.push_back(std::move(resource));
  }
  out.root_digest = root_digest(out.resources);
  return out;
}

}  // namespace

// Members we do not read (in-toto annotations, other predicate keys) are allowed, as
// model_signing allows them: the statement is authenticated as a whole by the signature, so
// an extra member cannot change what the members we read say.
Statement parse_statement(std::string_view payload_type, ByteView payload) {
  if (payload_type != kInTotoPayloadType) {
    throw FormatError("dsseEnvelope.payloadType: expected '" + std::string(kInTotoPayloadType) +
                      "', got '" + std::string(payload_type) + "'");
  }
  // predicate.resources is read as the parse goes; a v0.2 statement has no such member.
  static constexpr std::array<std::string_view, 2> kResourcesPath = {"predicate", "resources"};
  ListedResources resources;
  const Value document = json::parse_streaming(
      as_chars(payload), "statement", {.max_bytes = kMaxStatementBytes, .max_depth = 16},
      kResourcesPath, [&resources](Value&& element) { resources.add(std::move(element)); });
  json::require_object(document, "statement");
  const std::string type = json::string_at(document, "_type", "statement");
  if (type != kStatementType) {
    throw FormatError("statement._type: expected '" + std::string(kStatementType) + "', got '" +
                      type + "'");
  }
  const std::string predicate_type = json::string_at(document, "predicateType", "statement");
  if (predicate_type == kPredicateType) return parse_v1_0(document, resources);
  if (predicate_type == kModelSigning02PredicateType) return parse_v0_2(document);
  throw FormatError("statement.predicateType: unknown predicate type '" + predicate_type + "'");
}

std::string write_statement(std::string_view model_name, const Serialization& serialization,
                            std::span<const Resource> resources) {
  using Ordered = nlohmann::ordered_json;
  Ordered serialization_json = Ordered::object();
  serialization_json["method"] =
      serialization.method == SerializationMethod::files ? "files" : "shards";
  serialization_json["hash_type"] = std::string(hashing::algorithm_name(serialization.hash));
  serialization_json["allow_symlinks"] = serialization.allow_symlinks;
  if (serialization.method == SerializationMethod::shards) {
    serialization_json["shard_size"] = serialization.shard_size;
  }
  if (!serialization.ignore_paths.empty()) {
    std::vector<std::string> paths = serialization.ignore_paths;
    std::sort(paths.begin(), paths.end());
    paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
    serialization_json["ignore_paths"] = paths;
  }
  Ordered resources_json = Ordered::array();
  for (const Resource& resource : resources) {
    Ordered item = Ordered::object();
    item["name"] = resource.name;
    item["algorithm"] = resource.algorithm;
    item["digest"] = resource.digest.hex();
    resources_json.push_back(std::move(item));
  }
  Ordered subject = Ordered::object();
  subject["name"] = std::string(model_name);
  subject["digest"] = Ordered::object({{"sha256", root_digest(resources).hex()}});

  Ordered statement = Ordered::object();
  statement["_type"] = std::string(kStatementType);
  statement["subject"] = Ordered::array({subject});
  statement["predicateType"] = std::string(kPredicateType);
  Ordered predicate = Ordered::object();
  predicate["serialization"] = std::move(serialization_json);
  predicate["resources"] = std::move(resources_json);
  statement["predicate"] = std::move(predicate);
  try {
    return statement.dump(2);
  } catch (const nlohmann::json::type_error&) {
    // Names come from the file system; the OMS format is UTF-8 only.
    throw FormatError("statement: a name or path is not valid UTF-8");
  }
}

}  // namespace sigmount::verifier
