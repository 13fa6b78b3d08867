#include "verifier/sigstore/dsse_pae.h"

#include <string>

namespace sigmount::verifier::sigstore {

Bytes dsse_pae(std::string_view payload_type, ByteView payload) {
  const std::string header = "DSSEv1 " + std::to_string(payload_type.size()) + " " +
                             std::string(payload_type) + " " + std::to_string(payload.size()) + " ";
  Bytes out(header.begin(), header.end());
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

}  // namespace sigmount::verifier::sigstore
