#!/usr/bin/env bash
# Check every Delta table under a lake directory with delta-rs: for each
# folder holding a _delta_log, `finpipe lake cat` gives the rows FinPipe
# reads and `finpipe lake history` the version, and check.py verifies that
# delta-rs reads the same.
#
# usage: scripts/deltars/check_lake.sh FINPIPE_BINARY LAKE_DIR [PYTHON]
# PYTHON defaults to $FINPIPE_PYTHON, then .venv/bin/python, then python3.
set -euo pipefail

if [[ $# -lt 2 ]]; then
	echo "usage: $0 FINPIPE_BINARY LAKE_DIR [PYTHON]" >&2
	exit 2
fi
bin=$1
lake=$2
here=$(cd "$(dirname "$0")" && pwd)
python=${3:-${FINPIPE_PYTHON:-}}
if [[ -z $python ]]; then
	python=$here/../../.venv/bin/python
	[[ -x $python ]] || python=python3
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
found=0
while IFS= read -r log; do
	table=$(dirname "$log")
	found=$((found + 1))
	"$bin" lake cat "$table" >"$tmp/rows.jsonl"
	version=$("$bin" lake history --json --limit 1 "$table" | "$python" -c 'import json,sys; print(json.loads(sys.stdin.readline())["version"])')
	if out=$("$python" "$here/check.py" "$table" "$tmp/rows.jsonl" --version "$version" 2>&1); then
		echo "ok   $table: $out"
	else
		echo "FAIL $table: $out" >&2
		status=1
	fi
done < <(find "$lake" -type d -name _delta_log | sort)

if [[ $found -eq 0 ]]; then
	echo "no Delta tables under $lake" >&2
	exit 2
fi
exit $status
