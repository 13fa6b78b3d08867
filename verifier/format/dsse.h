// DSSE pre-authentication encoding (PAE): the exact bytes a DSSE signature covers.
// Spec: secure-systems-lab/dsse protocol.md v1.0.0.
#pragma once

#include <string_view>

#include "hashing/bytes.h"

namespace sigmount::verifier {

// The in-toto payload type every OMS bundle carries.
inline constexpr std::string_view kInTotoPayloadType = "application/vnd.in-toto+json";

// "DSSEv1 <len(type)> <type> <len(payload)> <payload>", lengths in ASCII decimal.
Bytes dsse_pae(std::string_view payload_type, ByteView payload);

// What model_signing 0.2 actually signed: "DSSEV1" (capital V) and the payload inserted as
// Python's repr() of a bytes object (b'...' with escapes). Verify-only, never produced, so
// 0.2-era bundles still verify; callers try dsse_pae() first.
Bytes dsse_pae_model_signing_v0_2(std::string_view payload_type, ByteView payload);

// Python's repr(bytes): b'...' (or b"..." when the bytes hold ' and no "), printable ASCII
// kept, \\ \t \n \r and the quote escaped, everything else \xhh. Exposed for tests.
std::string python_bytes_repr(ByteView bytes);

}  // namespace sigmount::verifier
