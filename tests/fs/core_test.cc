// The FUSE-free core against honest and lying stores: it never returns a byte it did not hash.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "fs/verified_file_core.h"
#include "tests/fs/signed_model.h"
#include "verifier/errors.h"

namespace sigmount::fs {
namespace {

using testing::EventLog;
using ::testing::HasSubstr;
using testing::LyingStore;
using testing::ModelSpec;
using testing::SignedModel;
using testing::TempDir;

constexpr std::uint64_t kB = kBlockSize;

// A signed random model plus an in-memory store holding the same bytes in manifest order.
struct Fixture {
  TempDir dir;
  std::map<std::string, Bytes> content;
  std::unique_ptr<SignedModel> signed_model;
  std::unique_ptr<LyingStore> store;
  EventLog log;

  Fixture(const std::map<std::string, std::size_t>& sizes, const ModelSpec& spec = {}) {
    content = testing::write_random_model(dir.path(), sizes);
    std::vector<std::string> names;
    for (const auto& [name, bytes] : content) names.push_back(name);
    signed_model = std::make_unique<SignedModel>(testing::sign_model(dir.path(), names, spec));
    std::vector<Bytes> files;
    for (const auto& file : manifest().files()) files.push_back(content.at(file.path));
    store = std::make_unique<LyingStore>(std::move(files));
  }
  const verifier::VerifiedManifest& manifest() const { return signed_model->manifest; }
  std::size_t index(const std::string& name) const {
    const auto& files = manifest().files();
    for (std::size_t i = 0; i < files.size(); ++i) {
      if (files[i].path == name) return i;
    }
    throw std::out_of_range(name);
  }
  // Verify-ahead off unless asked for: most tests count exactly which bytes the store saw.
  std::unique_ptr<VerifiedFileCore> core(std::uint64_t cache_size = 64ULL << 20,
                                         bool fail_closed = false, bool verify_ahead = false) {
    CoreOptions options{.cache_size = cache_size, .fail_closed = fail_closed};
    options.verify_ahead = verify_ahead;
    return std::make_unique<VerifiedFileCore>(manifest(), *store, options, log.sink());
  }
  Bytes expected(const std::string& name, std::uint64_t offset, std::uint64_t length) const {
    const Bytes& all = content.at(name);
    if (offset >= all.size()) return {};
    const auto end = std::min<std::uint64_t>(all.size(), offset + length);
    return Bytes(all.begin() + static_cast<std::ptrdiff_t>(offset),
                 all.begin() + static_cast<std::ptrdiff_t>(end));
  }
};

const std::map<std::string, std::size_t>& model_sizes() {
  static const std::map<std::string, std::size_t> sizes = {{"empty", 0},
                                                           {"one", 1},
                                                           {"block", kB},
                                                           {"block_minus", kB - 1},
                                                           {"block_plus", kB + 1},
                                                           {"dir/sub/medium", 300 * 1024 + 17},
                                                           {"dir/big", 3 * kB * 4 + 123}};
  return sizes;
}

class CoreReads : public ::testing::TestWithParam<ModelSpec> {};

TEST_P(CoreReads, EveryRangeEqualsTheSignedBytes) {
  Fixture fx(model_sizes(), GetParam());
  auto core = fx.core();
  std::mt19937_64 random(7);
  for (const auto& [name, bytes] : fx.content) {
    if (bytes.empty() && GetParam().shard_size > 0) continue;  // sharding leaves empty files out
    const std::size_t file = fx.index(name);
    ASSERT_EQ(core->size(file), bytes.size());
    auto whole = core->read(file, 0, bytes.size() + 100);
    ASSERT_TRUE(whole.ok()) << name;
    EXPECT_EQ(whole.concatenate(), bytes) << name;
    for (int i = 0; i < 50; ++i) {
      const std::uint64_t offset = bytes.empty() ? 0 : random() % (bytes.size() + 10);
      const std::uint64_t length = random() % (3 * kB);
      auto part = core->read(file, offset, length);
      ASSERT_TRUE(part.ok()) << name << " @" << offset;
      EXPECT_EQ(part.concatenate(), fx.expected(name, offset, length)) << name << " @" << offset;
    }
  }
  EXPECT_EQ(core->counters().mismatches, 0u);
  EXPECT_TRUE(fx.log.lines().empty());
}

INSTANTIATE_TEST_SUITE_P(
    Serializations, CoreReads,
    ::testing::Values(ModelSpec{}, ModelSpec{hashing::HashAlgorithm::blake2b, 0, false},
                      // Shard size not a multiple of the block size, nor of the read sizes.
                      ModelSpec{hashing::HashAlgorithm::sha256, 100000, false},
                      ModelSpec{hashing::HashAlgorithm::blake3, 3 * kB, false}));

TEST(Core, BytesThatChangeAfterTheFirstReadAreNeverServed) {
  // A small shard is read on the calling thread, a large one by a reader thread ahead of the
  // hash: the same guarantee for both.
  for (const std::uint64_t size : {5 * kB + 7, 40 * kB + 7}) {
    Fixture fx({{"f", size}});
    fx.store->set_lie(LyingStore::Lie::second_read_differs);
    // No cache: every later read has to go back to the lying store.
    auto core = fx.core(/*cache_size=*/0);
    const auto first = core->read(0, kB + 5, 2 * kB);
    ASSERT_TRUE(first.ok());
    EXPECT_EQ(first.concatenate(), fx.expected("f", kB + 5, 2 * kB));
    for (std::uint64_t offset : {std::uint64_t{0}, kB + 5, 4 * kB, 5 * kB}) {
      const auto again = core->read(0, offset, kB);
      EXPECT_FALSE(again.ok()) << "a re-read returned bytes the store changed, offset " << offset;
      EXPECT_EQ(again.error(), EIO);
    }
    EXPECT_GE(core->counters().mismatches, 4u);
  }
}

TEST(Core, MiddleOfABigShardIsServedFromTheHashedBuffer) {
  // The request sits in the middle of a shard much bigger than the cache: it must be served
  // from the buffers hashed during streaming, never from a second read.
  Fixture fx({{"big", 64 * kB}});
  fx.store->set_lie(LyingStore::Lie::second_read_differs);
  auto core = fx.core(/*cache_size=*/4 * kB);
  const auto read = core->read(0, 40 * kB - 10, 3 * kB);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read.concatenate(), fx.expected("big", 40 * kB - 10, 3 * kB));
  // Each block was read exactly once: nothing was fetched twice to serve the request.
  for (std::uint64_t block = 0; block < 64; ++block)
    EXPECT_EQ(fx.store->reads_of(0, block * kB), 1);
  EXPECT_LE(core->counters().cached_bytes, 4 * kB);
}

TEST(Core, TamperAfterVerificationIsCaughtOnceTheBytesLeftTheCache) {
  Fixture fx({{"a", 16 * kB}, {"b", 16 * kB}});
  auto core = fx.core(/*cache_size=*/4 * kB);
  const std::size_t a = fx.index("a");
  const std::size_t b = fx.index("b");
  ASSERT_TRUE(core->read(a, 0, 16 * kB).ok());
  fx.store->flip(a, 9 * kB + 3);
  // Reading b pushes every block of a out of the 4-block cache.
  ASSERT_TRUE(core->read(b, 0, 16 * kB).ok());
  const auto tampered = core->read(a, 9 * kB, 10);
  EXPECT_EQ(tampered.error(), EIO);
  const auto clean = core->read(a, 2 * kB, 100);
  ASSERT_TRUE(clean.ok());
  EXPECT_EQ(clean.concatenate(), fx.expected("a", 2 * kB, 100));

  const auto lines = fx.log.lines();
  ASSERT_EQ(lines.size(), 2u);
  const auto event = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(event["event"], "mismatch");
  EXPECT_EQ(event["file"], "a");
  EXPECT_EQ(event["shard"], 0);
  EXPECT_EQ(event["offset"], 9 * kB);
  EXPECT_EQ(event["check"], "block");
  // Words, never the two block tags: logs leave the daemon, and the tags are its secret.
  EXPECT_EQ(event["expected"], "the verified bytes");
  EXPECT_EQ(event["actual"], "different bytes");
  EXPECT_TRUE(event["time"].is_string());
}

// An mmap reader of refused bytes dies of SIGBUS with no message of its own: the log line and
// the counters name the file, the range and the reader, so that one look finds the cause.
TEST(Core, ARefusedReadNamesTheFileTheRangeAndTheReader) {
  Fixture fx({{"a", 16 * kB}}, ModelSpec{hashing::HashAlgorithm::sha256, 4 * kB, false});
  fx.store->flip(0, 5 * kB);
  auto core = fx.core();
  EXPECT_FALSE(core->counters().last_refused_read.has_value());
  EXPECT_EQ(core->read(0, 4 * kB, 2 * kB, Reader{.pid = ::getpid()}).error(), EIO);
  const auto counters = core->counters();
  EXPECT_EQ(counters.refused_reads, 1u);
  ASSERT_TRUE(counters.last_refused_read.has_value());
  const RefusedRead& refused = *counters.last_refused_read;
  EXPECT_EQ(refused.file, "a");
  EXPECT_EQ(refused.offset, 4 * kB);
  EXPECT_EQ(refused.length, 2 * kB);
  EXPECT_EQ(refused.pid, ::getpid());
  std::ifstream comm("/proc/self/comm");
  std::string own_name;
  std::getline(comm, own_name);
  EXPECT_EQ(refused.process, own_name);

  const auto lines = fx.log.lines();
  ASSERT_EQ(lines.size(), 2u) << "the mismatch, then the refusal";
  const auto line = nlohmann::json::parse(lines[1]);
  EXPECT_EQ(line["event"], "read_refused");
  EXPECT_EQ(line["file"], "a");
  EXPECT_EQ(line["offset"], 4 * kB);
  EXPECT_EQ(line["length"], 2 * kB);
  EXPECT_EQ(line["pid"], ::getpid());
  EXPECT_EQ(line["process"], own_name);
  EXPECT_THAT(line["note"].get<std::string>(), HasSubstr("SIGBUS"));
  EXPECT_EQ(nlohmann::json::parse(lines[0])["event"], "mismatch");

  EXPECT_TRUE(core->read(0, 0, kB).ok()) << "another shard is not refused";
  EXPECT_EQ(core->counters().refused_reads, 1u);
}

TEST(Core, TamperBeforeTheFirstReadFailsTheWholeShardOnly) {
  Fixture fx({{"f", 10 * kB}}, ModelSpec{hashing::HashAlgorithm::sha256, 4 * kB, false});
  fx.store->flip(0, 5 * kB);  // shard 1 of [0,4) [4,8) [8,10) blocks
  auto core = fx.core();
  EXPECT_EQ(core->read(0, 4 * kB, 1).error(), EIO);
  EXPECT_EQ(core->read(0, 7 * kB, 10).error(), EIO);
  EXPECT_EQ(core->read(0, 3 * kB, 2 * kB).error(), EIO) << "a range touching a bad shard fails";
  auto good = core->read(0, 0, 4 * kB);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(good.concatenate(), fx.expected("f", 0, 4 * kB));
  good = core->read(0, 8 * kB, 2 * kB);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(good.concatenate(), fx.expected("f", 8 * kB, 2 * kB));
  const auto counters = core->counters();
  EXPECT_EQ(counters.shards_verified, 2u);
  EXPECT_EQ(counters.mismatches, 1u) << "a mismatched shard is not re-hashed on every read";
}

TEST(Core, ShortReadsAndTruncationFail) {
  // Read on the calling thread (6 blocks) and by a stream reader thread (40 blocks).
  for (const std::uint64_t blocks : {6ULL, 40ULL}) {
    Fixture fx({{"f", blocks * kB}});
    fx.store->truncate(0, (blocks - 1) * kB + 1);  // the size at mount stays as signed
    auto core = fx.core();
    EXPECT_EQ(core->read(0, 0, 10).error(), EIO);
    EXPECT_EQ(core->read(0, (blocks - 1) * kB, 10).error(), EIO);
    EXPECT_EQ(core->counters().bytes_served, 0u);
    const auto event = nlohmann::json::parse(fx.log.lines().at(0));
    EXPECT_EQ(event["check"], "length");
    // Like a wrong digest, a shard cut short is final: not streamed again at every read.
    EXPECT_EQ(core->counters().mismatches, 1u) << blocks;
    const auto calls = fx.store->read_calls();
    EXPECT_EQ(core->read(0, 0, 10).error(), EIO);
    EXPECT_EQ(fx.store->read_calls(), calls) << blocks;
  }
}

// Nothing of an empty file is ever read through a mount (the kernel answers a read at its end
// itself), so emptying a signed file before the mount must fail the mount, as must filling a
// file signed empty.
TEST(Core, AFileIsEmptyAtMountExactlyWhenItWasSignedEmpty) {
  for (const auto& hash : {hashing::HashAlgorithm::sha256, hashing::HashAlgorithm::blake2b,
                           hashing::HashAlgorithm::blake3}) {
    Fixture fx({{"config.json", 100}, {"empty", 0}, {"weights", 3 * kB}},
               ModelSpec{hash, 0, false});
    EXPECT_NO_THROW((void)fx.core());
    const ByteView text = as_bytes("now with content");
    std::vector<Bytes> files;
    for (const auto& file : fx.manifest().files()) {
      if (file.path == "config.json") {
        files.emplace_back();
      } else if (file.path == "empty") {
        files.emplace_back(text.begin(), text.end());
      } else {
        files.push_back(fx.content.at(file.path));
      }
    }
    fx.store = std::make_unique<LyingStore>(std::move(files));
    try {
      (void)fx.core();
      ADD_FAILURE() << "mounted an emptied file";
    } catch (const verifier::VerificationError& error) {
      ASSERT_EQ(error.problems().size(), 2u);
      EXPECT_THAT(error.problems()[0],
                  HasSubstr("config.json is empty, but what was signed is not"));
      EXPECT_THAT(error.problems()[1], HasSubstr("empty holds 16 bytes, but was signed empty"));
    }
  }
}

TEST(Core, TruncationAfterVerificationFailsEvictedRanges) {
  Fixture fx({{"f", 8 * kB}});
  auto core = fx.core(/*cache_size=*/0);
  ASSERT_TRUE(core->read(0, 0, 8 * kB).ok());
  fx.store->truncate(0, 3 * kB);
  EXPECT_EQ(core->read(0, 6 * kB, 10).error(), EIO);
  auto early = core->read(0, kB, 10);  // still intact
  ASSERT_TRUE(early.ok());
  EXPECT_EQ(early.concatenate(), fx.expected("f", kB, 10));
}

// The store would still hand out the file it opened, with the signed bytes: what fails the
// reads is only that the signed name now leads elsewhere.
TEST(Core, AReplacedFileFailsEveryReadThatGoesToTheStore) {
  Fixture fx({{"a", 8 * kB}, {"b", 8 * kB}});
  auto core = fx.core(/*cache_size=*/0);
  const std::size_t a = fx.index("a");
  const std::size_t b = fx.index("b");
  // Verified and served, then replaced: its blocks must be read again, and that fails.
  ASSERT_TRUE(core->read(a, 0, 8 * kB).ok());
  fx.store->set_replaced(a, true);
  const auto calls = fx.store->read_calls();
  EXPECT_EQ(core->read(a, 3 * kB, 10).error(), EIO);
  EXPECT_EQ(fx.store->read_calls(), calls) << "the store is not read for a replaced file";
  const auto event = nlohmann::json::parse(fx.log.last("mismatch"));
  EXPECT_EQ(event["file"], "a");
  EXPECT_EQ(event["check"], "file");
  EXPECT_EQ(event["offset"], 3 * kB);
  EXPECT_EQ(event["expected"], "the file opened at mount");
  EXPECT_EQ(event["actual"], "a different file (replaced)");
  // Replaced before its first read: fails, but not finally (nothing tampered was read, and
  // the file may be put back), unlike a wrong digest.
  fx.store->set_replaced(a, false);
  fx.store->set_replaced(b, true);
  EXPECT_EQ(core->read(b, 0, 10).error(), EIO);
  EXPECT_EQ(core->counters().mismatches, 2u);
  EXPECT_EQ(core->counters().bytes_served, 8 * kB) << "only a's bytes, before the replacement";
  fx.store->set_replaced(b, false);
  const auto back = core->read(b, 0, 10);
  ASSERT_TRUE(back.ok()) << "put back where it was signed";
  EXPECT_EQ(back.concatenate(), fx.expected("b", 0, 10));
  // A look that cannot tell (an I/O error) is a read error: logged, retried by the next read.
  fx.store->fail_name_checks(true);
  EXPECT_EQ(core->read(a, 5 * kB, 10).error(), EIO);
  EXPECT_EQ(core->counters().read_errors, 1u);
  EXPECT_NO_THROW(fx.log.last("read_error"));
  fx.store->fail_name_checks(false);
  EXPECT_TRUE(core->read(a, 5 * kB, 10).ok());
  EXPECT_EQ(core->counters().mismatches, 2u);
}

// A loader that retries a failing read in a loop must not flood the log, and yet no failure
// may go unreported: each one is counted, and every line held back is accounted for by a line
// logged, at the latest when the held lines are flushed (the daemon does so on a timer and at
// unmount).
TEST(Core, RepeatedFailuresAreLoggedOncePerIntervalAndEveryOneIsAccountedFor) {
  using std::chrono::seconds;
  Fixture fx({{"a", 8 * kB}, {"b", 8 * kB}});
  const std::size_t a = fx.index("a");
  const std::size_t b = fx.index("b");
  const auto lines_of = [&](const char* event, const std::string& file, std::size_t from = 0) {
    std::vector<nlohmann::json> out;
    const auto all = fx.log.lines();
    for (std::size_t i = from; i < all.size(); ++i) {
      auto parsed = nlohmann::json::parse(all[i]);
      if (parsed["event"] == event && parsed["file"] == file) out.push_back(std::move(parsed));
    }
    return out;
  };
  const auto accounted = [](const std::vector<nlohmann::json>& lines) {
    std::uint64_t total = 0;
    for (const auto& line : lines) total += 1 + line.value("suppressed", std::uint64_t{0});
    return total;
  };
  auto now = std::chrono::steady_clock::time_point{};
  const auto make_core = [&](std::chrono::steady_clock::duration interval) {
    CoreOptions options{.cache_size = 0, .verify_ahead = false, .repeat_log_interval = interval};
    options.log_clock = [&now] { return now; };
    return std::make_unique<VerifiedFileCore>(fx.manifest(), *fx.store, options, fx.log.sink());
  };
  fx.store->set_replaced(a, true);
  fx.store->fail_reads_of(b, true);
  {
    auto core = make_core(seconds(10));
    for (int i = 0; i < 5; ++i) {
      EXPECT_EQ(core->read(a, i * kB, 10).error(), EIO);
      EXPECT_EQ(core->read(b, i * kB, 10).error(), EIO);
    }
    EXPECT_EQ(core->counters().mismatches, 5u);
    EXPECT_EQ(core->counters().read_errors, 5u);
    auto mismatches = lines_of("mismatch", "a");
    ASSERT_EQ(mismatches.size(), 1u) << "the first is logged at once, the rest held back";
    EXPECT_EQ(mismatches[0]["offset"], 0);
    EXPECT_FALSE(mismatches[0].contains("suppressed"));
    EXPECT_EQ(lines_of("read_error", "b").size(), 1u);

    // After the interval, the next failure is logged with the count of those held back.
    now += seconds(10);
    EXPECT_EQ(core->read(a, 0, 10).error(), EIO);
    mismatches = lines_of("mismatch", "a");
    ASSERT_EQ(mismatches.size(), 2u);
    EXPECT_EQ(mismatches[1]["suppressed"], 4);

    // Held back and never followed by another: the flush logs the latest, standing for all.
    now += seconds(1);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(core->read(a, 0, 10).error(), EIO);
    ASSERT_EQ(lines_of("mismatch", "a").size(), 2u);
    core->flush_held_log_lines();
    mismatches = lines_of("mismatch", "a");
    ASSERT_EQ(mismatches.size(), 3u);
    EXPECT_EQ(mismatches[2]["suppressed"], 2);
    core->flush_held_log_lines();
    EXPECT_EQ(lines_of("mismatch", "a").size(), 3u) << "flushed once";
    EXPECT_EQ(accounted(lines_of("mismatch", "a")), core->counters().mismatches);
    EXPECT_EQ(accounted(lines_of("read_error", "b")), core->counters().read_errors);

    // What was found is part of the kind: a file renamed away after it was replaced is news.
    fx.store->set_replaced(a, true, "nothing (renamed away or deleted)");
    EXPECT_EQ(core->read(a, 0, 10).error(), EIO);
    mismatches = lines_of("mismatch", "a");
    ASSERT_EQ(mismatches.size(), 4u);
    EXPECT_EQ(mismatches[3]["actual"], "nothing (renamed away or deleted)");
  }
  {
    const std::size_t before = fx.log.lines().size();
    auto core = make_core(std::chrono::steady_clock::duration::zero());
    fx.store->set_replaced(a, true);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(core->read(a, 0, 10).error(), EIO);
    EXPECT_EQ(lines_of("mismatch", "a", before).size(), 3u) << "a zero interval logs every failure";
  }
}

TEST(Core, IoErrorsFailTheReadAndALaterReadRetries) {
  Fixture fx({{"f", 3 * kB}});
  auto core = fx.core();
  fx.store->fail_next(1);
  EXPECT_EQ(core->read(0, 0, 10).error(), EIO);
  EXPECT_EQ(core->counters().read_errors, 1u);
  const auto retry = core->read(0, 0, 10);
  ASSERT_TRUE(retry.ok());
  EXPECT_EQ(retry.concatenate(), fx.expected("f", 0, 10));
}

TEST(Core, ConcurrentReadersShareOneVerificationPerShard) {
  const std::uint64_t shard = 5 * kB + 11;
  Fixture fx({{"f", 4 * shard - 100}, {"g", 2 * kB}},
             ModelSpec{hashing::HashAlgorithm::sha256, shard, false});
  auto core = fx.core(/*cache_size=*/256ULL << 20);
  std::vector<std::jthread> threads;
  threads.reserve(16);
  std::atomic<int> wrong{0};
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937_64 random(static_cast<std::uint64_t>(t));
      for (int i = 0; i < 200; ++i) {
        const std::string name = (random() % 4 == 0) ? "g" : "f";
        const std::uint64_t size = fx.content.at(name).size();
        const std::uint64_t offset = random() % size;
        const std::uint64_t length = 1 + random() % (2 * kB);
        const auto read = core->read(fx.index(name), offset, length);
        if (!read.ok() || read.concatenate() != fx.expected(name, offset, length)) ++wrong;
      }
    });
  }
  threads.clear();
  EXPECT_EQ(wrong, 0);
  const auto counters = core->counters();
  EXPECT_EQ(counters.shards_verified, 5u) << "4 shards of f, 1 of g, each verified once";
  EXPECT_EQ(counters.blocks_reverified, 0u) << "everything fit the cache";
  // The store saw every byte exactly once.
  EXPECT_EQ(fx.store->bytes_read(), fx.content.at("f").size() + fx.content.at("g").size());
}

TEST(Core, EvictedBlocksAreReverifiedAgainstTheirFingerprints) {
  Fixture fx({{"f", 32 * kB + 9}});
  auto core = fx.core(/*cache_size=*/2 * kB);
  ASSERT_TRUE(core->read(0, 0, 10).ok());
  const auto verified_once = fx.store->bytes_read();
  EXPECT_EQ(verified_once, 32 * kB + 9) << "the first touch hashes the whole shard";
  const auto later = core->read(0, 20 * kB + 5, kB);
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later.concatenate(), fx.expected("f", 20 * kB + 5, kB));
  const auto counters = core->counters();
  EXPECT_EQ(counters.shards_verified, 1u);
  EXPECT_EQ(counters.blocks_reverified, 2u);
  EXPECT_EQ(fx.store->bytes_read() - verified_once, 2 * kB) << "only the two blocks were re-read";
  // The last, short block has a fingerprint like any other.
  const auto tail = core->read(0, 32 * kB, 100);
  ASSERT_TRUE(tail.ok());
  EXPECT_EQ(tail.concatenate(), fx.expected("f", 32 * kB, 100));
  fx.store->flip(0, 32 * kB + 8);
  ASSERT_TRUE(core->read(0, 0, 2 * kB).ok());  // evicts the tail block
  EXPECT_EQ(core->read(0, 32 * kB, 100).error(), EIO);
}

TEST(Core, FailClosedStopsEveryReadAfterTheFirstMismatch) {
  for (bool fail_closed : {false, true}) {
    Fixture fx({{"bad", 2 * kB}, {"good", 2 * kB}});
    auto core = fx.core(64ULL << 20, fail_closed);
    const std::size_t good = fx.index("good");
    ASSERT_TRUE(core->read(good, 0, 10).ok());
    fx.store->flip(fx.index("bad"), 100);
    EXPECT_EQ(core->read(fx.index("bad"), 0, 10).error(), EIO);
    const auto after = core->read(good, 0, 10);  // cached, verified bytes
    EXPECT_EQ(after.ok(), !fail_closed) << "fail_closed=" << fail_closed;
    EXPECT_EQ(core->counters().failed_closed, fail_closed);
  }
}

TEST(Core, AWaiterLearnsWhenTheMountFailsClosedOrIsStopped) {
  Fixture fx({{"a", 2 * kB}});
  auto core = fx.core(64ULL << 20, /*fail_closed=*/true);
  std::atomic<int> woke{-1};
  std::jthread waiter(
      [&](const std::stop_token& stop) { woke = core->wait_until_failed_closed(stop) ? 1 : 0; });
  fx.store->flip(fx.index("a"), 5);
  EXPECT_EQ(core->read(fx.index("a"), 0, 10).error(), EIO);
  waiter.join();
  EXPECT_EQ(woke, 1);

  auto open_core = fx.core(64ULL << 20, /*fail_closed=*/false);
  std::atomic<int> stopped{-1};
  std::jthread never([&](const std::stop_token& stop) {
    stopped = open_core->wait_until_failed_closed(stop) ? 1 : 0;
  });
  EXPECT_EQ(open_core->read(fx.index("a"), 0, 10).error(), EIO) << "a mismatch, not fail-closed";
  never.request_stop();
  never.join();
  EXPECT_EQ(stopped, 0);
}

TEST(Core, TheNextShardIsVerifiedAheadOfTheReader) {
  // Manifest order: a, b (two shards), c.
  Fixture fx({{"a", 3 * kB}, {"b", 40 * kB}, {"c", 5 * kB}},
             ModelSpec{hashing::HashAlgorithm::sha256, 32 * kB, false});
  auto core = fx.core(64ULL << 20, false, /*verify_ahead=*/true);
  ASSERT_TRUE(core->read(fx.index("a"), 0, 10).ok());
  core->wait_for_verify_ahead();
  auto counters = core->counters();
  EXPECT_EQ(counters.shards_verified, 2u) << "a, and b's first shard ahead of the reader";
  EXPECT_EQ(counters.shards_verified_ahead, 1u);
  const auto seen = fx.store->bytes_read();
  EXPECT_EQ(seen, 3 * kB + 32 * kB);
  // The reader finds b's first shard verified and its blocks kept: nothing is read again, and
  // its read queues b's second shard.
  const auto b = core->read(fx.index("b"), 0, 32 * kB);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b.concatenate(), fx.expected("b", 0, 32 * kB));
  core->wait_for_verify_ahead();
  counters = core->counters();
  EXPECT_EQ(counters.blocks_reverified, 0u);
  EXPECT_EQ(counters.shards_verified_ahead, 2u);
  EXPECT_EQ(fx.store->bytes_read(), seen + 8 * kB) << "only b's second shard, once";
}

TEST(Core, TamperFoundAheadFailsThatShardAndTripsFailClosed) {
  Fixture fx({{"a", kB}, {"b", 20 * kB}});
  fx.store->flip(fx.index("b"), 7 * kB);
  CoreOptions options{.cache_size = 64ULL << 20, .fail_closed = true};
  options.verify_ahead = true;
  VerifiedFileCore core(fx.manifest(), *fx.store, options, fx.log.sink());
  ASSERT_TRUE(core.read(fx.index("a"), 0, 10).ok());
  core.wait_for_verify_ahead();
  EXPECT_EQ(core.counters().mismatches, 1u);
  EXPECT_EQ(core.read(fx.index("b"), 0, 10).error(), EIO);
  EXPECT_EQ(core.read(fx.index("a"), 0, 10).error(), EIO) << "fail-closed after the mismatch";
}

TEST(Core, AShardThatFailsAheadIsNotQueuedAgain) {
  Fixture fx({{"a", kB}, {"b", 20 * kB}});
  auto core = fx.core(64ULL << 20, false, /*verify_ahead=*/true);
  fx.store->fail_reads_of(fx.index("b"), true);
  ASSERT_TRUE(core->read(fx.index("a"), 0, 10).ok());  // queues b, whose reads fail
  core->wait_for_verify_ahead();
  EXPECT_EQ(core->counters().read_errors, 1u);
  EXPECT_EQ(core->counters().shards_verified_ahead, 0u);
  const auto calls = fx.store->read_calls();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(core->read(fx.index("a"), 0, 10).ok());
  core->wait_for_verify_ahead();
  EXPECT_EQ(fx.store->read_calls(), calls) << "b is not streamed again at every read of a";
  // A reader of b verifies it itself once the store works again.
  fx.store->fail_reads_of(fx.index("b"), false);
  const auto b = core->read(fx.index("b"), 0, 20 * kB);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b.concatenate(), fx.expected("b", 0, 20 * kB));
}

TEST(Core, VerifyingAheadNeverEvictsWhatTheReaderHasNotReadYet) {
  Fixture fx({{"a", 8 * kB}, {"b", 8 * kB}});
  // Room for 4 blocks: a's first read keeps blocks 0-3 (the request and what follows).
  auto core = fx.core(4 * kB, false, /*verify_ahead=*/true);
  ASSERT_TRUE(core->read(fx.index("a"), 0, 10).ok());
  core->wait_for_verify_ahead();
  const auto counters = core->counters();
  EXPECT_EQ(counters.shards_verified_ahead, 1u);
  EXPECT_EQ(counters.cache_evictions, 0u) << "b was verified without displacing a's blocks";
  const auto before = fx.store->bytes_read();
  ASSERT_TRUE(core->read(fx.index("a"), kB, 3 * kB).ok());
  EXPECT_EQ(fx.store->bytes_read(), before) << "a's kept blocks were still there";
}

TEST(Core, ACoreGoingAwayStopsTheVerificationAhead) {
  Fixture fx({{"a", kB}, {"big", 400 * kB}});
  CoreOptions options;
  options.verify_ahead = true;
  for (int round = 0; round < 20; ++round) {
    VerifiedFileCore core(fx.manifest(), *fx.store, options, fx.log.sink());
    ASSERT_TRUE(core.read(fx.index("a"), 0, 10).ok());
    // Destroyed while "big" is (probably) being verified: the thread is stopped and joined
    // before the members it uses go (ASan would see it otherwise); nothing hangs.
  }
  EXPECT_EQ(fx.log.lines().size(), 0u);
}

TEST(Core, VerifyAllHashesEverythingAndKeepsNothing) {
  Fixture fx(model_sizes(), ModelSpec{hashing::HashAlgorithm::sha256, 2 * kB, false});
  auto core = fx.core();
  core->verify_all(4);
  const auto counters = core->counters();
  std::size_t shards = 0;
  for (const auto& file : fx.manifest().files()) shards += file.shards.size();
  EXPECT_EQ(counters.shards_verified, shards);
  EXPECT_EQ(counters.cached_bytes, 0u);
  // Later reads re-read single blocks against the fingerprints, never a whole shard again.
  const std::size_t big = fx.index("dir/big");
  const auto before = fx.store->bytes_read();
  ASSERT_TRUE(core->read(big, kB, 10).ok());
  EXPECT_EQ(fx.store->bytes_read() - before, kB);
}

TEST(Core, VerifyAllNamesEveryBadFile) {
  Fixture fx(model_sizes());
  fx.store->flip(fx.index("dir/sub/medium"), 1000);
  fx.store->flip(fx.index("one"), 0);
  auto core = fx.core();
  try {
    core->verify_all(2);
    FAIL() << "verify_all accepted a tampered model";
  } catch (const verifier::VerificationError& error) {
    ASSERT_EQ(error.problems().size(), 2u);
    EXPECT_THAT(error.problems()[0], HasSubstr("dir/sub/medium"));
    EXPECT_THAT(error.problems()[1], HasSubstr("one"));
  }
}

// A service manager waiting on --verify-all of a large model must see it move, and see it stop
// moving when the disk does: the reports count bytes actually hashed, not time.
TEST(Core, VerifyAllReportsTheBytesHashedWhileItRuns) {
  // "a" is streamed by a reader thread in batches of 8 blocks (shard_stream.h): the store stops
  // after two whole batches, which the worker then hashes.
  Fixture fx({{"a", 40 * kB}, {"b", 3 * kB + 7}});
  const std::uint64_t total = 43 * kB + 7;
  const std::uint64_t stalled_at = 16 * kB;
  auto core = fx.core();
  fx.store->pause_reads_at(stalled_at);
  std::mutex mutex;  // guards reports
  std::condition_variable reported;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> reports;
  VerifyAllProgress progress;
  progress.interval = std::chrono::milliseconds(1);
  progress.report = [&](std::uint64_t hashed, std::uint64_t all) {
    const std::lock_guard lock(mutex);
    reports.emplace_back(hashed, all);
    reported.notify_all();
  };
  std::jthread verifying([&] { core->verify_all(1, progress); });
  struct ResumeOnExit {  // after `verifying`, so a failed ASSERT does not leave it stuck
    LyingStore& store;
    ~ResumeOnExit() { store.resume_reads(); }
  } resume{*fx.store};
  {
    std::unique_lock lock(mutex);
    // Stalled where the store stopped handing out bytes, and saying so report after report.
    ASSERT_TRUE(reported.wait_for(lock, std::chrono::seconds(60),
                                  [&] {
                                    return reports.size() >= 5 &&
                                           reports.back().first == stalled_at &&
                                           reports[reports.size() - 5].first == stalled_at;
                                  }))
        << "no steady report of 16 blocks hashed; last: "
        << (reports.empty() ? 0 : reports.back().first);
  }
  fx.store->resume_reads();
  verifying.join();
  const std::lock_guard lock(mutex);
  for (std::size_t i = 0; i < reports.size(); ++i) {
    EXPECT_EQ(reports[i].second, total);
    EXPECT_LE(reports[i].first, total);
    if (i > 0) {
      EXPECT_GE(reports[i].first, reports[i - 1].first) << "progress went backwards";
    }
  }
  EXPECT_EQ(reports.back().first, total) << "the last report is of everything hashed";
  EXPECT_EQ(core->counters().shards_verified, 2u);
}

// A failed report ends verify_all once the shards being hashed are done, not after the rest
// of the model.
TEST(Core, VerifyAllStopsSoonAfterAReportFails) {
  std::map<std::string, std::size_t> sizes;
  for (int i = 0; i < 20; ++i) sizes["f" + std::to_string(100 + i)] = 3 * kB;
  Fixture fx(sizes);
  auto core = fx.core();
  // The one worker cannot get past the first file's first block before the first report.
  fx.store->pause_reads_at(kB);
  VerifyAllProgress progress;
  progress.interval = std::chrono::milliseconds(1);
  progress.report = [&](std::uint64_t, std::uint64_t) {
    fx.store->resume_reads();
    throw std::runtime_error("the report failed");
  };
  EXPECT_THROW(core->verify_all(1, progress), std::runtime_error);
  // The shard in progress, if the worker had taken one, is finished; no other is started.
  EXPECT_LE(core->counters().shards_verified, 1u);
}

TEST(Core, VerifyAllWithoutAReporterJustWaits) {
  Fixture fx({{"a", 3 * kB}});
  auto core = fx.core();
  VerifyAllProgress progress;
  progress.interval = std::chrono::milliseconds(1);  // and no report: nothing to call
  core->verify_all(2, progress);
  EXPECT_EQ(core->counters().shards_verified, 1u);
}

TEST(Core, CacheNeverExceedsItsCapacity) {
  Fixture fx({{"a", 40 * kB}, {"b", 33 * kB}, {"c", 7 * kB + 1}});
  auto core = fx.core(/*cache_size=*/10 * kB + 5);
  std::mt19937_64 random(3);
  for (int i = 0; i < 300; ++i) {
    const std::size_t file = random() % 3;
    const std::uint64_t size = core->size(file);
    ASSERT_TRUE(core->read(file, random() % size, 1 + random() % (4 * kB)).ok());
    ASSERT_LE(core->counters().cached_bytes, 10 * kB + 5);
  }
  EXPECT_GT(core->counters().cache_hits, 0u);
  EXPECT_GT(core->counters().cache_evictions, 0u);
}

TEST(Core, ShardedFileWithADifferentSizeIsRefusedAtMount) {
  Fixture fx({{"f", 5 * kB}}, ModelSpec{hashing::HashAlgorithm::sha256, 2 * kB, false});
  std::vector<Bytes> shorter = {Bytes(5 * kB - 1, 0)};
  LyingStore store(std::move(shorter));
  try {
    VerifiedFileCore core(fx.manifest(), store, CoreOptions{}, nullptr);
    FAIL() << "size change not noticed";
  } catch (const verifier::VerificationError& error) {
    EXPECT_THAT(error.what(), HasSubstr("differs from the signed size"));
  }
}

}  // namespace
}  // namespace sigmount::fs

namespace sigmount::fs {
namespace {

TEST(Core, AShardWhoseFingerprintsWereDroppedIsHashedAgainInFull) {
  // Three shards of 4 blocks; fingerprints for two shards only; no cache, so every read needs
  // fingerprints or a full verification.
  const std::uint64_t shard = 4 * kB;
  Fixture fx({{"f", 3 * shard}}, ModelSpec{hashing::HashAlgorithm::sha256, shard, false});
  CoreOptions options{.cache_size = 0, .fingerprint_budget = sizeof(BlockTag) * 2 * 4};
  options.verify_ahead = false;
  VerifiedFileCore core(fx.manifest(), *fx.store, options, fx.log.sink());
  for (std::uint64_t s = 0; s < 3; ++s) ASSERT_TRUE(core.read(0, s * shard, 10).ok());
  auto counters = core.counters();
  EXPECT_EQ(counters.shards_verified, 3u);
  EXPECT_EQ(counters.fingerprints_dropped, 1u) << "shard 0, the least recently used";
  EXPECT_EQ(counters.fingerprint_bytes, sizeof(BlockTag) * 2 * 4);

  // Shard 2 still has its fingerprints: one block is read again, nothing more.
  auto seen = fx.store->bytes_read();
  ASSERT_TRUE(core.read(0, 2 * shard + kB, 10).ok());
  EXPECT_EQ(fx.store->bytes_read() - seen, kB);

  // Shard 0 lost them: the read hashes the whole shard again before serving, so a byte changed
  // anywhere in it (even outside the range read) fails the read.
  fx.store->flip(0, 3 * kB + 5);
  seen = fx.store->bytes_read();
  EXPECT_EQ(core.read(0, 10, 10).error(), EIO);
  EXPECT_EQ(fx.store->bytes_read() - seen, shard);
  counters = core.counters();
  EXPECT_EQ(counters.mismatches, 1u);
  EXPECT_EQ(counters.shards_verified, 3u);

  // Even with the byte put back the shard stays failed: a mismatch is final.
  fx.store->flip(0, 3 * kB + 5);
  EXPECT_EQ(core.read(0, 2 * kB, kB).error(), EIO);
}

TEST(Core, DroppedFingerprintsOfAnIntactShardAreRebuiltOnTheNextRead) {
  const std::uint64_t shard = 4 * kB;
  Fixture fx({{"f", 3 * shard}}, ModelSpec{hashing::HashAlgorithm::blake3, shard, false});
  CoreOptions options{.cache_size = 0, .fingerprint_budget = 4 * sizeof(BlockTag)};
  options.verify_ahead = false;
  VerifiedFileCore core(fx.manifest(), *fx.store, options, fx.log.sink());
  for (int round = 0; round < 3; ++round) {
    for (std::uint64_t s = 0; s < 3; ++s) {
      const auto read = core.read(0, s * shard + kB + 3, 2 * kB);
      ASSERT_TRUE(read.ok());
      EXPECT_EQ(read.concatenate(), fx.expected("f", s * shard + kB + 3, 2 * kB));
    }
  }
  const auto counters = core.counters();
  EXPECT_EQ(counters.shards_verified, 9u) << "each read found its shard's fingerprints dropped";
  EXPECT_EQ(counters.fingerprints_dropped, 8u);
  EXPECT_EQ(counters.mismatches, 0u);
}

}  // namespace
}  // namespace sigmount::fs

namespace sigmount::fs {
namespace {

TEST(Core, ASequentialReaderFindsEveryShardVerifiedAheadInACacheSmallerThanTheModel) {
  // 8 shards of 4 blocks, a cache of 2 shards. What the reader already got is the first thing
  // to go: verifying ahead displaces served blocks, never the ones the reader has yet to reach.
  const std::uint64_t shard = 4 * kB;
  Fixture fx({{"f", 8 * shard}}, ModelSpec{hashing::HashAlgorithm::sha256, shard, false});
  auto core = fx.core(/*cache_size=*/2 * shard, false, /*verify_ahead=*/true);
  for (std::uint64_t block = 0; block < 32; ++block) {
    const auto read = core->read(0, block * kB, kB);
    ASSERT_TRUE(read.ok()) << block;
    EXPECT_EQ(read.concatenate(), fx.expected("f", block * kB, kB)) << block;
    core->wait_for_verify_ahead();
  }
  const auto counters = core->counters();
  EXPECT_EQ(counters.shards_verified, 8u);
  EXPECT_EQ(counters.shards_verified_ahead, 7u);
  EXPECT_EQ(counters.blocks_reverified, 0u) << "no block was read twice from the store";
  EXPECT_EQ(fx.store->bytes_read(), 8 * shard);
}

TEST(Core, ServedBlocksGoBeforeBlocksNotYetServed) {
  // One shard of 6 blocks, a cache of 4 blocks.
  Fixture fx({{"f", 6 * kB}});
  auto core = fx.core(/*cache_size=*/4 * kB);
  // Served from the buffer it was hashed in; blocks 1-4 are kept for later readers.
  ASSERT_TRUE(core->read(0, 0, 10).ok());
  // Re-checked and cached as served; only kept blocks are there to evict (the oldest, 1).
  ASSERT_TRUE(core->read(0, 5 * kB, 10).ok());
  // Re-checked again: now the served block 5 goes, not the kept 2-4.
  ASSERT_TRUE(core->read(0, 0, 10).ok());
  const auto seen = fx.store->bytes_read();
  for (std::uint64_t block = 2; block <= 4; ++block) {
    ASSERT_TRUE(core->read(0, block * kB, kB).ok());
  }
  EXPECT_EQ(fx.store->bytes_read(), seen) << "blocks 2-4 were still cached";
  ASSERT_TRUE(core->read(0, 5 * kB, 10).ok());
  EXPECT_EQ(fx.store->bytes_read(), seen + kB) << "block 5 was the one evicted";
}

}  // namespace
}  // namespace sigmount::fs
