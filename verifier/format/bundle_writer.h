// Writes key and certificate bundles exactly in model_signing 1.1's shape, so its verifier
// (pydantic, extra="forbid", mediaType v0.3 only) reads ours: compact JSON, camelCase,
// `tlogEntries: []`, `keyid: ""`, standard padded base64.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "hashing/bytes.h"

namespace sigmount::verifier {

inline constexpr std::string_view kModelSigningBundleMediaType =
    "application/vnd.dev.sigstore.bundle.v0.3+json";

// {"mediaType":...,"verificationMaterial":{"publicKey":{"hint":...},"tlogEntries":[]},
//  "dsseEnvelope":{"payload":...,"payloadType":...,"signatures":[{"sig":...,"keyid":""}]}}
std::string write_key_bundle(std::string_view hint, std::string_view payload_type, ByteView payload,
                             ByteView signature);

// As above with "x509CertificateChain":{"certificates":[{"rawBytes":<DER>},...]}, leaf first.
std::string write_certificate_bundle(std::span<const Bytes> der_chain,
                                     std::string_view payload_type, ByteView payload,
                                     ByteView signature);

}  // namespace sigmount::verifier
