#!/usr/bin/env bash
# Create the Python venv VENV_DIR with the given pip packages, unless CHECK
# (Python code that imports them) already succeeds there. On Debian and
# Ubuntu `python3 -m venv` fails until python3-venv is installed; as root
# (CI) this installs it. Exits 0 with the venv ready and CHECK passing, 1 if
# it could not be made. Used by scripts/deltars/venv.sh and scripts/s3/venv.sh.
#
# usage: scripts/pyvenv.sh VENV_DIR CHECK PACKAGE...
set -uo pipefail
venv=${1:?usage: $0 VENV_DIR CHECK PACKAGE...}
check=${2:?usage: $0 VENV_DIR CHECK PACKAGE...}
shift 2

if [[ -x $venv/bin/python ]] && "$venv/bin/python" -c "$check" 2>/dev/null; then
	exit 0 # already there
fi
if ! command -v python3 >/dev/null; then
	echo "venv: no python3" >&2
	exit 1
fi
if ! python3 -m venv "$venv" 2>/dev/null; then
	if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
		echo "venv: python3 -m venv failed (install python3-venv)" >&2
		exit 1
	fi
	echo "venv: python3 -m venv failed; installing python3-venv" >&2
	apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends python3-venv >/dev/null
	rm -rf "$venv" # the half-made venv, without pip
	python3 -m venv "$venv" || exit 1
fi
"$venv/bin/python" -m pip install -q "$@" || exit 1
# The proof that counts: the modules import.
"$venv/bin/python" -c "$check"
