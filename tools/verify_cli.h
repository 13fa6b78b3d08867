// `sigmount verify key|certificate|sigstore`: verify the bundle under the chosen trust, then
// check the model against the signed manifest; one line per problem.
#pragma once

#include <span>
#include <string>

namespace sigmount::tools {

int verify_main(std::span<const std::string> args);

}  // namespace sigmount::tools
