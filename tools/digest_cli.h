// `sigmount digest`: the model's root digest, as `model_signing digest` prints it.
#pragma once

#include <span>
#include <string>

namespace sigmount::tools {

int digest_main(std::span<const std::string> args);

}  // namespace sigmount::tools
