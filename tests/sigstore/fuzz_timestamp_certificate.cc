// libFuzzer: DER parsing of RFC 3161 responses and of Fulcio certificates with their
// extensions (SAN, OIDC issuer, KU/EKU, embedded SCTs). The first byte picks the parser.
#include <cstddef>
#include <cstdint>

#include "hashing/bytes.h"
#include "verifier/errors.h"
#include "verifier/sigstore/crypto.h"
#include "verifier/sigstore/fulcio_certificate.h"
#include "verifier/sigstore/rfc3161_timestamp.h"
#include "verifier/sigstore/sct.h"
#include "verifier/sigstore/trusted_root.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace sigstore = sigmount::verifier::sigstore;
  using sigmount::verifier::FormatError;
  using sigmount::verifier::VerificationError;
  static const sigstore::TrustedRoot root = sigstore::production_trusted_root();
  if (size == 0) return 0;
  const sigmount::ByteView der(data + 1, size - 1);
  try {
    if (data[0] % 2 == 0) {
      (void)sigstore::parse_timestamp_response(der);
      (void)sigstore::verify_rfc3161_timestamp(der, der.first(der.size() / 2), root);
    } else {
      const auto leaf = sigstore::certificate_from_der(der, "fuzz certificate");
      (void)sigstore::read_certificate_identity(leaf.get());
      (void)sigstore::certificate_validity(leaf.get());
      try {
        sigstore::check_signing_leaf_profile(leaf.get());
      } catch (const VerificationError&) {
      }
      sigstore::verify_embedded_scts(leaf.get(), leaf.get(), root);
    }
  } catch (const FormatError&) {
  } catch (const VerificationError&) {
  }
  return 0;
}
