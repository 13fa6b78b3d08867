#include "tools/provenance_options.h"

namespace sigmount::tools {

void add_provenance_requirement_options(ArgParser& parser) {
  parser
      .value("source-uri", "URI",
             "The repository the build must come from, e.g. github.com/OWNER/REPO. Required.")
      .value("source-tag", "TAG", "The git tag the build must have run for (e.g. v1.2.3).")
      .value("source-branch", "BRANCH", "The branch the build must have run for (e.g. main).")
      .value("builder-id", "ID",
             "The builder to trust (a workflow URI, optionally @ref). Keyless: default the "
             "slsa-github-generator builders; key or certificate: required.")
      .list("build-workflow-input", "K=V",
            "A workflow_dispatch input the build must have had (repeatable).");
}

std::pair<std::string, std::string> key_value(const std::string& option, const std::string& text) {
  const auto equals = text.find('=');
  if (equals == std::string::npos || equals == 0) {
    throw UsageError("--" + option + " needs KEY=VALUE, got '" + text + "'");
  }
  return {text.substr(0, equals), text.substr(equals + 1)};
}

verifier::provenance::ProvenancePolicy provenance_requirements_from(const ParsedArgs& args) {
  verifier::provenance::ProvenancePolicy policy;
  policy.source_uri = args.required("source-uri");
  policy.source_tag = args.value("source-tag");
  policy.source_branch = args.value("source-branch");
  if (policy.source_tag && policy.source_branch) {
    throw UsageError("--source-tag and --source-branch are exclusive");
  }
  policy.builder_id = args.value("builder-id");
  for (const auto& input : args.list("build-workflow-input")) {
    policy.workflow_inputs.push_back(key_value("build-workflow-input", input));
  }
  return policy;
}

}  // namespace sigmount::tools
