// `sigmount mount`: verify the signature, check SOURCE against the signed file list, then
// serve the verified core through FUSE. Every refusal happens before anything is mounted.
#include "tools/mount_command.h"

#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <iostream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "fs/event_log.h"
#include "fs/fuse_filesystem.h"
#include "fs/fuse_session.h"
#include "fs/inherited_descriptors.h"
#include "fs/model_tree.h"
#include "fs/mount_options.h"
#include "fs/mountpoint_check.h"
#include "fs/source_store.h"
#include "fs/verified_file_core.h"
#include "fs/verify_all_reporter.h"
#include "tools/progress_bar.h"
#include "verifier/errors.h"
#include "verifier/format/bounded_file.h"
#include "verifier/format/bundle.h"
#include "verifier/provenance/provenance_subjects.h"
#include "verifier/provenance/provenance_verifier.h"
#include "verifier/signature_verifier.h"

namespace sigmount::tools {
namespace {

std::filesystem::path default_signature(const std::filesystem::path& source) {
  if (std::filesystem::is_directory(source)) return source / "model.sig";
  return source.parent_path() / "model.sig";
}

std::string serialization_name(const verifier::Serialization& serialization) {
  if (serialization.method == verifier::SerializationMethod::files) return "files";
  return "shards-" + std::to_string(serialization.shard_size);
}

nlohmann::ordered_json status_object(const MountCommand& command,
                                     const verifier::VerifiedManifest& manifest,
                                     const fs::VerifiedFileCore& core, const fs::SourceStore& store,
                                     std::uint64_t total_bytes) {
  const fs::CounterSnapshot c = core.counters();
  nlohmann::ordered_json status = {
      {"mountpoint", command.mountpoint.string()},
      {"source", command.source.string()},
      {"model", manifest.model_name()},
      {"signer", manifest.signer().description},
      {"root_digest", "sha256:" + manifest.root_digest().hex()},
      {"serialization", serialization_name(manifest.serialization())},
      {"hash", std::string(hashing::algorithm_name(manifest.serialization().hash))},
      {"files", core.file_count()},
      {"bytes", total_bytes},
      {"pid", static_cast<long>(::getpid())},
      {"reader", std::string(store.reader_backend())},
      {"verify_all", command.options.verify_all},
      {"fail_closed", command.options.fail_closed},
      {"verify_ahead", command.options.verify_ahead},
      {"failed_closed", c.failed_closed},
      {"cache_size", c.cache_capacity},
      {"counters", fs::counters_object(c)}};
  // Where an operator whose reader died of "Bus error" (mmap) or got EIO looks first.
  status["last_refused_read"] =
      c.last_refused_read ? fs::refused_read_object(*c.last_refused_read) : nullptr;
  return status;
}

}  // namespace

int run_mount(const MountCommand& original) {
  // Noted before any descriptor of ours is open, closed once verification has read the key
  // and signature (which may be among them): the daemon keeps only what it opens.
  fs::InheritedDescriptors inherited(original.mountpoint.string());
  MountCommand command = original;
  // The daemon changes directory to "/": make every path absolute first.
  command.source = std::filesystem::absolute(command.source).lexically_normal();
  command.mountpoint = std::filesystem::absolute(command.mountpoint).lexically_normal();
  if (!command.source.has_filename()) command.source = command.source.parent_path();
  if (!command.mountpoint.has_filename()) {
    command.mountpoint = command.mountpoint.parent_path();
  }
  const std::filesystem::path signature = command.signature
                                              ? std::filesystem::absolute(*command.signature)
                                              : default_signature(command.source);

  // Before any verification (which may take long): what the mount needs of the two paths.
  if (!std::filesystem::exists(command.source)) {
    throw std::runtime_error("SOURCE " + command.source.string() + " does not exist");
  }
  // (A /dev/fd/N mountpoint is /dev/fuse handed over by mount.fuse3, already mounted.)
  if (!command.mountpoint.string().starts_with("/dev/fd/")) {
    fs::check_mountpoint(command.mountpoint, command.options.allows_nonempty());
    if (const std::string problem = fs::fuse_device_problem(); !problem.empty()) {
      throw std::runtime_error(problem);
    }
  }
  if (!command.signature && !std::filesystem::exists(signature)) {
    // `sign` and `verify` default to ./model.sig (as model_signing's CLI does); a mount has no
    // meaningful current directory, so it looks beside the model. Say so.
    throw std::runtime_error("no signature at " + signature.string() +
                             " (the default beside the model): give --signature PATH, or sign "
                             "with --signature " +
                             signature.string());
  }
  fs::EventLogger log;
  // Opened before anything is verified: a path that cannot be written is the user's mistake,
  // better told now than after a long --verify-all.
  if (!command.options.log_file.empty()) log.use_file(command.options.log_file);
  // One for --verify-all's reports and the daemon's, so that a socket nobody listens on is
  // logged once.
  fs::ServiceManager service_manager(log);
  const std::string bundle =
      verifier::read_bounded_file(signature, verifier::kMaxBundleBytes, "signature");
  const std::optional<std::string> provenance_bundle =
      command.provenance ? std::optional(verifier::read_bounded_file(
                               *command.provenance, verifier::kMaxBundleBytes, "provenance"))
                         : std::nullopt;
  // Whose identity the signed files must not share. Taken now: a /dev/fd/N signature is
  // closed below, and its number may then name one of the signed files.
  struct stat signature_identity {};
  const bool signature_is_file = ::stat(signature.c_str(), &signature_identity) == 0;
  const verifier::VerifiedManifest manifest =
      verifier::SignatureVerifier(command.policy).verify(bundle);
  if (provenance_bundle) {
    // Both must hold, and of the same bytes: a provenance of other files proves nothing about
    // what is served.
    const auto verified =
        verifier::provenance::verify_provenance(*provenance_bundle, command.provenance_policy);
    verifier::provenance::require_same_bytes(verified, manifest);
  }
  if (const std::string problem = inherited.close_all(); !problem.empty()) {
    std::cerr << "warning: descriptors inherited from the caller may stay open: " << problem
              << "\n";
  }
  if (const auto reason = fs::unservable_reason(manifest.serialization())) {
    throw verifier::VerificationError(*reason);
  }
  // Refuse hostile names before touching the disk, then open exactly the signed files.
  const fs::ModelTree tree =
      fs::ModelTree::build(manifest.files(), command.source.filename().string());
  fs::SourceStore store(command.source, manifest.files(), manifest.serialization().allow_symlinks,
                        hashing::ReaderBackend::automatic);
  // The signature is never part of the mount; a manifest that lists it (under its name or a
  // hard link) was not made by signing this model.
  if (signature_is_file) {
    if (const auto file =
            store.file_with_identity(signature_identity.st_dev, signature_identity.st_ino)) {
      throw verifier::VerificationError("signed file " + manifest.files()[*file].path +
                                        " is the signature file " + signature.string() + " itself");
    }
  }
  fs::CoreOptions core_options{.cache_size = command.options.cache_size,
                               .fail_closed = command.options.fail_closed};
  core_options.verify_ahead = command.options.verify_ahead;
  core_options.fingerprint_budget =
      fs::MountOptions::fingerprint_budget_for(command.options.cache_size);
  fs::VerifiedFileCore core(manifest, store, core_options,
                            [&log](const std::string& line) { log.line(line); });
  std::uint64_t total_bytes = 0;
  for (std::size_t i = 0; i < core.file_count(); ++i) total_bytes += core.size(i);
  nlohmann::ordered_json verified = {{"model", manifest.model_name()},
                                     {"signer", manifest.signer().description},
                                     {"files", core.file_count()},
                                     {"bytes", total_bytes},
                                     {"verify_all", command.options.verify_all}};
  // A daemon logs to syslog from the fork on; keep the terminal quiet on success. The log is
  // read as it goes in the foreground (stderr) and in a --log-file.
  const bool log_read_now = command.options.foreground || !command.options.log_file.empty();
  if (log_read_now) {
    log.event("signature_verified",
              verified.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
  if (command.options.verify_all) {
    fs::VerifyAllReporter reporter(log, command.options.foreground ? &service_manager : nullptr,
                                   log_read_now);
    fs::VerifyAllProgress progress = reporter.progress();
    // Daemonizing, the command is otherwise silent until the mount is ready, which for a large
    // model is minutes of hashing: on a terminal it shows the bar sign and verify show. (With -f
    // the log lines go to stderr, and a bar would break them.)
    ProgressBar bar("verifying");
    if (!command.options.foreground) {
      bar.start(total_bytes);
      if (bar.enabled()) {
        progress.interval = ProgressBar::kRedrawInterval;
        progress.report = [&bar, shown = std::uint64_t{0}](std::uint64_t hashed,
                                                           std::uint64_t) mutable {
          if (hashed <= shown) return;
          bar.add(hashed - shown);
          shown = hashed;
        };
      }
    }
    core.verify_all(0, progress);
    reporter.finished();
  }
  // Built once the mount is about to exist: its time stamps every entry's times.
  std::vector<fs::FileAccess> access;
  access.reserve(tree.size());
  for (std::uint64_t inode = fs::ModelTree::kRootInode; inode <= tree.size(); ++inode) {
    const fs::ModelTree::Node& node = *tree.node(inode);
    if (!node.is_directory) {
      const fs::OpenedFile& opened = store.opened(node.file);
      access.push_back({.mode = opened.mode, .owner = opened.owner, .group = opened.group});
      continue;
    }
    // One that cannot be looked at now (it was there a moment ago, when its files were
    // opened) is shown to its daemon's user only.
    const std::optional<fs::OpenedFile> directory = store.directory(tree.path(inode));
    access.push_back(directory
                         ? fs::FileAccess{.mode = directory->mode,
                                          .owner = directory->owner,
                                          .group = directory->group}
                         : fs::FileAccess{.mode = 0500, .owner = ::getuid(), .group = ::getgid()});
  }
  fs::FuseFilesystem filesystem(
      tree, core,
      [&] {
        return status_object(command, manifest, core, store, total_bytes)
            .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      },
      std::move(access));
  return fs::serve_fuse(filesystem, command.mountpoint, command.source.string(), command.options,
                        log, service_manager, [&store] { store.drop_readers(); });
}

bool is_mount_helper_invocation(std::span<const std::string> args) {
  if (args.size() < 2 || args[0].empty() || args[0].front() == '-') return false;
  if (args[1].empty() || args[1].front() == '-') return false;
  for (std::size_t i = 2; i < args.size(); ++i) {
    if (args[i] == "-o") {
      ++i;
    } else if (!args[i].starts_with("-o") && args[i] != "-f" && args[i] != "-n" &&
               args[i] != "-v" && args[i] != "-s") {
      return false;
    }
  }
  return true;
}

int run_mount_helper(std::span<const std::string> args) {
  if (!is_mount_helper_invocation(args)) {
    std::cerr << "error: expected SOURCE MOUNTPOINT [-o OPTIONS]\n";
    return 2;
  }
  MountCommand command{.policy = verifier::KeyTrust{},
                       .signature = std::nullopt,
                       .source = args[0],
                       .mountpoint = args[1],
                       .options = {},
                       .provenance = std::nullopt,
                       .provenance_policy = {}};
  std::vector<std::string> options;
  for (std::size_t i = 2; i < args.size(); ++i) {
    if (args[i] == "-o" && i + 1 < args.size()) {
      options.push_back(args[++i]);
    } else if (args[i].starts_with("-o") && args[i].size() > 2) {
      options.push_back(args[i].substr(2));
    } else if (args[i] == "-f") {
      command.options.foreground = true;
    }
  }
  std::optional<std::filesystem::path> key;
  std::vector<std::filesystem::path> cas;
  std::optional<std::string> identity, issuer;
  std::optional<std::filesystem::path> trusted_root;
  std::vector<std::string> fuse_options;
  try {
    for (const std::string& entry : options) {
      for (const std::string& option : fs::split_option_list(entry)) {
        // mount(8) adds "rw" to every line that does not say "ro"; the mount is read-only
        // either way. (`sigmount mount -o rw` is refused: there, only the user can have said it.)
        if (option == "rw") continue;
        if (!option.starts_with("sigmount.")) {
          fuse_options.push_back(option);
          continue;
        }
        const std::size_t eq = option.find('=');
        const std::string key_name = option.substr(9, eq == std::string::npos ? eq : eq - 9);
        const std::string value = eq == std::string::npos ? "" : option.substr(eq + 1);
        if (key_name == "key") {
          key = value;
        } else if (key_name == "ca") {
          for (std::string& ca : fs::split_nonempty(value, ':')) cas.emplace_back(std::move(ca));
        } else if (key_name == "identity") {
          identity = value;
        } else if (key_name == "issuer") {
          issuer = value;
        } else if (key_name == "trusted_root") {
          trusted_root = value;
        } else if (key_name == "signature") {
          command.signature = value;
        } else if (key_name == "verify_all") {
          command.options.verify_all = true;
        } else if (key_name == "fail_closed") {
          command.options.fail_closed = true;
        } else if (key_name == "no_verify_ahead") {
          command.options.verify_ahead = false;
        } else if (key_name == "log_file") {
          if (value.empty()) throw std::invalid_argument("sigmount.log_file needs a path");
          command.options.log_file = value;
        } else if (key_name == "cache_size") {
          std::uint64_t bytes = 0;
          auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), bytes);
          if (value.empty() || ec != std::errc{} || ptr != value.data() + value.size()) {
            throw std::invalid_argument("sigmount.cache_size needs a byte count");
          }
          if (const std::string problem = fs::cache_size_problem(bytes); !problem.empty()) {
            throw std::invalid_argument("sigmount.cache_size=" + value + " " + problem);
          }
          command.options.cache_size = bytes;
        } else {
          throw std::invalid_argument("unknown option sigmount." + key_name);
        }
      }
    }
    const int methods = (key ? 1 : 0) + (!cas.empty() ? 1 : 0) + (identity || issuer ? 1 : 0);
    if (methods != 1) {
      throw std::invalid_argument(
          "give exactly one of -o sigmount.key=, sigmount.ca= or sigmount.identity=/issuer=");
    }
    if (key) {
      command.policy = verifier::KeyTrust{*key};
    } else if (!cas.empty()) {
      command.policy = verifier::CertificateTrust{cas};
    } else {
      if (!identity || !issuer) {
        throw std::invalid_argument("sigstore needs both sigmount.identity= and sigmount.issuer=");
      }
      command.policy = verifier::SigstoreTrust{*identity, *issuer, trusted_root};
    }
  } catch (const std::invalid_argument& error) {
    std::cerr << "error: " << error.what() << "\n";
    return 2;
  }
  if (!fuse_options.empty()) {
    std::string joined;
    for (const auto& option : fuse_options) joined += (joined.empty() ? "" : ",") + option;
    command.options.fuse_options.push_back(joined);
  }
  try {
    (void)fs::fuse_option_string(command.options, command.source.string());
  } catch (const std::invalid_argument& error) {
    std::cerr << "error: " << error.what() << "\n";
    return 2;
  }
  try {
    return run_mount(command);
  } catch (const verifier::VerificationError& error) {
    for (const auto& line : error.problems()) std::cerr << "Mount failed: " << line << "\n";
  } catch (const std::exception& error) {
    std::cerr << "Mount failed: " << error.what() << "\n";
  }
  return 1;
}

}  // namespace sigmount::tools
