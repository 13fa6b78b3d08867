// libFuzzer target: BLAKE3 fed in arbitrary pieces, and split into subtree pieces that are
// joined, must equal one-shot hashing; hex decoding must round-trip whatever it accepts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "hashing/blake3.h"
#include "hashing/bytes.h"

using sigmount::ByteView;
using sigmount::hashing::Blake3;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::size_t step = 1 + data[0] * 37;  // 1 .. 9436 bytes per update
  const unsigned level = data[1] % 4;         // pieces of 1, 2, 4 or 8 chunks
  const ByteView input(data + 2, size - 2);

  Blake3 whole;
  whole.update(input);
  const auto expected = whole.finalize();

  Blake3 stepped;
  for (std::size_t pos = 0; pos < input.size(); pos += step) {
    stepped.update(input.subspan(pos, std::min(step, input.size() - pos)));
  }
  if (stepped.finalize() != expected) std::abort();

  const std::size_t piece = Blake3::kChunkSize << level;
  std::vector<Blake3::ChainingValue> complete;
  std::size_t pos = 0;
  for (; input.size() - pos > piece; pos += piece) {
    Blake3 h;
    h.start_at_chunk(complete.size() << level);
    h.update(input.subspan(pos, piece));
    complete.push_back(h.subtree_cv());
  }
  Blake3 last;
  last.start_at_chunk(complete.size() << level);
  last.update(input.subspan(pos));
  if (Blake3::join(complete, level, last).finalize() != expected) std::abort();

  const auto decoded = sigmount::from_hex(sigmount::as_chars(input));
  if (decoded && sigmount::from_hex(sigmount::to_hex(*decoded)) != decoded) std::abort();
  return 0;
}
