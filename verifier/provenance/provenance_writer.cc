#include "verifier/provenance/provenance_writer.h"

#include "verifier/errors.h"
#include "verifier/provenance/provenance.h"

namespace sigmount::verifier::provenance {
namespace {

std::string need(const Environment& environment, const std::string& name) {
  auto value = environment(name);
  if (!value || value->empty()) {
    throw FormatError("GitHub Actions context: " + name + " is not set");
  }
  return *value;
}

}  // namespace

ResolvedDependency parse_resolved_dependency(std::string_view text) {
  const auto at = text.rfind('@');
  const auto colon = at == std::string_view::npos ? at : text.find(':', at);
  if (at == std::string_view::npos || at == 0 || colon == std::string_view::npos ||
      colon == at + 1 || colon + 1 == text.size()) {
    throw FormatError("--resolved-dependency " + std::string(text) +
                      ": expected URI@ALGORITHM:HEX (e.g. hf://org/model@sha256:...)");
  }
  ResolvedDependency out;
  out.uri = std::string(text.substr(0, at));
  out.digest.emplace(std::string(text.substr(at + 1, colon - at - 1)),
                     std::string(text.substr(colon + 1)));
  return out;
}

std::optional<BuildRecord> github_actions_record(const Environment& environment) {
  if (environment("GITHUB_ACTIONS").value_or("") != "true") return std::nullopt;
  const std::string server = environment("GITHUB_SERVER_URL").value_or("https://github.com");
  const std::string repository = need(environment, "GITHUB_REPOSITORY");
  const std::string ref = need(environment, "GITHUB_REF");
  const std::string sha = need(environment, "GITHUB_SHA");
  const std::string workflow_ref = need(environment, "GITHUB_WORKFLOW_REF");
  // "OWNER/REPO/.github/workflows/build.yml@refs/heads/main" -> ".github/workflows/build.yml"
  std::string path = workflow_ref.substr(0, workflow_ref.rfind('@'));
  if (path.starts_with(repository + "/")) path.erase(0, repository.size() + 1);

  BuildRecord record;
  record.build_type = std::string(kGitHubWorkflowBuildType);
  record.external_parameters["workflow"] = {
      {"ref", ref}, {"repository", server + "/" + repository}, {"path", path}};
  nlohmann::ordered_json github = nlohmann::ordered_json::object();
  for (const auto& [key, variable] :
       {std::pair{"event_name", "GITHUB_EVENT_NAME"},
        std::pair{"repository_id", "GITHUB_REPOSITORY_ID"},
        std::pair{"repository_owner_id", "GITHUB_REPOSITORY_OWNER_ID"},
        std::pair{"runner_environment", "RUNNER_ENVIRONMENT"}}) {
    if (auto value = environment(variable); value && !value->empty()) github[key] = *value;
  }
  record.internal_parameters["github"] = std::move(github);
  record.resolved_dependencies.push_back(
      {"git+" + server + "/" + repository + "@" + ref, {{"gitCommit", sha}}});
  if (auto run = environment("GITHUB_RUN_ID"); run && !run->empty()) {
    record.invocation_id = server + "/" + repository + "/actions/runs/" + *run + "/attempts/" +
                           environment("GITHUB_RUN_ATTEMPT").value_or("1");
  }
  return record;
}

std::string write_provenance(std::span<const ProvenanceSubject> subjects,
                             const BuildRecord& record) {
  if (subjects.empty()) throw FormatError("provenance: no subject to describe");
  if (record.builder_id.empty()) throw FormatError("provenance: empty builder id");
  if (record.build_type.empty()) throw FormatError("provenance: empty build type");
  nlohmann::ordered_json statement;
  statement["_type"] = std::string(kStatementV1);
  statement["subject"] = nlohmann::ordered_json::array();
  for (const auto& subject : subjects) {
    statement["subject"].push_back(
        {{"name", subject.name}, {"digest", {{"sha256", subject.sha256.hex()}}}});
  }
  statement["predicateType"] = std::string(kProvenanceV1);
  nlohmann::ordered_json definition;
  definition["buildType"] = record.build_type;
  definition["externalParameters"] = record.external_parameters;
  if (!record.internal_parameters.empty()) {
    definition["internalParameters"] = record.internal_parameters;
  }
  if (!record.resolved_dependencies.empty()) {
    definition["resolvedDependencies"] = nlohmann::ordered_json::array();
    for (const auto& dependency : record.resolved_dependencies) {
      definition["resolvedDependencies"].push_back(
          {{"uri", dependency.uri}, {"digest", dependency.digest}});
    }
  }
  nlohmann::ordered_json run;
  run["builder"] = {{"id", record.builder_id}};
  nlohmann::ordered_json metadata = nlohmann::ordered_json::object();
  if (record.invocation_id) metadata["invocationId"] = *record.invocation_id;
  if (record.started_on) metadata["startedOn"] = *record.started_on;
  if (!metadata.empty()) run["metadata"] = std::move(metadata);
  statement["predicate"] = {{"buildDefinition", std::move(definition)},
                            {"runDetails", std::move(run)}};
  return statement.dump(2);
}

}  // namespace sigmount::verifier::provenance
