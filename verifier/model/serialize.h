// Hashes a model into the OMS resource list, as model_signing's file and file_shard
// serializers do (`_serialization/file.py`, `file_shard.py`).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <vector>

#include "hashing/file_reader.h"
#include "verifier/model/model_walk.h"
#include "verifier/model/resources.h"
#include "verifier/verified_manifest.h"

namespace sigmount::verifier {

// How to hash; what to hash comes from the Serialization.
struct HashingKnobs {
  unsigned workers = 0;  // 0: one per online CPU
  hashing::ReaderBackend backend = hashing::ReaderBackend::automatic;
  // For a progress bar: `on_start` is called once, on the calling thread before any worker
  // exists, with the number of bytes about to be hashed (the files' sizes, known only once the
  // model is walked); `progress` is then called from worker threads with the bytes just hashed,
  // the calls adding up to that total. Either may be empty.
  std::function<void(std::uint64_t total_bytes)> on_start;
  std::function<void(std::uint64_t bytes)> progress;
};

// The resources of `files` (sorted by name, as list_model_files returns them), in
// model_signing order:
// - files: one resource per file, named by the file, algorithm = hash name ("sha256");
// - shards: ranges [0,s), [s,2s), ..., [ks,size) of every non-empty file (empty files are left
//   out, as model_signing does), named "path:start:end", algorithm "<hash>-sharded-<s>".
// BLAKE3 shards ("blake3-sharded-<s>") are produced when asked for: we verify what we sign.
// model_signing itself never writes them (it silently turns blake3 shards into blake3 files)
// and cannot verify them; its files/blake3 manifests verify here as files.
// Throws std::invalid_argument for shards of size 0, std::system_error for I/O errors, and
// VerificationError when a file's size changes while it is being hashed.
std::vector<Resource> serialize_files(std::span<const ModelFile> files,
                                      const Serialization& serialization,
                                      const HashingKnobs& knobs = {});

// `options` plus the model-relative `ignore_paths` that `serialization` records: how the model
// is walked when it is hashed again to be compared with a signed manifest.
ModelOptions with_recorded_ignores(ModelOptions options, const Serialization& serialization);

// list_model_files(root, options) then serialize_files(). The `ignore_paths` recorded in
// `serialization` are ignored too (so a verified manifest's serialization can be passed as is);
// `serialization.allow_symlinks` is not used: options.allow_symlinks decides, as the
// model_signing CLI does at verify time.
std::vector<Resource> serialize_model(const std::filesystem::path& root,
                                      const ModelOptions& options,
                                      const Serialization& serialization,
                                      const HashingKnobs& knobs = {});

}  // namespace sigmount::verifier
