// Signed checkpoints (C2SP signed-note + tlog-checkpoint): the log's signed statement of its
// size and root hash, which is what makes an inclusion proof mean anything.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hashing/bytes.h"
#include "verifier/sigstore/trusted_root.h"

namespace sigmount::verifier::sigstore {

struct NoteSignature {
  std::string key_name;
  std::array<std::uint8_t, 4> key_hint{};
  Bytes signature;
};

struct SignedNote {
  std::string text;  // the signed bytes, including the final newline
  std::vector<NoteSignature> signatures;
};

struct Checkpoint {
  std::string origin;
  std::uint64_t tree_size = 0;
  Bytes root_hash;
  std::vector<std::string> extensions;  // e.g. Rekor v1's "Timestamp: <nanos>"
};

// Throw FormatError on malformed notes / checkpoint bodies.
SignedNote parse_signed_note(std::string_view envelope);
Checkpoint parse_checkpoint_text(std::string_view text);

// Finds the signature lines of `log` (by key name AND key ID hint; lines of other signers,
// e.g. witnesses, are ignored), requires each of them to verify and at least one to exist,
// checks the origin, and returns the checkpoint. Throws VerificationError / FormatError.
Checkpoint verify_checkpoint(std::string_view envelope, const TransparencyLogInstance& log);

}  // namespace sigmount::verifier::sigstore
