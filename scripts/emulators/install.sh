#!/usr/bin/env bash
# Install the object-store servers the tests start (internal/testenv) into
# TOOLS_DIR, each pinned, each from its package registry:
#   versitygw        Go module proxy  an S3 gateway on a plain directory: keeps
#                                     objects across a restart and checks
#                                     credentials (moto does neither)
#   fake-gcs-server  Go module proxy  Google Cloud Storage emulator (gs:// lakes)
#   azurite          npm registry     Azure Blob Storage emulator (azblob:// lakes)
# Go tools go to TOOLS_DIR/bin, azurite to TOOLS_DIR/azurite. A tool already
# there at its pinned version is kept. Exits 1 if any could not be installed
# (the tests that need it then skip, saying why, unless CI requires it).
#
# usage: scripts/emulators/install.sh TOOLS_DIR [TOOL...]   (default: all three)
set -uo pipefail
dir=${1:?usage: $0 TOOLS_DIR [versitygw|fake-gcs-server|azurite]...}
shift
tools=("$@")
[[ ${#tools[@]} -gt 0 ]] || tools=(versitygw fake-gcs-server azurite)
mkdir -p "$dir/bin"
dir=$(cd "$dir" && pwd)

versitygw_version=v1.8.0
fakegcs_version=v1.56.1
azurite_version=3.37.0

# go_tool NAME MODULE/PATH VERSION: go install into $dir/bin, with a stamp
# file naming the version, since neither tool reports its own.
go_tool() {
	local name=$1 pkg=$2 version=$3 stamp="$dir/bin/.$1.version"
	if [[ -x $dir/bin/$name && $(cat "$stamp" 2>/dev/null) == "$version" ]]; then
		return 0
	fi
	echo "install: $name $version (go install)" >&2
	GOBIN="$dir/bin" GOFLAGS=-buildvcs=false go install "$pkg@$version" && echo "$version" >"$stamp"
}

rc=0
for t in "${tools[@]}"; do
	case $t in
	versitygw) go_tool versitygw github.com/versity/versitygw/cmd/versitygw "$versitygw_version" || rc=1 ;;
	fake-gcs-server) go_tool fake-gcs-server github.com/fsouza/fake-gcs-server "$fakegcs_version" || rc=1 ;;
	azurite)
		if [[ -x $dir/azurite/node_modules/.bin/azurite-blob && $(cat "$dir/azurite/.version" 2>/dev/null) == "$azurite_version" ]]; then
			continue
		fi
		if ! command -v npm >/dev/null; then
			echo "install: azurite needs npm (Node.js)" >&2
			rc=1
			continue
		fi
		echo "install: azurite $azurite_version (npm)" >&2
		mkdir -p "$dir/azurite"
		if npm install --prefix "$dir/azurite" --no-audit --no-fund --loglevel=error "azurite@$azurite_version" >&2; then
			echo "$azurite_version" >"$dir/azurite/.version"
		else
			rc=1
		fi
		;;
	*)
		echo "install: unknown tool $t" >&2
		rc=1
		;;
	esac
done
exit $rc
