#!/usr/bin/env python3
"""Reference check: pyarrow (Arrow's C++ Parquet reader) reads a sigforge shard and every value matches.

Usage: python3 scripts/reference/pyarrow_check.py SHARD.parquet EXPECTED.json
  EXPECTED.json is a list of records as test/storage/golden.test.ts writes them
  (bytes as {"base64": ...}, uint64 as {"u64": "..."}, fetched_at as epoch milliseconds); only the columns it
  names are compared. `extra` (JSON object text) is optional: shards written before it lack the column.
Needs: pip install pyarrow. Prints one JSON line; exit status 0 when everything matches.
"""
import base64
import datetime as dt
import json
import sys

import pyarrow as pa
import pyarrow.parquet as pq

EXPECTED_TYPES = {
    "id": pa.string(),
    "image": pa.binary(),
    "phash": pa.uint64(),
    "fetched_at": pa.timestamp("ms", tz="UTC"),
    "lang_score": pa.float64(),
    "width": pa.int32(),
    "alt_captions": pa.list_(pa.field("element", pa.string(), nullable=False)),
    # Optional (added in golden-v3): extra source columns as JSON object text; older shards lack it.
    "extra": pa.string(),
}
OPTIONAL_COLUMNS = {"extra"}


def decode(v):
    if isinstance(v, dict) and set(v) == {"base64"}:
        return base64.b64decode(v["base64"])
    if isinstance(v, dict) and set(v) == {"u64"}:
        return int(v["u64"])
    return v


def normalize(col, v):
    if col == "fetched_at" and isinstance(v, dt.datetime):
        return round(v.timestamp() * 1000)
    return v


def main(shard, expected_path):
    pf = pq.ParquetFile(shard)
    table = pf.read()
    problems = []
    for name, typ in EXPECTED_TYPES.items():
        if name not in table.schema.names:
            if name not in OPTIONAL_COLUMNS:
                problems.append(f"column {name} is missing")
            continue
        got = table.schema.field(name).type
        if not got.equals(typ):
            problems.append(f"column {name}: type {got}, expected {typ}")
    meta = {k.decode(): v.decode() for k, v in (pf.schema_arrow.metadata or {}).items()}
    if meta.get("sigforge.schema_version") != "1":
        problems.append(f"schema version metadata {meta.get('sigforge.schema_version')!r}, expected '1'")
    with open(expected_path, encoding="utf-8") as f:
        expected = json.load(f)
    rows = table.to_pylist()
    if len(rows) != len(expected):
        problems.append(f"{len(rows)} rows, expected {len(expected)}")
    for i, (got, want) in enumerate(zip(rows, expected)):
        for col, wv in want.items():
            gv = normalize(col, got.get(col))
            wv = decode(wv)
            if gv != wv:
                problems.append(f"row {i} column {col}: {gv!r} != {wv!r}")
    result = {
        "pyarrow": pa.__version__,
        "shard": shard,
        "rows": len(rows),
        "row_groups": pf.num_row_groups,
        "columns": table.num_columns,
        "problems": problems[:20],
        "ok": not problems,
    }
    print(json.dumps(result))
    return 0 if not problems else 1


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))
