// Loading X.509 certificates from PEM text and DER bytes.
#pragma once

#include <string_view>
#include <vector>

#include "hashing/bytes.h"
#include "hashing/openssl_handle.h"

namespace sigmount::verifier::trust {

// Every certificate in `pem` (may be none). Throws FormatError for a malformed block.
std::vector<X509Cert> load_pem_certificates(std::string_view pem, std::string_view what);
// Exactly one DER certificate, no trailing bytes.
X509Cert load_der_certificate(ByteView der, std::string_view what);
Bytes certificate_der(const X509* certificate);
// RFC 2253 subject, for messages.
std::string subject_name(const X509* certificate);

}  // namespace sigmount::verifier::trust
