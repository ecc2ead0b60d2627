#!/usr/bin/env bash
# Re-fetch the web app's vendored browser files from npm at pinned versions. Run by hand when
# a version changes; the app itself needs no build step and nothing from the network.
set -euo pipefail
TUS_VERSION=4.3.1
here="$(cd "$(dirname "$0")/.." && pwd)"
vendor="$here/service/http/webapp/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "tus-js-client@$TUS_VERSION" >/dev/null
tar -xzf "tus-js-client-$TUS_VERSION.tgz"
mkdir -p "$vendor"
cp package/dist/tus.min.js "$vendor/tus.min.js"
cp package/LICENSE "$vendor/tus-js-client.LICENSE"
echo "tus-js-client $TUS_VERSION (npm) → service/http/webapp/vendor/tus.min.js" > "$vendor/VERSIONS.txt"
sha256sum "$vendor/tus.min.js" | cut -d' ' -f1 >> "$vendor/VERSIONS.txt"
