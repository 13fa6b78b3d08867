#include "hashing/parallel_hash.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <random>
#include <string>
#include <system_error>

#include "tests/common/random_bytes.h"
#include "tests/common/temp_dir.h"

namespace sigmount::hashing {
namespace {

using testing::random_bytes;
using testing::TempDir;

struct Model {
  TempDir dir;
  std::vector<std::filesystem::path> files;
  std::vector<Bytes> contents;
};

// Several files: empty, 1 byte, small, and a few larger than one read chunk.
void make_files(Model& model) {
  const std::size_t sizes[] = {0, 1, 4095, 1000003, kHashChunkSize * 2 + 12345};
  for (std::size_t i = 0; i < std::size(sizes); ++i) {
    model.contents.push_back(random_bytes(sizes[i], 100 + i));
    model.files.push_back(model.dir.write("file" + std::to_string(i), model.contents.back()));
  }
}

std::vector<FileRange> random_ranges(const Model& model, std::size_t count) {
  std::mt19937_64 rng(7);
  std::vector<FileRange> ranges;
  for (std::size_t i = 0; i < model.files.size(); ++i) {
    // Every file whole, and an empty range at its end.
    const auto size = model.contents[i].size();
    ranges.push_back({model.files[i], 0, size});
    ranges.push_back({model.files[i], size, size});
  }
  while (ranges.size() < count) {
    const std::size_t i = rng() % model.files.size();
    const auto size = model.contents[i].size();
    const std::uint64_t start = size == 0 ? 0 : rng() % size;
    const std::uint64_t end = start + rng() % (size - start + 1);
    ranges.push_back({model.files[i], start, end});
  }
  return ranges;
}

std::vector<ReaderBackend> backends() {
  std::vector<ReaderBackend> out{ReaderBackend::pread};
  if (io_uring_available()) out.push_back(ReaderBackend::io_uring);
  return out;
}

TEST(HashRanges, EqualsOneShotHashingPerRange) {
  Model model;
  make_files(model);
  const auto ranges = random_ranges(model, 60);
  for (auto algorithm : {HashAlgorithm::sha256, HashAlgorithm::blake2b, HashAlgorithm::blake3}) {
    std::vector<Digest> expected;
    std::uint64_t total = 0;
    for (const auto& range : ranges) {
      const std::size_t i = static_cast<std::size_t>(range.path.filename().string().back() - '0');
      const ByteView bytes =
          ByteView(model.contents[i]).subspan(range.start, range.end - range.start);
      expected.push_back(hash_bytes(algorithm, bytes));
      total += bytes.size();
    }
    for (auto backend : backends()) {
      for (unsigned workers : {1u, 4u}) {
        std::atomic<std::uint64_t> progressed{0};
        HashOptions options;
        options.algorithm = algorithm;
        options.workers = workers;
        options.backend = backend;
        options.progress = [&](std::uint64_t n) { progressed += n; };
        EXPECT_EQ(hash_ranges(ranges, options), expected)
            << algorithm_name(algorithm) << " workers " << workers;
        EXPECT_EQ(progressed.load(), total);
      }
    }
  }
}

// Small odd-sized reads: many read-ahead rounds per range, ending mid-buffer.
TEST(HashRanges, SmallReadSize) {
  Model model;
  make_files(model);
  const auto ranges = random_ranges(model, 20);
  std::vector<Digest> expected;
  for (const auto& range : ranges) {
    const std::size_t i = static_cast<std::size_t>(range.path.filename().string().back() - '0');
    expected.push_back(
        hash_bytes(HashAlgorithm::blake3,
                   ByteView(model.contents[i]).subspan(range.start, range.end - range.start)));
  }
  for (auto backend : backends()) {
    HashOptions options;
    options.algorithm = HashAlgorithm::blake3;
    options.backend = backend;
    options.workers = 3;
    options.read_size = 4097;
    EXPECT_EQ(hash_ranges(ranges, options), expected);
  }
}

// BLAKE3 ranges above 8 MiB are cut into pieces hashed by different workers and joined.
TEST(HashRanges, SplitBlake3RangesEqualOneShot) {
  const TempDir dir;
  constexpr std::uint64_t kPiece = std::uint64_t{8} << 20;
  const Bytes content = random_bytes(2 * kPiece + 5000, 11);
  const auto file = dir.write("big", content);
  const std::vector<FileRange> ranges = {
      {file, 0, content.size()},
      {file, 1, content.size()},
      {file, 0, kPiece},
      {file, 0, kPiece + 1},
      {file, 0, 2 * kPiece},
      {file, 3, 2 * kPiece + 4},
      {file, 10, 10},
  };
  std::vector<Digest> expected;
  expected.reserve(ranges.size());
  for (const auto& range : ranges) {
    expected.push_back(hash_bytes(HashAlgorithm::blake3,
                                  ByteView(content).subspan(range.start, range.end - range.start)));
  }
  for (auto backend : backends()) {
    for (unsigned workers : {1u, 3u}) {
      HashOptions options;
      options.algorithm = HashAlgorithm::blake3;
      options.backend = backend;
      options.workers = workers;
      std::atomic<std::uint64_t> progressed{0};
      options.progress = [&](std::uint64_t n) { progressed += n; };
      EXPECT_EQ(hash_ranges(ranges, options), expected) << "workers " << workers;
      std::uint64_t total = 0;
      for (const auto& range : ranges) total += range.end - range.start;
      EXPECT_EQ(progressed.load(), total);
    }
  }
  // A piece past the end of the file fails like any other read.
  const std::vector<FileRange> too_long = {{file, 0, 3 * kPiece}};
  HashOptions options;
  options.algorithm = HashAlgorithm::blake3;
  options.workers = 2;
  EXPECT_THROW(hash_ranges(too_long, options), std::system_error);
}

TEST(HashRanges, NoRanges) {
  EXPECT_TRUE(hash_ranges({}, HashOptions{}).empty());
}

TEST(HashRanges, MissingFileThrowsWithItsName) {
  Model model;
  make_files(model);
  const std::vector<FileRange> ranges = {{model.files[3], 0, 10},
                                         {model.dir.path() / "no-such-file.bin", 0, 0}};
  for (unsigned workers : {1u, 4u}) {
    HashOptions options;
    options.workers = workers;
    try {
      hash_ranges(ranges, options);
      ADD_FAILURE() << "no exception";
    } catch (const std::system_error& e) {
      EXPECT_NE(std::string(e.what()).find("no-such-file.bin"), std::string::npos) << e.what();
      EXPECT_EQ(e.code(), std::errc::no_such_file_or_directory);
    }
  }
}

TEST(HashRanges, RangePastEndOfFileThrowsWithItsName) {
  Model model;
  make_files(model);
  const auto size = model.contents[2].size();
  for (auto backend : backends()) {
    HashOptions options;
    options.backend = backend;
    const std::vector<FileRange> ranges = {{model.files[2], size - 10, size + 1}};
    try {
      hash_ranges(ranges, options);
      ADD_FAILURE() << "no exception";
    } catch (const std::system_error& e) {
      EXPECT_NE(std::string(e.what()).find(model.files[2].string()), std::string::npos) << e.what();
    }
  }
}

TEST(HashRanges, InvertedRangeIsRejected) {
  Model model;
  make_files(model);
  const std::vector<FileRange> ranges = {{model.files[2], 10, 5}};
  EXPECT_THROW(hash_ranges(ranges, HashOptions{}), std::invalid_argument);
}

TEST(HashFile, WholeFile) {
  Model model;
  make_files(model);
  for (std::size_t i = 0; i < model.files.size(); ++i) {
    for (auto algorithm : {HashAlgorithm::sha256, HashAlgorithm::blake3}) {
      EXPECT_EQ(hash_file(model.files[i], algorithm), hash_bytes(algorithm, model.contents[i]));
    }
  }
  EXPECT_THROW(hash_file(model.dir.path() / "missing", HashAlgorithm::sha256), std::system_error);
  // A FIFO in a file's place (swapped in after the walk) fails at once; opening it for
  // reading used to wait forever for a writer.
  const auto fifo = model.dir.path() / "fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_THROW(hash_file(fifo, HashAlgorithm::sha256), std::system_error);
}

// A 4 GiB sparse file: ranges near the end exercise offsets above 2^32 without writing 4 GiB.
TEST(HashRanges, RangesBeyondFourGibibytes) {
  const TempDir dir;
  const auto file = dir.path() / "sparse";
  constexpr std::uint64_t kSize = std::uint64_t{4} << 30;
  const Bytes tail = random_bytes(3 << 20, 9);
  {
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::pwrite(fd, tail.data(), tail.size(), static_cast<off_t>(kSize - tail.size())),
              static_cast<ssize_t>(tail.size()));
    ::close(fd);
  }
  const std::vector<FileRange> ranges = {
      {file, kSize - tail.size(), kSize},
      {file, kSize - 1000, kSize},
      {file, kSize - tail.size() - 5000, kSize - tail.size() + 5000},
  };
  Bytes third(10000, 0);
  std::copy(tail.begin(), tail.begin() + 5000, third.begin() + 5000);
  const std::vector<Digest> expected = {
      hash_bytes(HashAlgorithm::sha256, tail),
      hash_bytes(HashAlgorithm::sha256, ByteView(tail).last(1000)),
      hash_bytes(HashAlgorithm::sha256, third),
  };
  for (auto backend : backends()) {
    HashOptions options;
    options.backend = backend;
    options.workers = 2;
    EXPECT_EQ(hash_ranges(ranges, options), expected);
  }
}

}  // namespace
}  // namespace sigmount::hashing
