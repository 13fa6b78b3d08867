#include "verifier/pkcs11/token_key.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>

#include <algorithm>
#include <array>
#include <mutex>
#include <string>

#include "verifier/errors.h"
#include "verifier/pkcs11/module.h"
#include "verifier/trust/ec_key.h"

namespace sigmount::verifier::pkcs11 {
namespace {

using Asn1OctetString = OpenSslHandle<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>;
using Asn1Object = OpenSslHandle<ASN1_OBJECT, ASN1_OBJECT_free>;
using EcdsaSig = OpenSslHandle<ECDSA_SIG, ECDSA_SIG_free>;
using ParamBuilder = OpenSslHandle<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>;
using Params = OpenSslHandle<OSSL_PARAM, OSSL_PARAM_free>;

constexpr unsigned char kTokenPresent = 1;  // only slots that hold a token
constexpr unsigned long kMaxSlots = 1024;
constexpr unsigned long kMaxAttributeBytes = 4096;
constexpr unsigned long kMaxMatches = 16;
constexpr std::size_t kMaxRawSignatureBytes = 2 * 66;  // r || s of P-521, the largest curve

// A fixed-width, space-padded PKCS#11 text field, as the URI compares it.
template <std::size_t N>
std::string text_field(const unsigned char (&field)[N]) {
  std::string text(reinterpret_cast<const char*>(field), N);
  const auto end = text.find_last_not_of(' ');
  text.resize(end == std::string::npos ? 0 : end + 1);
  return text;
}

bool matches(const std::optional<std::string>& wanted, const std::string& found) {
  return !wanted || *wanted == found;
}

std::string quoted(const std::string& text) {
  return "'" + text + "'";
}

void check_library(const Module& module, const Uri& uri) {
  if (!uri.library_manufacturer && !uri.library_description && !uri.library_version) return;
  ck_info info{};
  check(module.api().C_GetInfo(&info), module, "C_GetInfo");
  const std::string version =
      std::to_string(info.library_version.major) + "." + std::to_string(info.library_version.minor);
  const bool version_matches = !uri.library_version || *uri.library_version == version ||
                               (uri.library_version->find('.') == std::string::npos &&
                                *uri.library_version == std::to_string(info.library_version.major));
  if (!matches(uri.library_manufacturer, text_field(info.manufacturer_id)) ||
      !matches(uri.library_description, text_field(info.library_description)) || !version_matches) {
    throw SigningError("the PKCS#11 module " + module.file().string() +
                       " is not the library the URI names (library-manufacturer " +
                       quoted(text_field(info.manufacturer_id)) + ", library-description " +
                       quoted(text_field(info.library_description)) + ", library-version " +
                       version + ")");
  }
}

struct Token {
  ck_slot_id_t slot = 0;
  std::string label;
  ck_flags_t flags = 0;
};

Token find_token(const Module& module, const Uri& uri) {
  const auto& api = module.api();
  unsigned long count = 0;
  check(api.C_GetSlotList(kTokenPresent, nullptr, &count), module, "C_GetSlotList");
  std::vector<ck_slot_id_t> slots(std::min(count, kMaxSlots));
  count = slots.size();
  check(api.C_GetSlotList(kTokenPresent, slots.data(), &count), module, "C_GetSlotList");
  slots.resize(std::min<std::size_t>(count, slots.size()));

  std::vector<Token> found;
  std::string present;
  for (const ck_slot_id_t slot : slots) {
    ck_slot_info slot_info{};
    ck_token_info token_info{};
    if (api.C_GetSlotInfo(slot, &slot_info) != CKR_OK ||
        api.C_GetTokenInfo(slot, &token_info) != CKR_OK) {
      continue;  // a reader that lost its card between the two calls
    }
    // An empty slot's blank token (SoftHSM always offers one) holds no key.
    if ((token_info.flags & CKF_TOKEN_INITIALIZED) == 0) continue;
    const std::string label = text_field(token_info.label);
    present +=
        (present.empty() ? "" : ", ") + quoted(label) + " (slot " + std::to_string(slot) + ")";
    if ((!uri.slot_id || *uri.slot_id == slot) &&
        matches(uri.slot_description, text_field(slot_info.slot_description)) &&
        matches(uri.slot_manufacturer, text_field(slot_info.manufacturer_id)) &&
        matches(uri.token, label) &&
        matches(uri.manufacturer, text_field(token_info.manufacturer_id)) &&
        matches(uri.serial, text_field(token_info.serial_number)) &&
        matches(uri.model, text_field(token_info.model))) {
      found.push_back({slot, label, token_info.flags});
    }
  }
  if (found.size() == 1) return found[0];
  const std::string where = " (module " + module.file().string() +
                            "; tokens present: " + (present.empty() ? "none" : present) + ")";
  if (found.empty()) throw SigningError("no PKCS#11 token matches the URI" + where);
  throw SigningError(std::to_string(found.size()) +
                     " PKCS#11 tokens match the URI: name one with token= or slot-id=" + where);
}

// A session on the token, closed (and so logged out) with its owner.
class Session {
 public:
  Session(std::shared_ptr<const Module> module, const Token& token) : module_(std::move(module)) {
    check(module_->api().C_OpenSession(token.slot, CKF_SERIAL_SESSION, nullptr, nullptr, &handle_),
          *module_, "C_OpenSession on token " + quoted(token.label));
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  ~Session() { module_->api().C_CloseSession(handle_); }

  const ck_function_list& api() const { return module_->api(); }
  const Module& module() const { return *module_; }
  ck_session_handle_t handle() const { return handle_; }

 private:
  std::shared_ptr<const Module> module_;
  ck_session_handle_t handle_ = 0;
};

void log_in(const Session& session, const Token& token, const Uri& uri) {
  std::optional<std::string> pin = pin_of(uri);
  ck_rv_t rv = CKR_OK;
  if (pin) {
    rv = session.api().C_Login(session.handle(), CKU_USER,
                               reinterpret_cast<unsigned char*>(pin->data()), pin->size());
    OPENSSL_cleanse(pin->data(), pin->size());
  } else if ((token.flags & CKF_PROTECTED_AUTHENTICATION_PATH) != 0) {
    rv = session.api().C_Login(session.handle(), CKU_USER, nullptr, 0);  // the reader's keypad
  } else {
    return;  // the key may be public to the session; if not, finding it says so
  }
  if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN) {
    check(rv, session.module(), "login to token " + quoted(token.label));
  }
}

std::vector<ck_object_handle_t> find_objects(const Session& session, ck_object_class_t object_class,
                                             const Uri& uri) {
  std::vector<ck_attribute> query{{CKA_CLASS, &object_class, sizeof(object_class)}};
  std::string label = uri.object.value_or("");
  Bytes id = uri.id.value_or(Bytes{});
  if (uri.object) query.push_back({CKA_LABEL, label.data(), label.size()});
  if (uri.id) query.push_back({CKA_ID, id.data(), id.size()});
  const auto& api = session.api();
  check(api.C_FindObjectsInit(session.handle(), query.data(), query.size()), session.module(),
        "C_FindObjectsInit");
  std::vector<ck_object_handle_t> objects(kMaxMatches);
  unsigned long count = 0;
  const ck_rv_t rv = api.C_FindObjects(session.handle(), objects.data(), objects.size(), &count);
  api.C_FindObjectsFinal(session.handle());
  check(rv, session.module(), "C_FindObjects");
  objects.resize(std::min<std::size_t>(count, objects.size()));
  return objects;
}

Bytes attribute(const Session& session, ck_object_handle_t object, ck_attribute_type_t type,
                const char* name) {
  ck_attribute query{type, nullptr, 0};
  check(session.api().C_GetAttributeValue(session.handle(), object, &query, 1), session.module(),
        std::string("reading ") + name);
  if (query.value_len == CK_UNAVAILABLE_INFORMATION || query.value_len > kMaxAttributeBytes) {
    throw SigningError(std::string("PKCS#11 ") + name + " of the key is unavailable or too long");
  }
  Bytes value(query.value_len);
  query.value = value.data();
  check(session.api().C_GetAttributeValue(session.handle(), object, &query, 1), session.module(),
        std::string("reading ") + name);
  value.resize(std::min<std::size_t>(query.value_len, value.size()));
  return value;
}

std::string describe_key(const Uri& uri, const Token& token) {
  std::string what;
  if (uri.object) what += "object " + quoted(*uri.object);
  if (uri.id) {
    what +=
        std::string(what.empty() ? "" : " ") + "id of " + std::to_string(uri.id->size()) + " bytes";
  }
  return what + " on token " + quoted(token.label);
}

ck_object_handle_t one_object(const std::vector<ck_object_handle_t>& objects, const char* kind,
                              const Uri& uri, const Token& token) {
  if (objects.size() == 1) return objects[0];
  if (objects.empty()) {
    std::string hint;
    if ((token.flags & CKF_LOGIN_REQUIRED) != 0 && !uri.pin_value && !uri.pin_source) {
      hint = " (the token requires a login: give pin-value or pin-source in the URI)";
    }
    throw SigningError(std::string("no PKCS#11 ") + kind + " with " + describe_key(uri, token) +
                       hint);
  }
  throw SigningError(std::to_string(objects.size()) + " PKCS#11 " + kind + "s match " +
                     describe_key(uri, token) + ": name one with both object= and id=");
}

// The uncompressed point inside CKA_EC_POINT: a DER OCTET STRING, or (some tokens) bare.
Bytes ec_point(const Bytes& value) {
  const unsigned char* cursor = value.data();
  Asn1OctetString octets(d2i_ASN1_OCTET_STRING(nullptr, &cursor, static_cast<long>(value.size())));
  if (octets && cursor == value.data() + value.size()) {
    const unsigned char* data = ASN1_STRING_get0_data(octets.get());
    return {data, data + ASN1_STRING_length(octets.get())};
  }
  return value;
}

const char* curve_name(const Bytes& ec_params) {
  const unsigned char* cursor = ec_params.data();
  Asn1Object oid(d2i_ASN1_OBJECT(nullptr, &cursor, static_cast<long>(ec_params.size())));
  if (!oid || cursor != ec_params.data() + ec_params.size()) {
    throw SigningError("PKCS#11 key: CKA_EC_PARAMS is not a named curve");
  }
  switch (OBJ_obj2nid(oid.get())) {
    case NID_X9_62_prime256v1:
      return "prime256v1";
    case NID_secp384r1:
      return "secp384r1";
    case NID_secp521r1:
      return "secp521r1";
    default:
      throw SigningError("PKCS#11 key: its curve is not P-256, P-384 or P-521");
  }
}

EvpPkey public_key_from(const Bytes& ec_params, const Bytes& ec_point_value) {
  const char* curve = curve_name(ec_params);
  const Bytes point = ec_point(ec_point_value);
  ParamBuilder builder(OSSL_PARAM_BLD_new());
  if (!builder ||
      OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, curve, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    throw SigningError("PKCS#11 key: cannot build its public key");
  }
  Params params(OSSL_PARAM_BLD_to_param(builder.get()));
  EvpPkeyCtx context(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* key = nullptr;
  if (!params || !context || EVP_PKEY_fromdata_init(context.get()) != 1 ||
      EVP_PKEY_fromdata(context.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    throw SigningError("PKCS#11 key: CKA_EC_POINT is not a point of its curve");
  }
  EvpPkey owned(key);
  EvpPkeyCtx check_context(EVP_PKEY_CTX_new(owned.get(), nullptr));
  if (!check_context || EVP_PKEY_public_check(check_context.get()) != 1) {
    throw SigningError("PKCS#11 key: CKA_EC_POINT is not a point of its curve");
  }
  return owned;
}

Bytes digest(trust::CurveHash hash, ByteView message) {
  const EVP_MD* md = hash == trust::CurveHash::sha256   ? EVP_sha256()
                     : hash == trust::CurveHash::sha384 ? EVP_sha384()
                                                        : EVP_sha512();
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int size = 0;
  if (EVP_Digest(message.data(), message.size(), out.data(), &size, md, nullptr) != 1) {
    throw SigningError("cannot hash the message to sign");
  }
  out.resize(size);
  return out;
}

// PKCS#11 gives r || s; the bundle carries ASN.1 DER, as model_signing writes it.
Bytes der_signature(const Bytes& raw) {
  if (raw.empty() || raw.size() % 2 != 0) {
    throw SigningError("the PKCS#11 token returned a malformed ECDSA signature");
  }
  const int half = static_cast<int>(raw.size() / 2);
  EcdsaSig signature(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(raw.data(), half, nullptr);
  BIGNUM* s = BN_bin2bn(raw.data() + half, half, nullptr);
  if (!signature || r == nullptr || s == nullptr || ECDSA_SIG_set0(signature.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    throw SigningError("cannot encode the token's ECDSA signature");
  }
  const int size = i2d_ECDSA_SIG(signature.get(), nullptr);
  Bytes der(size > 0 ? static_cast<std::size_t>(size) : 0);
  unsigned char* cursor = der.data();
  if (size <= 0 || i2d_ECDSA_SIG(signature.get(), &cursor) != size) {
    throw SigningError("cannot encode the token's ECDSA signature");
  }
  return der;
}

class TokenKey final : public trust::SigningKey {
 public:
  TokenKey(std::shared_ptr<const Module> module, const Token& token, const Uri& uri)
      : session_(std::move(module), token), token_label_(token.label) {
    log_in(session_, token, uri);
    private_key_ =
        one_object(find_objects(session_, CKO_PRIVATE_KEY, uri), "private key", uri, token);
    const Bytes key_type = attribute(session_, private_key_, CKA_KEY_TYPE, "CKA_KEY_TYPE");
    ck_key_type_t type = 0;
    if (key_type.size() != sizeof(type) ||
        (std::copy(key_type.begin(), key_type.end(), reinterpret_cast<unsigned char*>(&type)),
         type != CKK_EC)) {
      throw SigningError("the PKCS#11 key " + describe_key(uri, token) + " is not an EC key");
    }
    const ck_object_handle_t public_object =
        one_object(find_objects(session_, CKO_PUBLIC_KEY, uri), "public key", uri, token);
    public_key_ =
        public_key_from(attribute(session_, public_object, CKA_EC_PARAMS, "CKA_EC_PARAMS"),
                        attribute(session_, public_object, CKA_EC_POINT, "CKA_EC_POINT"));
    hash_ = trust::curve_hash_of("PKCS#11 key " + describe_key(uri, token), public_key_.get());
  }

  const EVP_PKEY* public_key() const override { return public_key_.get(); }

  Bytes sign(ByteView message) const override {
    Bytes hashed = digest(hash_, message);
    Bytes raw(kMaxRawSignatureBytes);
    unsigned long size = raw.size();
    {
      // One operation at a time per session, as PKCS#11 requires.
      const std::lock_guard lock(session_mutex_);
      ck_mechanism mechanism{CKM_ECDSA, nullptr, 0};
      check(session_.api().C_SignInit(session_.handle(), &mechanism, private_key_),
            session_.module(), "C_SignInit on token " + quoted(token_label_));
      check(
          session_.api().C_Sign(session_.handle(), hashed.data(), hashed.size(), raw.data(), &size),
          session_.module(), "C_Sign on token " + quoted(token_label_));
    }
    raw.resize(std::min<std::size_t>(size, raw.size()));
    Bytes der = der_signature(raw);
    if (!trust::ecdsa_verify(public_key_.get(), hash_, message, der)) {
      throw SigningError("the signature of token " + quoted(token_label_) +
                         " does not verify with its public key object: is that object the "
                         "private key's pair (same object= and id=)?");
    }
    return der;
  }

 private:
  mutable std::mutex session_mutex_;
  Session session_;  // guarded by session_mutex_ for sign()
  std::string token_label_;
  ck_object_handle_t private_key_ = 0;
  EvpPkey public_key_;
  trust::CurveHash hash_ = trust::CurveHash::sha256;
};

}  // namespace

std::unique_ptr<const trust::SigningKey> open_token_key(
    const Uri& uri, const std::vector<std::filesystem::path>& module_folders) {
  if (!uri.object && !uri.id) {
    throw SigningError("the PKCS#11 URI names no key: give object= (its label) or id=");
  }
  if (uri.type && *uri.type != "private") {
    throw SigningError("the PKCS#11 URI has type=" + *uri.type +
                       ": signing needs the private key (type=private, or no type)");
  }
  auto module = std::make_shared<const Module>(find_module(uri, module_folders));
  check_library(*module, uri);
  const Token token = find_token(*module, uri);
  return std::make_unique<TokenKey>(std::move(module), token, uri);
}

std::unique_ptr<const trust::SigningKey> open_token_key(const Uri& uri) {
  return open_token_key(uri, default_module_folders());
}

}  // namespace sigmount::verifier::pkcs11
