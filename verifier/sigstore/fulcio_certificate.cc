#include "verifier/sigstore/fulcio_certificate.h"

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include <ctime>

#include "verifier/errors.h"
#include "verifier/sigstore/crypto.h"

namespace sigmount::verifier::sigstore {
namespace {

constexpr const char* kIssuerV1Oid = "1.3.6.1.4.1.57264.1.1";  // raw bytes
constexpr const char* kIssuerV2Oid = "1.3.6.1.4.1.57264.1.8";  // DER UTF8String
constexpr const char* kUsernameOid = "1.3.6.1.4.1.57264.1.7";  // SAN otherName, UTF8String

using Asn1Object = OpenSslHandle<ASN1_OBJECT, ASN1_OBJECT_free>;
using GeneralNames = OpenSslHandle<GENERAL_NAMES, GENERAL_NAMES_free>;
using Utf8String = OpenSslHandle<ASN1_UTF8STRING, ASN1_UTF8STRING_free>;
using BasicConstraints = OpenSslHandle<BASIC_CONSTRAINTS, BASIC_CONSTRAINTS_free>;
using KeyUsage = OpenSslHandle<ASN1_BIT_STRING, ASN1_BIT_STRING_free>;
using ExtendedKeyUsage = OpenSslHandle<EXTENDED_KEY_USAGE, EXTENDED_KEY_USAGE_free>;

Asn1Object oid(const char* text) {
  Asn1Object object(OBJ_txt2obj(text, 1));
  if (!object) throw std::bad_alloc();
  return object;
}

std::string asn1_string(const ASN1_STRING* s) {
  return {reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
          static_cast<std::size_t>(ASN1_STRING_length(s))};
}

}  // namespace

std::optional<std::string> extension_value(const X509* cert, const char* oid_text) {
  const Asn1Object object = oid(oid_text);
  const int index = X509_get_ext_by_OBJ(cert, object.get(), -1);
  if (index < 0) return std::nullopt;
  if (X509_get_ext_by_OBJ(cert, object.get(), index) >= 0) {
    throw FormatError(std::string("certificate: extension ") + oid_text + " appears twice");
  }
  return asn1_string(X509_EXTENSION_get_data(X509_get_ext(cert, index)));
}

std::optional<std::string> utf8_extension_value(const X509* cert, const char* oid_text) {
  const auto der = extension_value(cert, oid_text);
  if (!der) return std::nullopt;
  const auto* p = reinterpret_cast<const unsigned char*>(der->data());
  Utf8String value(d2i_ASN1_UTF8STRING(nullptr, &p, static_cast<long>(der->size())));
  ERR_clear_error();
  if (!value || p != reinterpret_cast<const unsigned char*>(der->data()) + der->size()) {
    throw FormatError(std::string("certificate: extension ") + oid_text + " is not a UTF8String");
  }
  return asn1_string(value.get());
}

namespace {

Instant asn1_time_to_instant(const ASN1_TIME* time) {
  std::tm tm{};
  if (ASN1_TIME_to_tm(time, &tm) != 1) throw FormatError("certificate: malformed validity time");
  return instant_from_unix_seconds(static_cast<std::int64_t>(timegm(&tm)));
}

std::string last_openssl_chain_error(X509_STORE_CTX* ctx) {
  const int error = X509_STORE_CTX_get_error(ctx);
  return X509_verify_cert_error_string(error);
}

bool self_signed(X509* cert) {
  return X509_self_signed(cert, 0) == 1;
}

}  // namespace

CertificateIdentity read_certificate_identity(const X509* leaf) {
  CertificateIdentity identity;
  int critical = 0;
  GeneralNames names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(leaf, NID_subject_alt_name, &critical, nullptr)));
  if (!names && critical == -2) throw FormatError("certificate: several SAN extensions");
  if (names) {
    const Asn1Object username = oid(kUsernameOid);
    for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
      const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
      if (name->type == GEN_EMAIL || name->type == GEN_URI) {
        identity.subject_alternative_names.push_back(asn1_string(name->d.ia5));
      } else if (name->type == GEN_OTHERNAME &&
                 OBJ_cmp(name->d.otherName->type_id, username.get()) == 0 &&
                 name->d.otherName->value->type == V_ASN1_UTF8STRING) {
        identity.subject_alternative_names.push_back(
            asn1_string(name->d.otherName->value->value.utf8string));
      }
    }
  }
  ERR_clear_error();
  const std::optional<std::string> issuer_v2 = utf8_extension_value(leaf, kIssuerV2Oid);
  const std::optional<std::string> issuer_v1 = extension_value(leaf, kIssuerV1Oid);
  if (issuer_v1 && issuer_v2 && *issuer_v1 != *issuer_v2) {
    throw VerificationError("certificate: the two OIDC issuer extensions disagree (\"" +
                            *issuer_v1 + "\" vs \"" + *issuer_v2 + "\")");
  }
  identity.issuer = issuer_v2 ? issuer_v2 : issuer_v1;
  return identity;
}

void check_signing_leaf_profile(const X509* leaf) {
  int critical = 0;
  BasicConstraints constraints(static_cast<BASIC_CONSTRAINTS*>(
      X509_get_ext_d2i(leaf, NID_basic_constraints, &critical, nullptr)));
  ERR_clear_error();
  if (constraints && constraints->ca) {
    throw VerificationError("certificate: the signing certificate is a CA, not a leaf");
  }
  KeyUsage usage(
      static_cast<ASN1_BIT_STRING*>(X509_get_ext_d2i(leaf, NID_key_usage, &critical, nullptr)));
  ERR_clear_error();
  if (!usage || ASN1_BIT_STRING_get_bit(usage.get(), 0) != 1) {
    throw VerificationError("certificate: KeyUsage lacks digitalSignature");
  }
  ExtendedKeyUsage extended(static_cast<EXTENDED_KEY_USAGE*>(
      X509_get_ext_d2i(leaf, NID_ext_key_usage, &critical, nullptr)));
  ERR_clear_error();
  bool code_signing = false;
  for (int i = 0; extended && i < sk_ASN1_OBJECT_num(extended.get()); ++i) {
    if (OBJ_obj2nid(sk_ASN1_OBJECT_value(extended.get(), i)) == NID_code_sign) code_signing = true;
  }
  if (!code_signing) throw VerificationError("certificate: ExtendedKeyUsage lacks codeSigning");
}

ValidityPeriod certificate_validity(const X509* cert) {
  return {asn1_time_to_instant(X509_get0_notBefore(cert)),
          asn1_time_to_instant(X509_get0_notAfter(cert))};
}

bool certificate_valid_at(const X509* cert, Instant t) {
  return certificate_validity(cert).contains(t);
}

ChainResult validate_chain(X509* leaf, const std::vector<X509Cert>& chain, Instant t) {
  ChainResult result;
  X509Store store(X509_STORE_new());
  X509Stack untrusted(sk_X509_new_null());
  X509StoreCtx ctx(X509_STORE_CTX_new());
  if (!store || !untrusted || !ctx || chain.empty()) {
    result.error = "no certificate chain";
    return result;
  }
  X509* anchor = chain.back().get();
  X509_STORE_add_cert(store.get(), anchor);
  for (std::size_t i = 0; i + 1 < chain.size(); ++i) {
    X509_up_ref(chain[i].get());
    sk_X509_push(untrusted.get(), chain[i].get());
  }
  if (X509_STORE_CTX_init(ctx.get(), store.get(), leaf, untrusted.get()) != 1) {
    result.error = "cannot initialise X.509 validation";
    return result;
  }
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(unix_seconds(t)));
  // An anchor that is an intermediate (not self-signed) is still an anchor for us.
  if (!self_signed(anchor)) X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
  if (X509_verify_cert(ctx.get()) == 1) {
    result.built.reset(X509_STORE_CTX_get1_chain(ctx.get()));
  } else {
    result.error = last_openssl_chain_error(ctx.get());
  }
  ERR_clear_error();
  return result;
}

X509Cert verify_fulcio_chain(X509* leaf, const TrustedRoot& root, Instant t) {
  std::string problems;
  bool any_ca_valid = false;
  for (const auto& ca : root.certificate_authorities) {
    if (!ca.valid_for.contains(t)) continue;
    any_ca_valid = true;
    ChainResult result = validate_chain(leaf, ca.chain, t);
    if (result.built) {
      if (sk_X509_num(result.built.get()) < 2) {
        throw VerificationError("certificate: the signing certificate is itself a trust anchor");
      }
      return share_certificate(sk_X509_value(result.built.get(), 1));
    }
    if (!problems.empty()) problems += "; ";
    problems += ca.uri + ": " + result.error;
  }
  if (!any_ca_valid) {
    throw VerificationError("certificate: no Fulcio CA of the trusted root is valid at " +
                            format_instant(t));
  }
  throw VerificationError("certificate: not issued by a trusted Fulcio CA at " + format_instant(t) +
                          " (" + problems + ")");
}

}  // namespace sigmount::verifier::sigstore
