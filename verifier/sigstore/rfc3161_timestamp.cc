#include "verifier/sigstore/rfc3161_timestamp.h"

#include <openssl/err.h>
#include <openssl/ts.h>

#include <algorithm>
#include <ctime>

#include "verifier/errors.h"
#include "verifier/sigstore/crypto.h"

namespace sigmount::verifier::sigstore {
namespace {

using TsResp = OpenSslHandle<TS_RESP, TS_RESP_free>;
using TsVerifyCtx = OpenSslHandle<TS_VERIFY_CTX, TS_VERIFY_CTX_free>;

TsResp decode_response(ByteView der) {
  const unsigned char* p = der.data();
  TsResp response(d2i_TS_RESP(nullptr, &p, static_cast<long>(der.size())));
  ERR_clear_error();
  if (!response || p != der.data() + der.size()) {
    throw FormatError("timestamp: not a DER TimeStampResp");
  }
  return response;
}

// Verifies the token's signature and the signer's chain against one authority at genTime.
bool verified_by(TS_RESP* response, ByteView signature, const CertificateAuthority& tsa,
                 Instant gen_time) {
  if (tsa.chain.empty()) return false;
  TsVerifyCtx ctx(TS_VERIFY_CTX_new());
  X509Store store(X509_STORE_new());
  X509Stack untrusted(sk_X509_new_null());
  Bio data(BIO_new_mem_buf(signature.data(), static_cast<int>(signature.size())));
  if (!ctx || !store || !untrusted || !data) throw std::bad_alloc();
  X509* anchor = tsa.chain.back().get();
  X509_STORE_add_cert(store.get(), anchor);
  X509_VERIFY_PARAM* param = X509_STORE_get0_param(store.get());
  X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(unix_seconds(gen_time)));
  if (X509_self_signed(anchor, 0) != 1)
    X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
  // Tokens may omit certificates: offer the authority's own (leaf first) as candidates.
  for (const auto& cert : tsa.chain) {
    X509_up_ref(cert.get());
    sk_X509_push(untrusted.get(), cert.get());
  }
  TS_VERIFY_CTX_set_flags(ctx.get(), TS_VFY_VERSION | TS_VFY_SIGNATURE | TS_VFY_DATA);
  // The context takes ownership of these three (OpenSSL 3.0 API).
  TS_VERIFY_CTX_set_data(ctx.get(), data.release());
  TS_VERIFY_CTX_set_store(ctx.get(), store.release());
  TS_VERIFY_CTX_set_certs(ctx.get(), untrusted.release());
  const bool ok = TS_RESP_verify_response(ctx.get(), response) == 1;
  ERR_clear_error();
  return ok;
}

}  // namespace

TimestampToken parse_timestamp_response(ByteView der) {
  const TsResp response = decode_response(der);
  TS_TST_INFO* info = TS_RESP_get_tst_info(response.get());
  if (info == nullptr) throw FormatError("timestamp: the response holds no token");
  TimestampToken token;
  std::tm tm{};
  const ASN1_GENERALIZEDTIME* time = TS_TST_INFO_get_time(info);
  if (time == nullptr || ASN1_TIME_to_tm(time, &tm) != 1) {
    ERR_clear_error();
    throw FormatError("timestamp: malformed genTime");
  }
  token.gen_time = instant_from_unix_seconds(static_cast<std::int64_t>(timegm(&tm)));
  TS_MSG_IMPRINT* imprint = TS_TST_INFO_get_msg_imprint(info);
  const X509_ALGOR* algorithm = TS_MSG_IMPRINT_get_algo(imprint);
  const ASN1_OBJECT* object = nullptr;
  X509_ALGOR_get0(&object, nullptr, nullptr, algorithm);
  token.imprint_digest_nid = OBJ_obj2nid(object);
  const ASN1_OCTET_STRING* value = TS_MSG_IMPRINT_get_msg(imprint);
  token.imprint.assign(ASN1_STRING_get0_data(value),
                       ASN1_STRING_get0_data(value) + ASN1_STRING_length(value));
  return token;
}

VerifiedTimestamp verify_rfc3161_timestamp(ByteView der, ByteView signature,
                                           const TrustedRoot& root) {
  const TimestampToken token = parse_timestamp_response(der);
  const EVP_MD* md = nullptr;
  switch (token.imprint_digest_nid) {
    case NID_sha256:
      md = EVP_sha256();
      break;
    case NID_sha384:
      md = EVP_sha384();
      break;
    case NID_sha512:
      md = EVP_sha512();
      break;
    default:
      throw VerificationError("timestamp: unsupported message imprint hash algorithm");
  }
  const Bytes expected = digest_with(md, signature);
  if (!std::equal(expected.begin(), expected.end(), token.imprint.begin(), token.imprint.end())) {
    throw VerificationError(
        "timestamp: its message imprint is not the hash of the bundle's signature");
  }
  const TsResp response = decode_response(der);
  bool any_valid_at_gen_time = false;
  for (const auto& tsa : root.timestamp_authorities) {
    if (!tsa.valid_for.contains(token.gen_time)) continue;
    any_valid_at_gen_time = true;
    if (verified_by(response.get(), signature, tsa, token.gen_time)) {
      return {token.gen_time, tsa.uri};
    }
  }
  if (!any_valid_at_gen_time) {
    throw VerificationError(
        "timestamp: genTime " + format_instant(token.gen_time) +
        " is outside the validity of every timestamp authority of the trusted root");
  }
  throw VerificationError(
      "timestamp: not signed by a timestamp authority of the trusted root (at genTime " +
      format_instant(token.gen_time) + ")");
}

}  // namespace sigmount::verifier::sigstore
