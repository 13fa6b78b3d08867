#include "verifier/format/bundle_writer.h"

#include <nlohmann/json.hpp>

#include "verifier/format/base64.h"

namespace sigmount::verifier {
namespace {

using Ordered = nlohmann::ordered_json;

std::string write_bundle(Ordered material, std::string_view payload_type, ByteView payload,
                         ByteView signature) {
  material["tlogEntries"] = Ordered::array();
  Ordered signature_json = Ordered::object();
  signature_json["sig"] = base64_encode(signature);
  signature_json["keyid"] = "";
  Ordered envelope = Ordered::object();
  envelope["payload"] = base64_encode(payload);
  envelope["payloadType"] = std::string(payload_type);
  envelope["signatures"] = Ordered::array();
  envelope["signatures"].push_back(std::move(signature_json));
  Ordered bundle = Ordered::object();
  bundle["mediaType"] = std::string(kModelSigningBundleMediaType);
  bundle["verificationMaterial"] = std::move(material);
  bundle["dsseEnvelope"] = std::move(envelope);
  return bundle.dump();
}

}  // namespace

std::string write_key_bundle(std::string_view hint, std::string_view payload_type, ByteView payload,
                             ByteView signature) {
  Ordered material = Ordered::object();
  material["publicKey"] = Ordered::object({{"hint", std::string(hint)}});
  return write_bundle(std::move(material), payload_type, payload, signature);
}

std::string write_certificate_bundle(std::span<const Bytes> der_chain,
                                     std::string_view payload_type, ByteView payload,
                                     ByteView signature) {
  Ordered certificates = Ordered::array();
  for (const Bytes& der : der_chain) {
    certificates.push_back(Ordered::object({{"rawBytes", base64_encode(der)}}));
  }
  Ordered material = Ordered::object();
  material["x509CertificateChain"] = Ordered::object({{"certificates", std::move(certificates)}});
  return write_bundle(std::move(material), payload_type, payload, signature);
}

}  // namespace sigmount::verifier
