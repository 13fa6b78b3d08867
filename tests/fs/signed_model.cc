#include "tests/fs/signed_model.h"

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <system_error>

#include "hashing/openssl_handle.h"
#include "tests/common/random_bytes.h"
#include "verifier/format/statement.h"
#include "verifier/model/path_order.h"
#include "verifier/model/resources.h"
#include "verifier/signature_verifier.h"
#include "verifier/trust/signing.h"

namespace sigmount::fs::testing {

void write_file(const std::filesystem::path& path, ByteView content) {
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(content.data()),
            static_cast<std::streamsize>(content.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

Bytes read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::map<std::string, Bytes> write_random_model(const std::filesystem::path& root,
                                                const std::map<std::string, std::size_t>& sizes,
                                                std::uint64_t seed) {
  std::map<std::string, Bytes> out;
  for (const auto& [name, size] : sizes) {
    Bytes content = sigmount::testing::random_bytes(size, seed++);
    write_file(root / name, content);
    out.emplace(name, std::move(content));
  }
  return out;
}

namespace {

std::string pem_of(EVP_PKEY* key, bool private_part) {
  Bio bio(BIO_new(BIO_s_mem()));
  const int ok =
      private_part ? PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr)
                   : PEM_write_bio_PUBKEY(bio.get(), key);
  if (ok != 1) throw std::runtime_error("PEM write failed");
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

hashing::Digest hash_range(hashing::HashAlgorithm algorithm, ByteView bytes) {
  hashing::Hasher hasher(algorithm);
  hasher.update(bytes);
  return hasher.finish();
}

}  // namespace

SignedModel sign_model(const std::filesystem::path& root, std::vector<std::string> names,
                       const ModelSpec& spec) {
  verifier::Serialization serialization;
  serialization.hash = spec.hash;
  serialization.allow_symlinks = spec.allow_symlinks;
  serialization.method = spec.shard_size > 0 ? verifier::SerializationMethod::shards
                                             : verifier::SerializationMethod::files;
  serialization.shard_size = spec.shard_size;

  std::sort(names.begin(), names.end(), verifier::ModelPathLess{});
  std::vector<verifier::Resource> resources;
  const std::string algorithm(hashing::algorithm_name(spec.hash));
  for (const std::string& name : names) {
    const Bytes content = read_file(name == "." ? root : root / name);
    if (spec.shard_size == 0) {
      resources.push_back({name, algorithm, hash_range(spec.hash, content)});
      continue;
    }
    // model_signing shards [start, min(start+size, len)) and leaves empty files out.
    std::uint64_t start = 0;
    while (start < content.size()) {
      const std::uint64_t end = std::min<std::uint64_t>(start + spec.shard_size, content.size());
      resources.push_back({name + ":" + std::to_string(start) + ":" + std::to_string(end),
                           algorithm + "-sharded-" + std::to_string(spec.shard_size),
                           hash_range(spec.hash, ByteView(content).subspan(start, end - start))});
      start = end;
    }
  }
  const std::string statement =
      verifier::write_statement(root.filename().string(), serialization, resources);

  EvpPkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_group_name(ctx.get(), "P-256") != 1 ||
      EVP_PKEY_keygen(ctx.get(), &raw) != 1) {
    throw std::runtime_error("EC key generation failed");
  }
  EvpPkey key(raw);

  auto keys = std::make_unique<TempDir>();
  const std::filesystem::path public_key = *keys / "key.pub";
  const std::filesystem::path signature = *keys / "model.sig";
  const std::string public_pem = pem_of(key.get(), false);
  write_file(public_key, as_bytes(public_pem));
  verifier::trust::KeySigner signer(pem_of(key.get(), true));
  std::string bundle_json = verifier::trust::sign_statement(statement, signer);
  write_file(signature, as_bytes(bundle_json));
  verifier::SignatureVerifier verifier(verifier::KeyTrust{public_key});
  verifier::VerifiedManifest manifest = verifier.verify(bundle_json);
  return SignedModel{std::move(keys), public_key, signature, std::move(bundle_json),
                     std::move(manifest)};
}

std::vector<std::uint64_t> LyingStore::size_list() const {
  std::vector<std::uint64_t> sizes;
  for (const Bytes& file : files_) sizes.push_back(file.size());
  return sizes;
}

std::size_t LyingStore::read(std::size_t file, std::uint64_t offset, std::span<std::uint8_t> out) {
  std::unique_lock lock(mutex_);
  resumed_.wait(lock, [&] { return !pause_at_ || bytes_read_ < *pause_at_; });
  ++read_calls_;
  if (failures_ > 0 || static_cast<std::ptrdiff_t>(file) == failing_file_) {
    if (failures_ > 0) --failures_;
    throw std::system_error(EIO, std::generic_category(), "injected I/O error");
  }
  const Bytes& content = files_.at(file);
  const std::uint64_t available = offset < content.size() ? content.size() - offset : 0;
  const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), available));
  std::copy_n(content.begin() + static_cast<std::ptrdiff_t>(offset), n, out.begin());
  bytes_read_ += n;
  int& times = read_counts_[{file, offset}];
  ++times;
  if (lie_ == Lie::second_read_differs && times > 1) {
    for (std::size_t i = 0; i < n; ++i) out[i] ^= 0xA5;
  }
  return n;
}

void LyingStore::set_lie(Lie lie) {
  std::lock_guard lock(mutex_);
  lie_ = lie;
}

void LyingStore::flip(std::size_t file, std::uint64_t offset) {
  std::lock_guard lock(mutex_);
  files_.at(file).at(offset) ^= 0x01;
}

void LyingStore::truncate(std::size_t file, std::uint64_t size) {
  std::lock_guard lock(mutex_);
  files_.at(file).resize(size);
}

int LyingStore::reads_of(std::size_t file, std::uint64_t offset) const {
  std::lock_guard lock(mutex_);
  auto it = read_counts_.find({file, offset});
  return it == read_counts_.end() ? 0 : it->second;
}

std::function<void(const std::string&)> EventLog::sink() {
  return [this](const std::string& line) {
    std::lock_guard lock(mutex_);
    lines_.push_back(line);
  };
}

std::vector<std::string> EventLog::lines() const {
  std::lock_guard lock(mutex_);
  return lines_;
}

std::string EventLog::last(std::string_view event) const {
  std::lock_guard lock(mutex_);
  for (auto line = lines_.rbegin(); line != lines_.rend(); ++line) {
    const auto parsed = nlohmann::json::parse(*line, nullptr, false);
    if (!parsed.is_discarded() && parsed.value("event", "") == event) return *line;
  }
  throw std::out_of_range("no " + std::string(event) + " line in the log");
}

}  // namespace sigmount::fs::testing
