#include "verifier/provenance/provenance.h"

#include <algorithm>
#include <cctype>

#include "verifier/errors.h"

namespace sigmount::verifier::provenance {
namespace {

constexpr std::string_view kWhat = "provenance";

bool is_hex(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(),
                                      [](unsigned char c) { return std::isxdigit(c) != 0; });
}

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// A member that must be a string when present (absent and null read as absent).
std::optional<std::string> optional_string(const json::Value& object, std::string_view key,
                                           std::string_view what) {
  if (!object.is_object() || !json::has(object, key)) return std::nullopt;
  return json::string_at(object, key, what);
}

const json::Value* optional_object(const json::Value& object, std::string_view key,
                                   std::string_view what) {
  if (!object.is_object() || !json::has(object, key)) return nullptr;
  return &json::object_at(object, key, what);
}

std::map<std::string, std::string> read_digest_set(const json::Value& digest,
                                                   const std::string& what) {
  json::require_object(digest, what);
  std::map<std::string, std::string> out;
  for (const auto& [algorithm, value] : digest.items()) {
    if (!value.is_string()) throw FormatError(what + "." + algorithm + ": expected a string");
    std::string hex = lowercase(value.get<std::string>());
    if (algorithm == "sha256" && (hex.size() != 64 || !is_hex(hex))) {
      throw FormatError(what + ".sha256: expected 64 hex digits, found \"" + hex + "\"");
    }
    out.emplace(algorithm, std::move(hex));
  }
  return out;
}

std::vector<Subject> read_subjects(const json::Value& statement) {
  std::vector<Subject> subjects;
  json::for_each_object_at(statement, "subject", kWhat, kMaxSubjects,
                           [&](const json::Value& item, const std::string& what) {
                             Subject subject;
                             if (auto name = optional_string(item, "name", what)) {
                               subject.name = std::move(*name);
                             }
                             subject.digest = read_digest_set(json::object_at(item, "digest", what),
                                                              what + ".digest");
                             if (subject.digest.empty()) throw FormatError(what + ": empty digest");
                             subjects.push_back(std::move(subject));
                           });
  if (subjects.empty()) throw FormatError("provenance: the statement has no subject");
  return subjects;
}

// The first git entry of materials / resolvedDependencies: the source that was built (the
// GitHub builders list it first; a model build may list base models and data sets too).
void read_source_dependency(const json::Value& holder, std::string_view key, std::string_view what,
                            Provenance& out) {
  const auto& items = json::bounded_array_at(holder, key, what, kMaxDependencies);
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string item_what =
        std::string(what) + "." + std::string(key) + "[" + std::to_string(i) + "]";
    json::require_object(items[i], item_what);
    const auto uri = optional_string(items[i], "uri", item_what);
    if (!uri || !uri->starts_with("git+")) continue;
    out.source = parse_git_uri(*uri, item_what + ".uri");
    if (const auto* digest = optional_object(items[i], "digest", item_what)) {
      const auto set = read_digest_set(*digest, item_what + ".digest");
      for (const char* algorithm : {"gitCommit", "sha1"}) {
        if (auto it = set.find(algorithm); it != set.end()) {
          out.source_commit = it->second;
          break;
        }
      }
    }
    return;
  }
}

// GitHub's context, under `prefix`-cased names: github_ref (v0.2) or GITHUB_REF (v1).
void read_github_context(const json::Value& context, bool upper, std::string_view what,
                         Provenance& out) {
  const auto name = [&](std::string key) {
    if (upper) {
      std::transform(key.begin(), key.end(), key.begin(),
                     [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    }
    return key;
  };
  out.ref_type = optional_string(context, name("github_ref_type"), what);
  out.github_ref = optional_string(context, name("github_ref"), what);
  out.event_name = optional_string(context, name("github_event_name"), what);
  if (auto base = optional_string(context, name("github_base_ref"), what); base && !base->empty()) {
    out.base_ref = std::move(base);
  }
  if (const auto* payload = optional_object(context, name("github_event_payload"), what)) {
    const std::string payload_what = std::string(what) + "." + name("github_event_payload");
    if (!out.base_ref && payload->contains("base_ref") && payload->at("base_ref").is_string()) {
      out.base_ref = payload->at("base_ref").get<std::string>();
    }
    if (const auto* release = optional_object(*payload, "release", payload_what)) {
      out.release_target = optional_string(*release, "target_commitish", payload_what + ".release");
    }
    if (const auto* inputs = optional_object(*payload, "inputs", payload_what)) {
      out.workflow_inputs = *inputs;
    }
  }
}

void read_v02(const json::Value& predicate, Provenance& out) {
  constexpr std::string_view kPredicateWhat = "provenance.predicate";
  out.builder_id = json::string_at(json::object_at(predicate, "builder", kPredicateWhat), "id",
                                   "provenance.predicate.builder");
  out.build_type = json::string_at(predicate, "buildType", kPredicateWhat);
  const auto& invocation = json::object_at(predicate, "invocation", kPredicateWhat);
  if (const auto* config = optional_object(invocation, "configSource", "provenance.invocation")) {
    if (auto uri = optional_string(*config, "uri", "provenance.invocation.configSource")) {
      out.trigger = parse_git_uri(*uri, "invocation.configSource.uri");
    }
  }
  if (const auto* environment =
          optional_object(invocation, "environment", "provenance.invocation")) {
    read_github_context(*environment, false, "provenance.invocation.environment", out);
  }
  read_source_dependency(predicate, "materials", kPredicateWhat, out);
}

// "OWNER/REPO/.github/workflows/x.yml@REF" (GITHUB_WORKFLOW_REF) as a git URI of its repository.
std::optional<GitUri> workflow_ref_uri(const std::string& workflow_ref) {
  const auto at = workflow_ref.rfind('@');
  if (at == std::string::npos) throw FormatError("provenance: GITHUB_WORKFLOW_REF has no @ref");
  const std::string path = workflow_ref.substr(0, at);
  const auto first = path.find('/');
  const auto second = first == std::string::npos ? first : path.find('/', first + 1);
  const std::string repository = path.substr(0, second);
  if (first == std::string::npos || repository.size() <= first + 1) {
    throw FormatError("provenance: GITHUB_WORKFLOW_REF \"" + workflow_ref +
                      "\" names no repository");
  }
  return parse_git_uri("git+https://github.com/" + repository + workflow_ref.substr(at),
                       "GITHUB_WORKFLOW_REF");
}

void read_v1(const json::Value& predicate, Provenance& out) {
  constexpr std::string_view kPredicateWhat = "provenance.predicate";
  const auto& definition = json::object_at(predicate, "buildDefinition", kPredicateWhat);
  const auto& run = json::object_at(predicate, "runDetails", kPredicateWhat);
  out.builder_id = json::string_at(json::object_at(run, "builder", "provenance.runDetails"), "id",
                                   "provenance.runDetails.builder");
  out.build_type = json::string_at(definition, "buildType", "provenance.buildDefinition");
  const json::Value empty = json::Value::object();
  const json::Value* external =
      optional_object(definition, "externalParameters", "provenance.buildDefinition");
  if (external == nullptr) external = &empty;
  const json::Value* internal =
      optional_object(definition, "internalParameters", "provenance.buildDefinition");
  if (internal == nullptr) internal = &empty;
  constexpr std::string_view kExternalWhat = "provenance.externalParameters";
  constexpr std::string_view kInternalWhat = "provenance.internalParameters";

  read_github_context(*internal, true, kInternalWhat, out);
  if (const auto* github = optional_object(*internal, "github", kInternalWhat)) {
    // actions.github.io/buildtypes/workflow/v1 and sigmount's in-GitHub provenance.
    if (auto event =
            optional_string(*github, "event_name", "provenance.internalParameters.github")) {
      out.event_name = std::move(event);
    }
    out.runner_environment =
        optional_string(*github, "runner_environment", "provenance.internalParameters.github");
  }

  if (const auto* workflow = optional_object(*external, "workflow", kExternalWhat);
      workflow != nullptr &&
      (out.build_type == kGitHubWorkflowBuildType || out.build_type == kModelBuildType)) {
    const std::string repository =
        json::string_at(*workflow, "repository", "provenance.externalParameters.workflow");
    const std::string ref =
        json::string_at(*workflow, "ref", "provenance.externalParameters.workflow");
    out.trigger =
        parse_git_uri(normalize_repository(repository) + "@" + ref, "externalParameters.workflow");
  } else if (out.build_type == kContainerBasedBuildType) {
    const auto& source = json::object_at(*external, "source", kExternalWhat);
    out.trigger =
        parse_git_uri(json::string_at(source, "uri", "provenance.externalParameters.source"),
                      "externalParameters.source.uri");
  } else if (out.build_type == kModelBuildType) {
    if (auto source = optional_string(*external, "source", kExternalWhat)) {
      out.trigger = parse_git_uri(*source, "externalParameters.source");
    }
  } else if (auto workflow_ref = optional_string(*internal, "GITHUB_WORKFLOW_REF", kInternalWhat)) {
    out.trigger = workflow_ref_uri(*workflow_ref);
  }
  if (out.build_type == kDelegatorBuildType || out.build_type == kModelBuildType) {
    // The delegator records the trusted workflow's inputs as the build's external parameters.
    if (const auto* inputs = optional_object(*external, "inputs", kExternalWhat);
        inputs != nullptr && out.workflow_inputs.empty()) {
      out.workflow_inputs = *inputs;
    }
  }
  read_source_dependency(definition, "resolvedDependencies", "provenance.buildDefinition", out);
  if (!out.github_ref && out.trigger && !out.trigger->ref.empty())
    out.github_ref = out.trigger->ref;
}

}  // namespace

std::string normalize_repository(std::string_view uri) {
  std::string text(uri);
  if (text.starts_with("git+")) text.erase(0, 4);
  if (!text.starts_with("https://") && !text.starts_with("http://")) text = "https://" + text;
  while (!text.empty() && text.back() == '/') text.pop_back();
  if (text.ends_with(".git")) text.resize(text.size() - 4);
  return "git+" + text;
}

GitUri parse_git_uri(std::string_view uri, std::string_view field) {
  if (uri.empty()) throw FormatError("provenance: " + std::string(field) + " is empty");
  if (!uri.starts_with("git+https://") && !uri.starts_with("https://")) {
    throw FormatError("provenance: " + std::string(field) + " \"" + std::string(uri) +
                      "\" is not a git+https:// URI");
  }
  GitUri out;
  out.text = std::string(uri);
  out.field = std::string(field);
  std::string_view repository = uri;
  // The ref follows the last '@' after the host: git+https://github.com/o/r@refs/tags/v1.
  const auto scheme_end = uri.find("://") + 3;
  if (const auto at = uri.find('@', scheme_end); at != std::string_view::npos) {
    repository = uri.substr(0, at);
    out.ref = std::string(uri.substr(at + 1));
    if (out.ref.empty() || out.ref.find('@') != std::string::npos) {
      throw FormatError("provenance: " + std::string(field) + " \"" + std::string(uri) +
                        "\" has a malformed ref");
    }
  }
  out.repository = normalize_repository(repository);
  return out;
}

Provenance parse_provenance(std::string_view payload_type, ByteView payload) {
  if (payload_type != kInTotoPayloadType) {
    throw FormatError("provenance: DSSE payload type \"" + std::string(payload_type) +
                      "\" is not an in-toto statement (" + std::string(kInTotoPayloadType) + ")");
  }
  json::Limits limits;
  limits.max_bytes = kMaxProvenanceBytes;
  const json::Value statement = json::parse(as_chars(payload), "provenance statement", limits);
  json::require_object(statement, kWhat);
  json::reject_unknown_keys(statement, {"_type", "subject", "predicateType", "predicate"}, kWhat);
  Provenance out;
  out.statement_type = json::string_at(statement, "_type", kWhat);
  if (out.statement_type != kStatementV01 && out.statement_type != kStatementV1) {
    throw FormatError("provenance: _type: expected \"" + std::string(kStatementV1) + "\" or \"" +
                      std::string(kStatementV01) + "\", found \"" + out.statement_type + "\"");
  }
  const std::string predicate_type = json::string_at(statement, "predicateType", kWhat);
  const auto& predicate = json::object_at(statement, "predicate", kWhat);
  out.subjects = read_subjects(statement);
  if (predicate_type == kProvenanceV02) {
    out.version = PredicateVersion::v0_2;
    read_v02(predicate, out);
  } else if (predicate_type == kProvenanceV1) {
    out.version = PredicateVersion::v1_0;
    read_v1(predicate, out);
  } else {
    throw FormatError("provenance: predicateType: expected \"" + std::string(kProvenanceV1) +
                      "\" or \"" + std::string(kProvenanceV02) + "\", found \"" + predicate_type +
                      "\"");
  }
  return out;
}

}  // namespace sigmount::verifier::provenance
