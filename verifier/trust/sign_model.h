// Signing a model directory (or single file): walk and hash it as model_signing does, write
// the statement, sign it. The result is the bundle JSON to store as the signature file.
#pragma once

#include <filesystem>
#include <string>

#include "verifier/model/model_walk.h"
#include "verifier/model/serialize.h"
#include "verifier/trust/signing.h"
#include "verifier/verified_manifest.h"

namespace sigmount::verifier::trust {

// `serialization` gives the method, hash and shard size; its allow_symlinks is taken from
// `options` and its ignore_paths are replaced by what `options` ignores inside the model
// (recorded so that verifiers ignore the same paths). Throws VerificationError /
// std::system_error from walking and hashing the model.
std::string sign_model(const std::filesystem::path& root, const ModelOptions& options,
                       Serialization serialization, const KeySigner& signer,
                       const HashingKnobs& knobs = {});
std::string sign_model(const std::filesystem::path& root, const ModelOptions& options,
                       Serialization serialization, const CertificateSigner& signer,
                       const HashingKnobs& knobs = {});

// The statement sign_model() signs, for callers that sign elsewhere or only want to look.
std::string model_statement(const std::filesystem::path& root, const ModelOptions& options,
                            Serialization serialization, const HashingKnobs& knobs = {});

}  // namespace sigmount::verifier::trust
