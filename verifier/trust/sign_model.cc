#include "verifier/trust/sign_model.h"

#include "verifier/errors.h"
#include "verifier/format/statement.h"

namespace sigmount::verifier::trust {

std::string model_statement(const std::filesystem::path& root, const ModelOptions& options,
                            Serialization serialization, const HashingKnobs& knobs) {
  serialization.allow_symlinks = options.allow_symlinks;
  serialization.ignore_paths = recorded_ignore_paths(root, options);
  const std::vector<Resource> resources = serialize_model(root, options, serialization, knobs);
  // A manifest of nothing verifies any directory at all (the OMS spec rejects empty models);
  // typically the model root itself was among the ignored paths.
  if (resources.empty()) {
    throw VerificationError("nothing to sign: no file of " + root.string() +
                            " is left to hash (is the model itself ignored?)");
  }
  return write_statement(model_name(root), serialization, resources);
}

std::string sign_model(const std::filesystem::path& root, const ModelOptions& options,
                       Serialization serialization, const KeySigner& signer,
                       const HashingKnobs& knobs) {
  return sign_statement(model_statement(root, options, std::move(serialization), knobs), signer);
}

std::string sign_model(const std::filesystem::path& root, const ModelOptions& options,
                       Serialization serialization, const CertificateSigner& signer,
                       const HashingKnobs& knobs) {
  return sign_statement(model_statement(root, options, std::move(serialization), knobs), signer);
}

}  // namespace sigmount::verifier::trust
