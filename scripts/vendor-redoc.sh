#!/usr/bin/env bash
# Fetches Redoc's standalone bundle from the npm registry into
# web/static/vendor/redoc/, where go:embed picks it up for the UI's API
# reference page (/api). The bundle is committed, so builds need neither
# npm nor the network; run this only to change its version.
#
#   scripts/vendor-redoc.sh [VERSION]     (default: the version below)
set -euo pipefail
version="${1:-2.5.4}"
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/web/static/vendor/redoc"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "redoc@$version" >/dev/null && tar xzf redoc-*.tgz)
mkdir -p "$dest"
cp "$tmp/package/bundles/redoc.standalone.js" "$dest/redoc.standalone.js"
cp "$tmp/package/bundles/redoc.standalone.js.LICENSE.txt" "$dest/THIRD-PARTY-LICENSES.txt"
cp "$tmp/package/LICENSE" "$dest/LICENSE"
# The bundle names a source map that is not shipped: drop the reference so
# browsers do not ask for it (a 404 on every visit).
sed -i '/^\/\/# sourceMappingURL=/d' "$dest/redoc.standalone.js"
echo "redoc $version" > "$dest/VERSION"
echo "vendored redoc $version into ${dest#"$root"/}: $(wc -c < "$dest/redoc.standalone.js") bytes"
