// Reading one shard front to back, block by block, for its first verification.
//
// The shard digest is one sequential hash: it runs on one core at the speed of the hash. The
// rest of the work per block (copying it out of the backing file, computing its tag) does
// not depend on the digest, so for a shard of more than a few blocks a second thread does it
// ahead of the hashing thread, a bounded number of blocks ahead. First-touch latency of a large
// shard then approaches one hash pass over it, like `openssl dgst` on the backing file.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>

#include "fs/block_fingerprints.h"
#include "fs/block_pool.h"

namespace sigmount::fs {

struct ShardStreamOptions {
  // Blocks read ahead of the consumer (each a pool slot while it waits; with the batch being
  // read and the one being consumed, a stream holds up to depth + 2 * batch slots).
  std::size_t depth = 32;
  // Blocks the reader thread hands over at once.
  std::size_t batch = 8;
  // Shards of fewer blocks are read on the calling thread: starting a thread costs more than it
  // saves there.
  std::uint64_t min_blocks_for_reader_thread = 16;
  // Called on the reader thread as it ends (it will not call `read` again).
  std::function<void()> reader_thread_done;
};

// Fills `out` with the shard's bytes at `offset` (shard-relative); returns 0 or an errno.
using ReadShardBytes = std::function<int(std::uint64_t offset, std::span<std::uint8_t> out)>;
// Receives block `index` of the shard; blocks arrive in order, on the calling thread.
using ConsumeBlock = std::function<void(std::uint64_t index, const TaggedBlock& block)>;

// Reads every block of a shard of `length` bytes into buffers from `pool`, tags it under `mac` and
// hands them to `consume` in order. Returns 0 after the last block, or the first read's errno
// (blocks after a failed read are not consumed). An exception from `consume` stops the reader and
// is rethrown.
int stream_shard_blocks(const std::shared_ptr<BlockPool>& pool, const hashing::BlockMac& mac,
                        std::uint64_t length, const ReadShardBytes& read,
                        const ConsumeBlock& consume, const ShardStreamOptions& options = {});

}  // namespace sigmount::fs
