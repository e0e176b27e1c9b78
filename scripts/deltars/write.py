#!/usr/bin/env python3
"""Write a Delta table with delta-rs, for FinPipe's reader to read.

Usage: write.py TABLE  (a path, or an s3:// location as FinPipe takes it: see location.py)

The table covers what the pipeline's tables use (string, long, integer,
double, boolean, date, timestamp, decimal(18,2), decimal(38,2), binary),
partitioned by a date with a null partition, and what delta-rs does to a
table over time: appends, an overwrite of one partition by predicate, a
delete, an optimize (compaction) and a checkpoint. It prints the final
version. Exits 3 when the deltalake module is missing.
"""

import datetime
import decimal
import os
import sys

from location import table_location

try:
    import pyarrow as pa
    from deltalake import DeltaTable, write_deltalake
except ImportError as exc:
    print(f"deltalake module not available: {exc}", file=sys.stderr)
    sys.exit(3)

SCHEMA = pa.schema([
    ("id", pa.string()),
    ("n", pa.int64()),
    ("k", pa.int32()),
    ("ratio", pa.float64()),
    ("ok", pa.bool_()),
    ("at", pa.timestamp("us", tz="UTC")),
    ("amount", pa.decimal128(18, 2)),
    ("total", pa.decimal128(38, 2)),
    ("raw", pa.binary()),
    ("day", pa.date32()),
])

DAYS = [datetime.date(2024, 5, 1), datetime.date(2024, 5, 2), None]


def batch(start, count, day=None):
    rows = []
    for i in range(start, start + count):
        rows.append({
            "id": f"tx-{i:06d}" if i % 7 else None,
            "n": i * 1_000_000_007,
            "k": i % 100 - 50,
            "ratio": i / 8,
            "ok": i % 2 == 0,
            "at": datetime.datetime(2024, 5, 1, tzinfo=datetime.timezone.utc) + datetime.timedelta(microseconds=i * 1_234_567),
            "amount": decimal.Decimal(i * 37 - 500).scaleb(-2),
            "total": decimal.Decimal(i) * decimal.Decimal("12345678901234567890.25"),
            "raw": bytes([i % 256, 0, 255]),
            "day": day if day is not None or start < 0 else DAYS[i % len(DAYS)],
        })
    return pa.Table.from_pylist(rows, schema=SCHEMA)


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    path, opts = table_location(sys.argv[1])
    write_deltalake(path, batch(0, 30), partition_by=["day"], storage_options=opts)
    for v in range(1, 12):  # enough commits for delta-rs to pass version 10
        write_deltalake(path, batch(v * 30, 30), mode="append", storage_options=opts)
    write_deltalake(path, batch(1000, 5, datetime.date(2024, 5, 2)), mode="overwrite", predicate="day = '2024-05-02'",
                    storage_options=opts)
    dt = DeltaTable(path, storage_options=opts)
    dt.delete("k = 0")
    dt.optimize.compact()
    dt = DeltaTable(path, storage_options=opts)
    dt.create_checkpoint()
    print(DeltaTable(path, storage_options=opts).version())
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # os._exit skips interpreter finalisation, during which deltalake's
    # native threads sometimes abort the process ("terminate called without
    # an active exception") after the work is done, turning success into
    # a crash status.
    os._exit(code)
