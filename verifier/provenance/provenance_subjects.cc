#include "verifier/provenance/provenance_subjects.h"

#include <set>

#include "verifier/errors.h"

namespace sigmount::verifier::provenance {
namespace {

constexpr std::size_t kMaxNamedProblems = 10;

std::set<std::string> subject_sha256s(const VerifiedProvenance& provenance) {
  std::set<std::string> out;
  for (const auto& subject : provenance.provenance().subjects) {
    if (auto it = subject.digest.find("sha256"); it != subject.digest.end()) out.insert(it->second);
  }
  return out;
}

std::string describe_subjects(const VerifiedProvenance& provenance) {
  std::string out;
  std::size_t shown = 0;
  for (const auto& subject : provenance.provenance().subjects) {
    if (shown++ == 3) return out + ", ...";
    auto it = subject.digest.find("sha256");
    out += (out.empty() ? "" : ", ") + subject.name +
           " sha256:" + (it == subject.digest.end() ? std::string("none") : it->second);
  }
  return out;
}

void throw_problems(std::vector<std::string> problems) {
  if (problems.size() > kMaxNamedProblems) {
    const std::size_t more = problems.size() - kMaxNamedProblems;
    problems.resize(kMaxNamedProblems);
    problems.push_back("... and " + std::to_string(more) + " more");
  }
  throw VerificationError(std::move(problems));
}

}  // namespace

void require_subject(const VerifiedProvenance& provenance, std::string_view name,
                     const hashing::Digest& sha256) {
  if (!subject_sha256s(provenance).contains(sha256.hex())) {
    throw VerificationError("artifact " + std::string(name) +
                            ": subject digest: expected sha256:" + sha256.hex() +
                            " among the subjects, found " + describe_subjects(provenance));
  }
}

void require_model_subjects(const VerifiedProvenance& provenance, std::span<const Resource> files) {
  const auto subjects = subject_sha256s(provenance);
  if (subjects.contains(root_digest(files).hex())) return;
  std::vector<std::string> problems;
  for (const auto& file : files) {
    if (!subjects.contains(file.digest.hex())) {
      problems.push_back("model file " + file.name + ": subject digest: expected sha256:" +
                         file.digest.hex() + " among the subjects, found none");
    }
  }
  if (files.empty()) problems.emplace_back("model: no file to find among the subjects");
  if (!problems.empty()) {
    problems.push_back("(nor is the model's root digest sha256:" + root_digest(files).hex() +
                       " a subject)");
    throw_problems(std::move(problems));
  }
}

void require_same_bytes(const VerifiedProvenance& provenance, const VerifiedManifest& manifest) {
  const auto subjects = subject_sha256s(provenance);
  if (subjects.contains(manifest.root_digest().hex())) return;
  const bool per_file = manifest.serialization().method == SerializationMethod::files &&
                        manifest.serialization().hash == hashing::HashAlgorithm::sha256;
  if (!per_file) {
    throw VerificationError(
        "provenance and signature describe different bytes: subject digest: expected the "
        "signed root digest sha256:" +
        manifest.root_digest().hex() + ", found " + describe_subjects(provenance));
  }
  std::vector<std::string> problems;
  std::set<std::string> signed_digests;
  for (const auto& file : manifest.files()) {
    const std::string hex = file.shards.front().digest.hex();
    signed_digests.insert(hex);
    if (!subjects.contains(hex)) {
      problems.push_back("provenance and signature describe different bytes: signed file " +
                         file.path + " (sha256:" + hex + ") is not a provenance subject");
    }
  }
  for (const auto& subject : provenance.provenance().subjects) {
    auto it = subject.digest.find("sha256");
    if (it == subject.digest.end() || !signed_digests.contains(it->second)) {
      if (problems.size() > kMaxNamedProblems) break;
      problems.push_back(
          "provenance and signature describe different bytes: provenance subject " + subject.name +
          " (sha256:" + (it == subject.digest.end() ? std::string("none") : it->second) +
          ") is not a signed file");
    }
  }
  // One line: a mount says why it refused in one line.
  if (!problems.empty()) {
    throw VerificationError(problems.front() +
                            (problems.size() > 1
                                 ? " (and " + std::to_string(problems.size() - 1) + " more)"
                                 : std::string()));
  }
}

}  // namespace sigmount::verifier::provenance
