#!/usr/bin/env python3
"""Check that delta-rs reads a Delta table exactly as FinPipe wrote it.

Usage:
    check.py TABLE EXPECTED_JSONL [--version N] [--at N] [--schema FIELDS_JSON]
             [--txn APP_ID=VERSION ...]

TABLE is a path or an s3:// location as FinPipe takes it (see location.py).
EXPECTED_JSONL holds the rows as `finpipe lake cat` prints them (decimals
as strings, timestamps RFC 3339 UTC, dates YYYY-MM-DD, binary base64).
--version is the table version delta-rs must report as the latest; --at
loads an older version (time travel) instead; --schema a JSON list
of {"name", "type"} (Delta type names) the table schema must equal;
--txn an application's last committed version (the txn action) delta-rs
must report.

Rows are compared as unordered multisets, values by type (decimals exactly,
timestamps to the microsecond). Exits 0 when everything matches, 1 with a
description of the first differences otherwise, 2 on bad usage, and 3 when
the deltalake module is missing (so callers can skip).
"""

import argparse
import base64
import collections
import datetime
import decimal
import json
import math
import os
import sys

from location import table_location

try:
    from deltalake import DeltaTable
except ImportError as exc:  # the Go test skips on exit status 3
    print(f"deltalake module not available: {exc}", file=sys.stderr)
    sys.exit(3)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("table")
    p.add_argument("expected")
    p.add_argument("--version", type=int, default=None)
    p.add_argument("--at", type=int, default=None, help="read this version (time travel)")
    p.add_argument("--schema", default=None, help='JSON list of {"name": ..., "type": ...}')
    p.add_argument("--txn", action="append", default=[], help="APP_ID=VERSION")
    return p.parse_args()


def delta_types(dt):
    out = []
    for f in dt.schema().fields:
        t = f.type
        out.append((f.name, getattr(t, "type", str(t))))
    return out


def norm_expected(typ, v):
    """Turn a JSON value of `finpipe lake cat` into a comparable Python value."""
    if v is None:
        return None
    if typ.startswith("decimal"):
        return decimal.Decimal(v)
    if typ == "timestamp":
        return datetime.datetime.fromisoformat(v.replace("Z", "+00:00")).astimezone(datetime.timezone.utc)
    if typ == "timestamp_ntz":
        return datetime.datetime.fromisoformat(v)
    if typ == "date":
        return datetime.date.fromisoformat(v)
    if typ == "binary":
        return base64.b64decode(v)
    if typ in ("double", "float"):
        if isinstance(v, str):
            return float(v.replace("Infinity", "inf"))
        return float(v)
    return v


def norm_actual(typ, v):
    """Turn a value from pyarrow's to_pylist into the same comparable form."""
    if v is None:
        return None
    if typ == "timestamp":
        if v.tzinfo is None:
            v = v.replace(tzinfo=datetime.timezone.utc)
        return v.astimezone(datetime.timezone.utc)
    if typ in ("double", "float"):
        return float(v)
    return v


def key(row):
    """A hashable, order-independent identity for a row (NaN-safe)."""
    return tuple("NaN" if isinstance(x, float) and math.isnan(x) else repr(x) for x in row)


def main():
    args = parse_args()
    problems = []
    uri, opts = table_location(args.table)
    dt = DeltaTable(uri, version=args.at, storage_options=opts)

    if args.version is not None and dt.version() != args.version:
        problems.append(f"version: delta-rs reports {dt.version()}, expected {args.version}")

    for spec in args.txn:
        app, _, want = spec.rpartition("=")
        got = dt.transaction_version(app)
        if got != int(want):
            problems.append(f"txn {app!r}: delta-rs reports {got}, expected {want}")

    schema = delta_types(dt)
    if args.schema is not None:
        want = [(f["name"], f["type"]) for f in json.loads(args.schema)]
        if schema != want:
            problems.append(f"schema: delta-rs reports {schema}, expected {want}")

    names = [n for n, _ in schema]
    types = dict(schema)
    table = dt.to_pyarrow_table()
    actual = collections.Counter()
    for r in table.to_pylist():
        actual[key([norm_actual(types[n], r.get(n)) for n in names])] += 1

    expected = collections.Counter()
    with open(args.expected, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                expected[key([norm_expected(types[n], r.get(n)) for n in names])] += 1

    if actual != expected:
        missing = list((expected - actual).elements())[:5]
        extra = list((actual - expected).elements())[:5]
        problems.append(
            f"rows: delta-rs read {sum(actual.values())}, expected {sum(expected.values())}; "
            f"missing {missing}; unexpected {extra}"
        )

    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    print(f"ok: version {dt.version()}, {sum(actual.values())} rows, {len(names)} columns")
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
