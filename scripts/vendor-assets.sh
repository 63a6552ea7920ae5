#!/usr/bin/env bash
# Copy the pinned browser assets from node_modules (npm ci, package-lock.json) into the package's
# static folder, so the web app serves them itself (no CDN). Safe to rerun; the copies are committed
# so that an installed package works without npm.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=src/sohoa/web/static/vendor
osd=node_modules/openseadragon
[ -d "$osd" ] || { echo "vendor-assets: run 'npm ci' first" >&2; exit 1; }
mkdir -p "$dest/openseadragon/images"
cp "$osd/build/openseadragon/openseadragon.min.js" "$dest/openseadragon/"
cp "$osd/build/openseadragon/images/"*.png "$dest/openseadragon/images/"
cp "$osd/LICENSE.txt" "$dest/openseadragon/LICENSE.txt"
node -p "require('./$osd/package.json').version" > "$dest/openseadragon/VERSION"
