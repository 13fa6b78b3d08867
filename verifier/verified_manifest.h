// What a successful verification proves: the signed list of files and their digests. Only
// verify_signature() can construct one, so anything holding a VerifiedManifest (the mount,
// the model check) holds trusted data and never re-checks trust.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "hashing/digest.h"

namespace sigmount::verifier {

enum class SerializationMethod : std::uint8_t { files, shards };

struct Serialization {
  SerializationMethod method = SerializationMethod::files;
  hashing::HashAlgorithm hash = hashing::HashAlgorithm::sha256;
  bool allow_symlinks = false;
  std::uint64_t shard_size = 0;           // shards only
  std::vector<std::string> ignore_paths;  // as recorded by the signer, '/'-separated
};

// A signed byte range of a file. In the files serialization the single shard has
// end == kToEndOfFile: its digest covers the whole file, whatever its length.
struct Shard {
  static constexpr std::uint64_t kToEndOfFile = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t start = 0;
  std::uint64_t end = 0;
  hashing::Digest digest;
};

struct SignedFile {
  std::string path;           // relative, '/'-separated, no "." or ".." parts ("." = the model)
  std::vector<Shard> shards;  // sorted, contiguous from 0
  bool whole_file() const { return shards.size() == 1 && shards[0].end == Shard::kToEndOfFile; }
};

// Who signed, for logs and `inspect`: "key sha256:<fingerprint>", "certificate CN=...",
// "sigstore <identity> (<issuer>)".
struct Signer {
  std::string description;
};

class VerificationPasskey;

class VerifiedManifest {
 public:
  VerifiedManifest(const VerificationPasskey& /*only the verifier has one*/, std::string model_name,
                   Serialization serialization, std::vector<SignedFile> files,
                   hashing::Digest root_digest, Signer signer)
      : model_name_(std::move(model_name)),
        serialization_(std::move(serialization)),
        files_(std::move(files)),
        root_digest_(root_digest),
        signer_(std::move(signer)) {}

  const std::string& model_name() const { return model_name_; }
  const Serialization& serialization() const { return serialization_; }
  // Sorted as model_signing sorts resources; paths are unique.
  const std::vector<SignedFile>& files() const { return files_; }
  const hashing::Digest& root_digest() const { return root_digest_; }
  const Signer& signer() const { return signer_; }

 private:
  std::string model_name_;
  Serialization serialization_;
  std::vector<SignedFile> files_;
  hashing::Digest root_digest_;
  Signer signer_;
};

// The passkey is default-constructible only by the functions that complete a verification.
class VerificationPasskey {
 private:
  VerificationPasskey() = default;
  friend class SignatureVerifier;
};

}  // namespace sigmount::verifier
