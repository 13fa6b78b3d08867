#include "tools/mount_cli.h"

#include <charconv>
#include <iostream>

#include "fs/fuse_session.h"
#include "fs/mount_options.h"
#include "tools/command_support.h"
#include "tools/provenance_options.h"
#include "tools/verification_options.h"

namespace sigmount::tools {
namespace {

ArgParser mount_parser(TrustMethod method, const std::string& method_word) {
  ArgParser parser("sigmount mount " + method_word,
                   "Verify the signature of the model at SOURCE, then mount it read-only at "
                   "MOUNTPOINT, serving only bytes that match the signed manifest (EIO "
                   "otherwise).");
  add_trust_options(parser, method);
  parser
      .value("signature", "PATH",
             "The signature bundle (default: SOURCE/model.sig, or model.sig next to a "
             "single-file SOURCE). Never visible in the mount.")
      .flag("foreground", "Stay in the foreground and log JSON lines to stderr.")
      .flag("verify-all", "Hash every signed byte before mounting; any mismatch fails the mount.")
      .flag("fail-closed", "After the first mismatch, every read of every file fails with EIO.")
      .flag("no-verify-ahead",
            "Do not verify the next shard or file in the background after a first read.")
      .value("cache-size", "BYTES", "Upper bound for verified bytes held in memory (192 MiB).")
      .value("log-file", "PATH",
             "Append the JSON log lines to PATH instead of stderr (-f) or syslog; /dev/stderr "
             "keeps them on this command's stderr after it returns (a container's log).")
      .list("options", "OPTS", "FUSE mount options (comma-separated); 'ro' is always on.")
      .flag("debug", "libfuse request tracing (implies --foreground).")
      .value("max-threads", "N", "FUSE worker threads (default: libfuse's).")
      .value("provenance", "PATH",
             "Also require SLSA provenance (a Sigstore bundle) that verifies and whose subjects "
             "are the signed files or the signed root digest; needs --source-uri.")
      .value("provenance-public-key", "PATH",
             "The provenance is signed by an in-house builder's key (default: keyless, by a "
             "GitHub Actions builder).")
      .list("provenance-certificate-chain", "PATH",
            "The provenance is signed with a certificate chaining to this CA (repeatable).")
      .value("provenance-trusted-root", "PATH",
             "The Sigstore trusted root for a keyless provenance (default: built-in).");
  add_provenance_requirement_options(parser);
  parser.short_name('f', "foreground")
      .short_name('o', "options")
      .short_name('d', "debug")
      .positional("SOURCE", "The signed model directory (or single file).")
      .positional("MOUNTPOINT", "An existing empty directory.");
  return parser;
}

std::uint64_t parse_count(const std::string& option, const std::string& text) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec == std::errc::result_out_of_range) {
    throw UsageError("--" + option + " " + text + " is out of range");
  }
  if (text.empty() || ec != std::errc{} || ptr != end) {
    throw UsageError("--" + option + " needs a non-negative integer, got '" + text + "'");
  }
  return value;
}

}  // namespace

std::optional<MountCommand> parse_mount_command(std::span<const std::string> args) {
  if (args.empty() || args[0] == "-h" || args[0] == "--help") {
    (args.empty() ? std::cerr : std::cout)
        << method_help("mount", "SOURCE MOUNTPOINT",
                       "Verify the signature of the model at SOURCE, then mount it read-only at "
                       "MOUNTPOINT, serving only bytes that match the signed manifest.",
                       trust_methods());
    if (args.empty()) throw UsageError("missing method (key, certificate or sigstore)");
    return std::nullopt;
  }
  const TrustMethod method = parse_trust_method(args[0]);
  ArgParser parser = mount_parser(method, args[0]);
  ParsedArgs parsed;
  try {
    parsed = parser.parse(args.subspan(1));
  } catch (const UsageError& error) {
    throw UsageError(std::string(error.what()) + "\n" + parser.usage_line());
  }
  if (parsed.help_requested()) {
    std::cout << parser.help();
    return std::nullopt;
  }
  MountCommand command{.policy = trust_policy_from(parsed, method),
                       .signature = std::nullopt,
                       .source = parsed.positionals()[0],
                       .mountpoint = parsed.positionals()[1],
                       .options = {},
                       .provenance = std::nullopt,
                       .provenance_policy = {}};
  if (auto signature = parsed.value("signature")) command.signature = *signature;
  if (auto provenance = parsed.value("provenance")) {
    command.provenance = *provenance;
    command.provenance_policy = provenance_requirements_from(parsed);
    const auto key = parsed.value("provenance-public-key");
    const auto cas = parsed.list("provenance-certificate-chain");
    if (key && !cas.empty()) {
      throw UsageError("--provenance-public-key and --provenance-certificate-chain are exclusive");
    }
    if (key) {
      command.provenance_policy.trust = verifier::KeyTrust{*key};
    } else if (!cas.empty()) {
      verifier::CertificateTrust trust;
      for (const auto& ca : cas) trust.ca_certificates.emplace_back(ca);
      command.provenance_policy.trust = trust;
    } else {
      verifier::provenance::GitHubBuilderTrust trust;
      if (auto root = parsed.value("provenance-trusted-root")) trust.trusted_root = *root;
      command.provenance_policy.trust = trust;
    }
  } else {
    for (const char* option : {"source-uri", "source-tag", "source-branch", "builder-id",
                               "provenance-public-key", "provenance-trusted-root"}) {
      if (parsed.given(option))
        throw UsageError(std::string("--") + option + " needs --provenance");
    }
  }
  command.options.foreground = parsed.flag("foreground");
  command.options.verify_all = parsed.flag("verify-all");
  command.options.fail_closed = parsed.flag("fail-closed");
  command.options.verify_ahead = !parsed.flag("no-verify-ahead");
  command.options.debug = parsed.flag("debug");
  if (command.options.debug) command.options.foreground = true;
  if (auto size = parsed.value("cache-size")) {
    command.options.cache_size = parse_count("cache-size", *size);
    if (const std::string problem = fs::cache_size_problem(command.options.cache_size);
        !problem.empty()) {
      throw UsageError("--cache-size " + *size + " " + problem);
    }
  }
  if (auto threads = parsed.value("max-threads")) {
    // libfuse's own limit for its worker pool.
    constexpr std::uint64_t kMaxThreads = 100000;
    const std::uint64_t count = parse_count("max-threads", *threads);
    if (count > kMaxThreads) {
      throw UsageError("--max-threads " + *threads + " is above " + std::to_string(kMaxThreads));
    }
    command.options.max_threads = static_cast<unsigned>(count);
  }
  if (auto log_file = parsed.value("log-file")) {
    if (log_file->empty()) throw UsageError("--log-file needs a path");
    command.options.log_file = *log_file;
  }
  command.options.fuse_options = parsed.list("options");
  try {
    (void)fs::fuse_option_string(command.options, command.source.string());
  } catch (const std::invalid_argument& error) {
    throw UsageError(error.what());
  }
  return command;
}

int mount_main(std::span<const std::string> args) {
  std::optional<MountCommand> command;
  try {
    command = parse_mount_command(args);
  } catch (const UsageError& error) {
    std::cerr << "error: " << error.what() << "\n";
    return kExitUsage;
  }
  if (!command) return kExitOk;
  return run_reporting_failures("Mount failed", [&] { return run_mount(*command); });
}

int status_main(std::span<const std::string> args) {
  ArgParser parser("sigmount status", "Print the counters of a sigmount mount as one JSON object.");
  parser.positional("MOUNTPOINT", "Where the model is mounted.");
  int exit_code = kExitOk;
  auto parsed = parse_or_exit(parser, args, exit_code);
  if (!parsed) return exit_code;
  const std::filesystem::path mountpoint = parsed->positionals()[0];
  return run_reporting_failures("Status failed", [&] { return run_status(mountpoint); });
}

}  // namespace sigmount::tools
