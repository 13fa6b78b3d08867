#include "verifier/trust/certificate_verifier.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <ctime>

#include "verifier/errors.h"
#include "verifier/trust/dsse_signature.h"
#include "verifier/trust/ec_key.h"
#include "verifier/trust/pem_certificates.h"

namespace sigmount::verifier::trust {
namespace {

std::vector<X509Cert> bundle_certificates(const Bundle& bundle) {
  std::vector<X509Cert> out;
  if (const auto* chain = std::get_if<CertificateChainMaterial>(&bundle.material)) {
    for (std::size_t i = 0; i < chain->certificates.size(); ++i) {
      out.push_back(load_der_certificate(
          chain->certificates[i], "bundle.verificationMaterial.x509CertificateChain.certificates[" +
                                      std::to_string(i) + "]"));
    }
  } else if (const auto* single = std::get_if<CertificateMaterial>(&bundle.material)) {
    out.push_back(
        load_der_certificate(single->certificate, "bundle.verificationMaterial.certificate"));
  } else {
    throw VerificationError(
        "bundle: signed with a public key, not a certificate (use key verification)");
  }
  return out;
}

std::time_t not_before(const X509* certificate) {
  std::tm tm{};
  if (ASN1_TIME_to_tm(X509_get0_notBefore(certificate), &tm) != 1) {
    ERR_clear_error();
    throw FormatError("signing certificate: unreadable notBefore");
  }
  return timegm(&tm);
}

bool self_signed(X509* certificate) {
  return X509_self_signed(certificate, 0) == 1;
}

// KeyUsage digitalSignature, or (absent or without it) ExtendedKeyUsage codeSigning.
bool may_sign(X509* leaf) {
  const std::uint32_t flags = X509_get_extension_flags(leaf);
  if ((flags & EXFLAG_KUSAGE) != 0 && (X509_get_key_usage(leaf) & KU_DIGITAL_SIGNATURE) != 0) {
    return true;
  }
  return (flags & EXFLAG_XKUSAGE) != 0 && (X509_get_extended_key_usage(leaf) & XKU_CODE_SIGN) != 0;
}

}  // namespace

TrustedPayload verify_with_certificates(const Bundle& bundle,
                                        std::span<const std::string> ca_pems) {
  std::vector<X509Cert> chain = bundle_certificates(bundle);
  X509* leaf = chain.front().get();

  X509Store store(X509_STORE_new());
  if (!store) throw std::bad_alloc();
  bool partial_chain = false;
  std::size_t anchors = 0;
  for (const std::string& pem : ca_pems) {
    for (const X509Cert& anchor : load_pem_certificates(pem, "CA certificates")) {
      if (X509_STORE_add_cert(store.get(), anchor.get()) != 1) ERR_clear_error();
      partial_chain |= !self_signed(anchor.get());
      ++anchors;
    }
  }
  if (anchors == 0) throw FormatError("CA certificates: no certificate found");

  X509Stack untrusted(sk_X509_new_null());
  if (!untrusted) throw std::bad_alloc();
  for (std::size_t i = 1; i < chain.size(); ++i) {
    if (sk_X509_push(untrusted.get(), chain[i].get()) <= 0) throw std::bad_alloc();
    X509_up_ref(chain[i].get());
  }

  X509StoreCtx context(X509_STORE_CTX_new());
  if (!context || X509_STORE_CTX_init(context.get(), store.get(), leaf, untrusted.get()) != 1) {
    throw std::bad_alloc();
  }
  // A CA file may hold an intermediate only; trust it as an anchor like model_signing does.
  if (partial_chain) X509_STORE_CTX_set_flags(context.get(), X509_V_FLAG_PARTIAL_CHAIN);
  X509_STORE_CTX_set_time(context.get(), 0, not_before(leaf));
  if (X509_verify_cert(context.get()) != 1) {
    const int error = X509_STORE_CTX_get_error(context.get());
    ERR_clear_error();
    throw VerificationError("certificate chain does not lead to a trusted CA: " +
                            std::string(X509_verify_cert_error_string(error)) + " (" +
                            subject_name(leaf) + ")");
  }
  if (!may_sign(leaf)) {
    throw VerificationError(
        "signing certificate cannot be used for signing (needs KeyUsage "
        "digitalSignature or ExtendedKeyUsage codeSigning)");
  }
  EvpPkey key(X509_get_pubkey(leaf));
  if (!key) throw FormatError("signing certificate: unreadable public key");
  try {
    curve_hash_of("signing certificate", key.get());
  } catch (const FormatError& e) {
    throw VerificationError(e.what());
  }
  const DsseEnvelope& envelope = single_signature_envelope(bundle);
  // model_signing 0.2's certificate signer hard-coded SHA-256 whatever the curve.
  if (!dsse_signature_verifies(envelope, key.get(), CurveHash::sha256)) {
    throw VerificationError("signature does not verify with the signing certificate's key");
  }
  return {envelope.payload_type, envelope.payload, "certificate " + subject_name(leaf)};
}

}  // namespace sigmount::verifier::trust
