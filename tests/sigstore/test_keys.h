// Throw-away keys and signed notes for sigstore unit tests (generated fresh per test).
#pragma once

#include <openssl/evp.h>

#include <string>

#include "hashing/bytes.h"
#include "hashing/openssl_handle.h"
#include "verifier/format/base64.h"
#include "verifier/sigstore/crypto.h"
#include "verifier/sigstore/trusted_root.h"

namespace sigmount::verifier::sigstore::testing {

inline EvpPkey generate_key(const char* type, const char* curve = nullptr) {
  EvpPkey key(curve ? EVP_PKEY_Q_keygen(nullptr, nullptr, type, curve)
                    : EVP_PKEY_Q_keygen(nullptr, nullptr, type));
  if (!key) throw std::runtime_error("keygen failed");
  return key;
}
inline EvpPkey generate_p256() {
  return generate_key("EC", "P-256");
}
inline EvpPkey generate_ed25519() {
  return generate_key("ED25519");
}

inline Bytes sign(EVP_PKEY* key, ByteView message) {
  EvpMdCtx ctx(EVP_MD_CTX_new());
  const EVP_MD* md = is_ed25519(key) ? nullptr : EVP_sha256();
  std::size_t length = 0;
  if (EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, key) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &length, message.data(), message.size()) != 1) {
    throw std::runtime_error("sign failed");
  }
  Bytes signature(length);
  if (EVP_DigestSign(ctx.get(), signature.data(), &length, message.data(), message.size()) != 1) {
    throw std::runtime_error("sign failed");
  }
  signature.resize(length);
  return signature;
}

// A log instance like a trusted root would hold, with its C2SP-style key ID.
inline TransparencyLogInstance make_log(EVP_PKEY* key, const std::string& name) {
  TransparencyLogInstance log;
  log.base_url = "https://" + name;
  log.key_name = name;
  EVP_PKEY_up_ref(key);
  log.public_key.reset(key);
  log.log_id = sha256(public_key_der(key));
  log.checkpoint_key_id = log.log_id;
  return log;
}

// "— name base64(keyhint || signature)\n" over `text` with `key`.
inline std::string note_signature_line(const std::string& name, ByteView key_id, EVP_PKEY* key,
                                       const std::string& text) {
  Bytes blob(key_id.begin(), key_id.begin() + 4);
  const Bytes signature = sign(key, as_bytes(text));
  blob.insert(blob.end(), signature.begin(), signature.end());
  return "\xE2\x80\x94 " + name + " " + base64_encode(blob) + "\n";
}

}  // namespace sigmount::verifier::sigstore::testing
