// `sigmount provenance verify|generate`: SLSA provenance for models and artifacts.
#pragma once

#include <span>
#include <string>

namespace sigmount::tools {

int provenance_main(std::span<const std::string> args);

}  // namespace sigmount::tools
