// The options that say what a provenance must prove (slsa-verifier's spelling), shared by
// `provenance verify` and `mount --provenance`.
#pragma once

#include <string>

#include "tools/args.h"
#include "verifier/provenance/provenance_policy.h"

namespace sigmount::tools {

// --source-uri, --source-tag, --source-branch, --builder-id, --build-workflow-input.
void add_provenance_requirement_options(ArgParser& parser);

// The policy's requirements from those options (trust left as given); throws UsageError for
// a missing --source-uri, --source-tag with --source-branch, or an input that is not K=V.
verifier::provenance::ProvenancePolicy provenance_requirements_from(const ParsedArgs& args);

// "K=V" -> {K, V}; throws UsageError naming `option`.
std::pair<std::string, std::string> key_value(const std::string& option, const std::string& text);

}  // namespace sigmount::tools
