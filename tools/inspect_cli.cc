#include "tools/inspect_cli.h"

#include <openssl/x509.h>

#include <filesystem>
#include <iostream>
#include <type_traits>

#include "hashing/openssl_handle.h"
#include "tools/command_support.h"
#include "verifier/errors.h"
#include "verifier/format/bounded_file.h"
#include "verifier/format/bundle.h"
#include "verifier/format/statement.h"
#include "verifier/model/model_path.h"

namespace sigmount::tools {
namespace {

// The bundle to read: --signature, else MODEL_PATH itself when it is a file (a bundle), else
// MODEL_PATH/model.sig (where model_signing's own tests keep it), else ./model.sig.
std::filesystem::path bundle_path(const ParsedArgs& args) {
  if (auto signature = args.value("signature")) return *signature;
  std::filesystem::path target = args.positionals()[0];
  if (std::filesystem::is_regular_file(target)) return target;
  if (std::filesystem::exists(target / "model.sig")) return target / "model.sig";
  return "model.sig";
}

std::string certificate_subject(const Bytes& der) {
  const unsigned char* cursor = der.data();
  X509Cert cert(d2i_X509(nullptr, &cursor, static_cast<long>(der.size())));
  if (!cert) return "(unparsable certificate)";
  Bio bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert.get()), 0, XN_FLAG_ONELINE);
  char* text = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &text);
  std::string subject(text, static_cast<std::size_t>(length));
  // A certificate's subject is untrusted input too: keep terminal escapes out.
  return verifier::quoted_name(subject);
}

std::string describe_material(const verifier::VerificationMaterial& material) {
  return std::visit(
      [](const auto& m) -> std::string {
        using M = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<M, verifier::PublicKeyMaterial>) {
          return "public key" + (m.hint ? " (hint " + verifier::quoted_name(*m.hint) + ")" : "");
        } else if constexpr (std::is_same_v<M, verifier::CertificateChainMaterial>) {
          return "certificate chain of " + std::to_string(m.certificates.size()) +
                 ", leaf subject " + certificate_subject(m.certificates.at(0));
        } else {
          return "certificate, subject " + certificate_subject(m.certificate);
        }
      },
      material);
}

std::string describe_serialization(const verifier::Serialization& s) {
  std::string text = s.method == verifier::SerializationMethod::files ? "files" : "shards";
  text += ", " + std::string(hashing::algorithm_name(s.hash));
  if (s.method == verifier::SerializationMethod::shards) {
    text += ", shard size " + std::to_string(s.shard_size);
  }
  text += s.allow_symlinks ? ", symlinks allowed" : ", no symlinks";
  return text;
}

int inspect(const std::filesystem::path& path) {
  const std::string json = verifier::read_bounded_file(path, verifier::kMaxBundleBytes, "bundle");
  // model_signing rules accept every released shape, Sigstore ones included.
  const verifier::Bundle bundle =
      verifier::parse_bundle(json, verifier::BundleRules::model_signing);
  const auto* envelope = std::get_if<verifier::DsseEnvelope>(&bundle.content);
  if (envelope == nullptr) {
    throw verifier::FormatError("the bundle holds a message signature, not an OMS statement");
  }
  const verifier::Statement statement =
      verifier::parse_statement(envelope->payload_type, envelope->payload);

  std::cout << "UNVERIFIED: " << path.string()
            << " was parsed but its signature was NOT checked (use `sigmount verify`).\n"
            << "  media type:      " << verifier::quoted_name(bundle.media_type) << "\n"
            << "  signer material: " << describe_material(bundle.material) << "\n"
            << "  tlog entries:    " << bundle.tlog_entries.size() << "\n"
            << "  model name:      " << verifier::quoted_name(statement.model_name) << "\n"
            << "  root digest:     sha256:" << statement.root_digest.hex() << "\n"
            << "  serialization:   " << describe_serialization(statement.serialization) << "\n";
  std::cout << "  ignore paths:   ";
  if (statement.serialization.ignore_paths.empty()) std::cout << " (none)";
  for (const auto& ignored : statement.serialization.ignore_paths) {
    std::cout << ' ' << verifier::quoted_name(ignored);
  }
  std::cout << "\n  resources:       " << statement.resources.size() << "\n";
  for (const auto& resource : statement.resources) {
    std::cout << "    " << resource.algorithm << ':' << resource.digest.hex() << "  "
              << verifier::quoted_name(resource.name) << "\n";
  }
  return kExitOk;
}

}  // namespace

int inspect_main(std::span<const std::string> args) {
  ArgParser parser("sigmount inspect",
                   "Print what a signature bundle claims, WITHOUT verifying it: signer "
                   "material, model name, root digest, serialization and every resource.");
  parser.value("signature", "PATH", "The bundle to read.")
      .positional("MODEL_PATH|BUNDLE",
                  "A bundle file, or a model directory (reads --signature, DIR/model.sig or "
                  "./model.sig).");
  int exit_code = kExitOk;
  auto parsed = parse_or_exit(parser, args, exit_code);
  if (!parsed) return exit_code;
  return run_reporting_failures("Inspect failed", [&] { return inspect(bundle_path(*parsed)); });
}

}  // namespace sigmount::tools
