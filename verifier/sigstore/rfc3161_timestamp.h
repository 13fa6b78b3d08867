// RFC 3161 signed timestamps: a timestamp authority of the trusted root saw this signature no
// later than genTime. The TSA chain is validated AT genTime, so a chain that expired since is
// still fine, and genTime must fall inside the authority's validFor.
#pragma once

#include <string>

#include "hashing/bytes.h"
#include "verifier/sigstore/trusted_root.h"
#include "verifier/sigstore/validity_period.h"

namespace sigmount::verifier::sigstore {

struct VerifiedTimestamp {
  Instant time;
  std::string authority;
};

struct TimestampToken {  // the parsed, still unverified parts
  Instant gen_time;
  int imprint_digest_nid = 0;
  Bytes imprint;
};

// Throws FormatError on a malformed TimeStampResp (also used by the fuzz target).
TimestampToken parse_timestamp_response(ByteView der);

// `signature`: the bundle's signature bytes, whose hash the token's messageImprint must be.
// Throws VerificationError naming what failed.
VerifiedTimestamp verify_rfc3161_timestamp(ByteView der, ByteView signature,
                                           const TrustedRoot& root);

}  // namespace sigmount::verifier::sigstore
