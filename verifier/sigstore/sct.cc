#include "verifier/sigstore/sct.h"

#include <openssl/ct.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <algorithm>

#include "verifier/errors.h"
#include "verifier/sigstore/crypto.h"

namespace sigmount::verifier::sigstore {
namespace {

void free_sct_list(STACK_OF(SCT) * list) {
  SCT_LIST_free(list);
}
using SctList = OpenSslHandle<STACK_OF(SCT), free_sct_list>;
constexpr std::size_t kMaxScts = 32;

void put_uint(Bytes& out, std::uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
}

}  // namespace

Bytes sct_signed_data(const X509* leaf, const X509* issuer, std::uint64_t timestamp_ms,
                      ByteView extensions) {
  // The precertificate's TBS is the leaf's TBS without the SCT list extension.
  X509Cert precert(X509_dup(const_cast<X509*>(leaf)));
  if (!precert) throw std::bad_alloc();
  const int index = X509_get_ext_by_NID(precert.get(), NID_ct_precert_scts, -1);
  if (index >= 0) X509_EXTENSION_free(X509_delete_ext(precert.get(), index));
  unsigned char* tbs = nullptr;
  const int tbs_length = i2d_re_X509_tbs(precert.get(), &tbs);
  if (tbs_length <= 0) throw FormatError("certificate: cannot re-encode the TBSCertificate");
  Bytes tbs_bytes(tbs, tbs + tbs_length);
  OPENSSL_free(tbs);

  unsigned char* spki = nullptr;
  const int spki_length = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(issuer), &spki);
  if (spki_length <= 0) throw FormatError("certificate: cannot encode the issuer key");
  const Bytes issuer_key_hash = sha256(ByteView(spki, static_cast<std::size_t>(spki_length)));
  OPENSSL_free(spki);

  Bytes out;
  out.push_back(0);  // sct_version v1
  out.push_back(0);  // signature_type certificate_timestamp
  put_uint(out, timestamp_ms, 8);
  put_uint(out, 1, 2);  // entry_type precert_entry
  out.insert(out.end(), issuer_key_hash.begin(), issuer_key_hash.end());
  put_uint(out, tbs_bytes.size(), 3);
  out.insert(out.end(), tbs_bytes.begin(), tbs_bytes.end());
  put_uint(out, extensions.size(), 2);
  out.insert(out.end(), extensions.begin(), extensions.end());
  return out;
}

void verify_embedded_scts(const X509* leaf, const X509* issuer, const TrustedRoot& root) {
  int critical = 0;
  SctList scts(
      static_cast<STACK_OF(SCT)*>(X509_get_ext_d2i(leaf, NID_ct_precert_scts, &critical, nullptr)));
  ERR_clear_error();
  if (!scts || sk_SCT_num(scts.get()) == 0) {
    throw VerificationError(
        "certificate: no embedded SCT (not logged in certificate transparency)");
  }
  if (static_cast<std::size_t>(sk_SCT_num(scts.get())) > kMaxScts) {
    throw VerificationError("certificate: too many SCTs");
  }
  std::string problems;
  for (int i = 0; i < sk_SCT_num(scts.get()); ++i) {
    const SCT* sct = sk_SCT_value(scts.get(), i);
    if (SCT_get_version(sct) != SCT_VERSION_V1) continue;
    unsigned char* log_id = nullptr;
    const std::size_t log_id_length = SCT_get0_log_id(sct, &log_id);
    const TransparencyLogInstance* log = root.find_ctlog(ByteView(log_id, log_id_length));
    if (log == nullptr) {
      problems += " SCT from unknown CT log " + to_hex(ByteView(log_id, log_id_length)) + ";";
      continue;
    }
    const std::uint64_t timestamp = SCT_get_timestamp(sct);
    const Instant when = instant_from_unix_millis(timestamp);
    if (!log->valid_for.contains(when)) {
      problems += " SCT time outside the validity of " + log->base_url + ";";
      continue;
    }
    unsigned char* extensions = nullptr;
    const std::size_t extensions_length = SCT_get0_extensions(sct, &extensions);
    unsigned char* signature = nullptr;
    const std::size_t signature_length = SCT_get0_signature(sct, &signature);
    const Bytes signed_data =
        sct_signed_data(leaf, issuer, timestamp, ByteView(extensions, extensions_length));
    if (verify_signature(log->public_key.get(), signed_data, ByteView(signature, signature_length),
                         EVP_sha256())) {
      return;
    }
    problems += " SCT signature from " + log->base_url + " does not verify;";
  }
  throw VerificationError("certificate: no valid SCT from a CT log of the trusted root:" +
                          problems);
}

}  // namespace sigmount::verifier::sigstore
