// `sigmount sign key|certificate`: hash the model, write the OMS statement, sign it into a
// bundle exactly as model_signing 1.1 writes it.
#pragma once

#include <span>
#include <string>

namespace sigmount::tools {

int sign_main(std::span<const std::string> args);

}  // namespace sigmount::tools
