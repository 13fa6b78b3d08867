#include "verifier/sigstore/checkpoint.h"

#include <algorithm>
#include <charconv>

#include "verifier/errors.h"
#include "verifier/format/base64.h"
#include "verifier/sigstore/crypto.h"

namespace sigmount::verifier::sigstore {
namespace {

constexpr std::size_t kMaxSignatures = 100;
constexpr std::size_t kMaxNoteBytes = 1u << 16;
constexpr std::string_view kEmDashSpace = "\xE2\x80\x94 ";

std::vector<std::string_view> split_lines(std::string_view text) {
  // `text` ends with '\n'; every line is returned without it.
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

}  // namespace

SignedNote parse_signed_note(std::string_view envelope) {
  if (envelope.size() > kMaxNoteBytes) throw FormatError("checkpoint: note too large");
  for (const char c : envelope) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && c != '\n') || byte == 0x7f) {
      throw FormatError("checkpoint: control character in the note");
    }
  }
  const std::size_t split = envelope.rfind("\n\n");
  if (split == std::string_view::npos) {
    throw FormatError("checkpoint: no blank line between text and signatures");
  }
  SignedNote note;
  note.text = std::string(envelope.substr(0, split + 1));
  const std::string_view block = envelope.substr(split + 2);
  if (block.empty()) throw FormatError("checkpoint: carries no signature");
  if (block.back() != '\n') {
    throw FormatError("checkpoint: the signature block must end with a newline");
  }
  const auto lines = split_lines(block);
  if (lines.size() > kMaxSignatures) throw FormatError("checkpoint: too many signature lines");
  for (const std::string_view line : lines) {
    if (!line.starts_with(kEmDashSpace)) {
      throw FormatError("checkpoint: signature line does not start with an em dash");
    }
    const std::string_view rest = line.substr(kEmDashSpace.size());
    const std::size_t space = rest.find(' ');
    if (space == std::string_view::npos || space == 0) {
      throw FormatError("checkpoint: malformed signature line");
    }
    NoteSignature signature;
    signature.key_name = std::string(rest.substr(0, space));
    if (signature.key_name.find('+') != std::string::npos) {
      throw FormatError("checkpoint: key name contains '+'");
    }
    const Bytes decoded = base64_decode(rest.substr(space + 1), "checkpoint signature");
    if (decoded.size() < 5) throw FormatError("checkpoint: signature too short");
    std::copy_n(decoded.begin(), 4, signature.key_hint.begin());
    signature.signature.assign(decoded.begin() + 4, decoded.end());
    note.signatures.push_back(std::move(signature));
  }
  return note;
}

Checkpoint parse_checkpoint_text(std::string_view text) {
  if (text.empty() || text.back() != '\n')
    throw FormatError("checkpoint: text must end with a newline");
  const auto lines = split_lines(text);
  if (lines.size() < 3) throw FormatError("checkpoint: needs origin, size and root hash lines");
  Checkpoint checkpoint;
  if (lines[0].empty()) throw FormatError("checkpoint: empty origin");
  checkpoint.origin = std::string(lines[0]);
  const std::string_view size = lines[1];
  const auto [end, ec] =
      std::from_chars(size.data(), size.data() + size.size(), checkpoint.tree_size);
  if (size.empty() || ec != std::errc() || end != size.data() + size.size() ||
      (size.size() > 1 && size[0] == '0')) {
    throw FormatError("checkpoint: tree size is not a decimal number");
  }
  checkpoint.root_hash = base64_decode(lines[2], "checkpoint root hash");
  if (checkpoint.root_hash.size() != 32) throw FormatError("checkpoint: root hash is not 32 bytes");
  for (std::size_t i = 3; i < lines.size(); ++i) {
    if (lines[i].empty()) throw FormatError("checkpoint: empty extension line");
    checkpoint.extensions.emplace_back(lines[i]);
  }
  return checkpoint;
}

Checkpoint verify_checkpoint(std::string_view envelope, const TransparencyLogInstance& log) {
  const SignedNote note = parse_signed_note(envelope);
  if (log.checkpoint_key_id.size() < 4) {
    throw VerificationError("checkpoint: the trusted root has no key ID for " + log.base_url);
  }
  std::size_t verified = 0;
  for (const auto& signature : note.signatures) {
    if (signature.key_name != log.key_name ||
        !std::equal(signature.key_hint.begin(), signature.key_hint.end(),
                    log.checkpoint_key_id.begin())) {
      continue;  // another signer (a witness, a rotated key): not ours to judge
    }
    if (!verify_signature(log.public_key.get(), as_bytes(note.text), signature.signature,
                          EVP_sha256())) {
      throw VerificationError("checkpoint: the signature of log " + log.key_name +
                              " does not verify");
    }
    ++verified;
  }
  if (verified == 0) {
    throw VerificationError("checkpoint: not signed by log " + log.key_name +
                            " (no signature line with its name and key ID)");
  }
  Checkpoint checkpoint = parse_checkpoint_text(note.text);
  // Rekor v2 names its checkpoints after the key; Rekor v1 appends " - <tree ID>".
  if (checkpoint.origin != log.key_name && !checkpoint.origin.starts_with(log.key_name + " - ")) {
    throw VerificationError("checkpoint: origin \"" + checkpoint.origin + "\" is not log " +
                            log.key_name);
  }
  return checkpoint;
}

}  // namespace sigmount::verifier::sigstore
