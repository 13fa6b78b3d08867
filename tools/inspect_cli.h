// `sigmount inspect`: what a signature claims (signer material, model name, serialization,
// resources) WITHOUT verifying it, clearly labelled so; for looking, never for trusting.
#pragma once

#include <span>
#include <string>

namespace sigmount::tools {

int inspect_main(std::span<const std::string> args);

}  // namespace sigmount::tools
