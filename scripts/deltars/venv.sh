#!/usr/bin/env bash
# Create VENV_DIR with delta-rs (deltalake + pyarrow), which the tests use to
# read FinPipe's tables back with a second Delta implementation. Exits 0 with
# the venv ready, 1 if it could not be made (the Makefile then warns and the
# delta-rs tests skip, saying why).
#
# usage: scripts/deltars/venv.sh VENV_DIR
set -uo pipefail
exec "$(dirname "$0")/../pyvenv.sh" "${1:?usage: $0 VENV_DIR}" \
	'import deltalake, pyarrow; print("venv: deltalake", deltalake.__version__, "pyarrow", pyarrow.__version__)' \
	'deltalake>=0.20' 'pyarrow>=14'
