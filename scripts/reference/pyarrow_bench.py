#!/usr/bin/env python3
"""Times pyarrow on the same table as `npm run bench -- shards`: read our shard, write it back, read that.

Usage: python3 scripts/reference/pyarrow_bench.py OUR_SHARD.parquet SCRATCH_DIR
Prints one JSON object: write_mb_s, read_mb_s, meta_only_read_ms (MB = 1e6 bytes of OUR shard's size, so the
numbers compare with ours), plus pyarrow's own file size and version. Needs: pip install pyarrow.
"""
import json
import os
import sys
import time

import pyarrow as pa
import pyarrow.parquet as pq


def best(fn, repeat=3):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main(shard, scratch):
    size = os.path.getsize(shard)
    mb = size / 1e6
    table = pq.read_table(shard)
    meta_cols = [c for c in table.column_names if c != "image"]
    out = os.path.join(scratch, "pyarrow.parquet")

    def write():
        # Same layout choices as ours: snappy, image column uncompressed, ~64 MB row groups.
        pq.write_table(
            table,
            out,
            compression={c: ("NONE" if c == "image" else "SNAPPY") for c in table.column_names},
            row_group_size=max(1, table.num_rows * 64_000_000 // max(size, 1)),
        )

    write_s = best(write)
    read_ours_s = best(lambda: pq.read_table(shard))
    read_own_s = best(lambda: pq.read_table(out))
    meta_s = best(lambda: pq.read_table(shard, columns=meta_cols), repeat=5)
    print(
        json.dumps(
            {
                "pyarrow_version": pa.__version__,
                "write_mb_s": round(mb / write_s, 1),
                "read_mb_s": round(mb / read_ours_s, 1),
                "read_own_file_mb_s": round(mb / read_own_s, 1),
                "meta_only_read_ms": round(meta_s * 1000, 2),
                "own_file_bytes": os.path.getsize(out),
            }
        )
    )


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    main(sys.argv[1], sys.argv[2])
