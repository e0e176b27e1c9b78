#!/usr/bin/env bash
# Create VENV_DIR with moto's S3 server (PyPI: moto[server]), the
# S3-compatible store the tests keep lakes in (scripts/s3/moto_server.py
# serves it; internal/testenv starts it). moto honours conditional writes
# (PUT If-None-Match: * answers 412 when the key exists), which Delta
# commits on S3 rely on. Exits 0 with the venv ready, 1 if it could not be
# made (the S3 tests then skip, saying why).
#
# usage: scripts/s3/venv.sh VENV_DIR
set -uo pipefail
exec "$(dirname "$0")/../pyvenv.sh" "${1:?usage: $0 VENV_DIR}" \
	'import moto, werkzeug, flask; print("venv: moto", moto.__version__)' \
	'moto[server]>=5.1'
