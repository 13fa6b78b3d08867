#include "verifier/trust/pem_certificates.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <string>

#include "verifier/errors.h"

namespace sigmount::verifier::trust {

std::vector<X509Cert> load_pem_certificates(std::string_view pem, std::string_view what) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) throw std::bad_alloc();
  std::vector<X509Cert> out;
  while (true) {
    X509Cert certificate(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!certificate) {
      // The end of the text reads as "no start line"; anything else is a broken block.
      const unsigned long error = ERR_peek_last_error();
      ERR_clear_error();
      if (ERR_GET_REASON(error) == PEM_R_NO_START_LINE) break;
      throw FormatError(std::string(what) + ": malformed PEM certificate");
    }
    out.push_back(std::move(certificate));
    if (out.size() > 4096) throw FormatError(std::string(what) + ": too many certificates");
  }
  return out;
}

X509Cert load_der_certificate(ByteView der, std::string_view what) {
  const unsigned char* cursor = der.data();
  X509Cert certificate(d2i_X509(nullptr, &cursor, static_cast<long>(der.size())));
  ERR_clear_error();
  if (!certificate || cursor != der.data() + der.size()) {
    throw FormatError(std::string(what) + ": not a DER X.509 certificate");
  }
  return certificate;
}

Bytes certificate_der(const X509* certificate) {
  unsigned char* der = nullptr;
  const int size = i2d_X509(certificate, &der);
  if (size <= 0) {
    ERR_clear_error();
    throw FormatError("certificate: cannot encode");
  }
  Bytes out(der, der + size);
  OPENSSL_free(der);
  return out;
}

std::string subject_name(const X509* certificate) {
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio) throw std::bad_alloc();
  X509_NAME_print_ex(bio.get(), X509_get_subject_name(certificate), 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

}  // namespace sigmount::verifier::trust
