#!/usr/bin/python3
"""The way safetensors, llama.cpp and vLLM load weights: map every tensor, touch every byte.

  mmap_loader.py make DIR        writes a 155 MB safetensors-style model (two files, 8 tensors)
  mmap_loader.py load DIR        maps every tensor of every *.safetensors in DIR with
                                 numpy.memmap and sums it; prints the seconds it took

A safetensors file is an 8-byte little-endian header length, a JSON header naming each
tensor's dtype, shape and [begin, end) data offsets, then the tensor bytes.
"""
import json
import os
import struct
import sys
import time

import numpy as np

TENSORS = {  # file -> [(name, float32 element count)]
    "model-00001-of-00002.safetensors": [("embed", 6_000_000), ("layer0", 5_000_000),
                                         ("layer1", 5_000_000), ("layer2", 4_000_000),
                                         ("layer3", 4_000_000), ("norm", 2_250_000)],
    "model-00002-of-00002.safetensors": [("layer4", 7_000_000), ("head", 5_500_000)],
}


def make(directory):
    os.makedirs(directory, exist_ok=True)
    rng = np.random.default_rng(20261205)
    for file, tensors in TENSORS.items():
        header, offset = {}, 0
        for name, count in tensors:
            header[name] = {"dtype": "F32", "shape": [count], "data_offsets": [offset, offset + 4 * count]}
            offset += 4 * count
        text = json.dumps(header).encode()
        text += b" " * (-len(text) % 8)
        with open(os.path.join(directory, file), "wb") as out:
            out.write(struct.pack("<Q", len(text)) + text)
            for _, count in tensors:
                out.write(rng.standard_normal(count, dtype=np.float32).tobytes())


def load(directory):
    start = time.perf_counter()
    total = 0.0
    for file in sorted(f for f in os.listdir(directory) if f.endswith(".safetensors")):
        path = os.path.join(directory, file)
        with open(path, "rb") as f:
            (length,) = struct.unpack("<Q", f.read(8))
            header = json.loads(f.read(length))
        for name, info in header.items():
            begin, end = info["data_offsets"]
            tensor = np.memmap(path, dtype=np.float32, mode="r", offset=8 + length + begin,
                               shape=((end - begin) // 4,))
            total += float(tensor.sum(dtype=np.float64))
            del tensor
    seconds = time.perf_counter() - start
    print(f"{seconds:.4f} {total:.6e}")


if __name__ == "__main__":
    {"make": make, "load": load}[sys.argv[1]](sys.argv[2])
