// Binding a verified provenance to bytes: artifacts are found among its subjects by SHA-256,
// a model by its files or its OMS root digest, a signed manifest by the same rule, so that a
// mount knows the provenance and the signature speak of the same bytes.
#pragma once

#include <span>
#include <string>

#include "hashing/digest.h"
#include "verifier/model/resources.h"
#include "verifier/provenance/provenance_verifier.h"
#include "verifier/verified_manifest.h"

namespace sigmount::verifier::provenance {

// `name` is for the error: "artifact NAME: sha256 HEX is not a subject of the provenance".
void require_subject(const VerifiedProvenance& provenance, std::string_view name,
                     const hashing::Digest& sha256);

// A model hashed as files/sha256 (`files`: its resources): one subject carries its root
// digest, or every file's digest is a subject. Throws VerificationError naming each file that
// is not.
void require_model_subjects(const VerifiedProvenance& provenance, std::span<const Resource> files);

// The provenance describes the signed bytes: a subject carries the manifest's root digest, or
// (files/sha256 manifests) the subjects' digests are exactly the signed files' digests.
void require_same_bytes(const VerifiedProvenance& provenance, const VerifiedManifest& manifest);

}  // namespace sigmount::verifier::provenance
