#include "tools/verify_bundle_command.h"

#include <openssl/evp.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <system_error>

#include "verifier/errors.h"
#include "verifier/format/bounded_file.h"
#include "verifier/format/bundle.h"
#include "verifier/sigstore/bundle_verifier.h"
#include "verifier/sigstore/crypto.h"
#include "verifier/sigstore/trusted_root.h"

namespace sigmount::tools {
namespace {

namespace sigstore = verifier::sigstore;

constexpr const char* kUsage =
    "usage: verify-bundle --bundle FILE (--certificate-identity ID --certificate-oidc-issuer URL"
    " | --key PEM) [--trusted-root FILE | --trust-config FILE] FILE|sha256:HEX\n";

struct Options {
  std::string bundle;
  std::optional<std::string> identity;
  std::optional<std::string> issuer;
  std::optional<std::string> key;
  std::optional<std::string> trusted_root;
  std::string artifact;
};

struct UsageError {
  std::string message;
};

Options parse_options(std::span<const std::string> args) {
  if (!args.empty() && args.front() == "verify-bundle") args = args.subspan(1);
  Options options;
  std::optional<std::string> artifact;
  bool have_bundle = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    const auto value = [&]() -> const std::string& {
      if (i + 1 >= args.size()) throw UsageError{arg + " needs a value"};
      return args[++i];
    };
    if (arg == "--bundle") {
      options.bundle = value();
      have_bundle = true;
    } else if (arg == "--certificate-identity") {
      options.identity = value();
    } else if (arg == "--certificate-oidc-issuer") {
      options.issuer = value();
    } else if (arg == "--key") {
      options.key = value();
    } else if (arg == "--trusted-root" || arg == "--trust-config") {
      if (options.trusted_root) throw UsageError{"give one trusted root"};
      options.trusted_root = value();
    } else if (arg == "--staging") {
      throw UsageError{"--staging needs the staging trusted root: pass it with --trusted-root"};
    } else if (arg.starts_with("--")) {
      throw UsageError{"unknown option " + arg};
    } else {
      if (artifact) throw UsageError{"more than one artifact"};
      artifact = arg;
    }
  }
  if (!have_bundle) throw UsageError{"--bundle is required"};
  if (!artifact) throw UsageError{"the artifact (FILE or sha256:HEX) is required"};
  const bool identity_given = options.identity || options.issuer;
  if (options.key && identity_given) {
    throw UsageError{
        "--key and --certificate-identity/--certificate-oidc-issuer exclude each other"};
  }
  if (!options.key && !(options.identity && options.issuer)) {
    throw UsageError{"give --certificate-identity and --certificate-oidc-issuer, or --key"};
  }
  options.artifact = *artifact;
  return options;
}

Bytes sha256_of_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::system_error(errno, std::generic_category(), "cannot open artifact " + path);
  EvpMdCtx ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) throw std::bad_alloc();
  std::vector<char> buffer(1 << 16);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    EVP_DigestUpdate(ctx.get(), buffer.data(), static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) throw std::system_error(errno, std::generic_category(), "cannot read " + path);
  Bytes digest(32);
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx.get(), digest.data(), &length);
  return digest;
}

// `sha256:<64 hex>` that is not an existing file is a digest (the conformance protocol).
Bytes artifact_digest(const std::string& artifact) {
  constexpr std::string_view kPrefix = "sha256:";
  std::error_code ignored;
  if (artifact.starts_with(kPrefix) && artifact.size() == kPrefix.size() + 64 &&
      !std::filesystem::exists(artifact, ignored)) {
    if (auto digest = from_hex(std::string_view(artifact).substr(kPrefix.size()))) return *digest;
  }
  return sha256_of_file(artifact);
}

void print_problems(const std::vector<std::string>& problems) {
  for (const auto& line : problems) std::cerr << "verify-bundle: " << line << '\n';
}

}  // namespace

int run_verify_bundle(std::span<const std::string> args) {
  for (const auto& arg : args) {
    if (arg == "-h" || arg == "--help") {
      std::cout << kUsage;
      return 0;
    }
  }
  Options options;
  try {
    options = parse_options(args);
  } catch (const UsageError& error) {
    std::cerr << "verify-bundle: " << error.message << '\n' << kUsage;
    return 2;
  }
  try {
    const verifier::Bundle bundle = verifier::parse_bundle(
        verifier::read_bounded_file(options.bundle, verifier::kMaxBundleBytes, "bundle"));
    const sigstore::TrustedRoot root = options.trusted_root
                                           ? sigstore::load_trusted_root_file(*options.trusted_root)
                                           : sigstore::production_trusted_root();
    sigstore::VerificationPolicy policy;
    if (options.key) {
      const std::string pem =
          verifier::read_bounded_file(*options.key, verifier::kMaxPemFileBytes, "public key");
      policy.signer = sigstore::PublicKeyPolicy{sigstore::public_key_der(
          sigstore::public_key_from_pem(pem, "--key " + *options.key).get())};
    } else {
      policy.signer = sigstore::IdentityPolicy{*options.identity, *options.issuer};
    }
    policy.artifact_sha256 = artifact_digest(options.artifact);
    const sigstore::VerifiedBundle verified = sigstore::verify_bundle(bundle, policy, root);
    std::cout << "OK: signed by " << verified.signer_description << '\n';
    return 0;
  } catch (const verifier::VerificationError& error) {
    print_problems(error.problems());
  } catch (const verifier::FormatError& error) {
    print_problems({error.what()});
  } catch (const std::system_error& error) {
    print_problems({error.what()});
  }
  return 1;
}

}  // namespace sigmount::tools
