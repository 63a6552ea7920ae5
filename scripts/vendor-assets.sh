#!/usr/bin/env bash
# Copy the pinned browser assets from node_modules (npm ci, package-lock.json) into the package's
# static folder, so the web app serves them itself (no CDN). Safe to rerun; the copies are committed
# so that an installed package works without npm.
# axe-core (a devDependency) is a tests-only asset: tests/web/test_axe.py injects it into every page; it is copied
# under tests/, never served by the app.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=src/sohoa/web/static/vendor
osd=node_modules/openseadragon
axe=node_modules/axe-core
[ -d "$osd" ] && [ -d "$axe" ] || { echo "vendor-assets: run 'npm ci' first" >&2; exit 1; }
mkdir -p "$dest/openseadragon/images"
cp "$osd/build/openseadragon/openseadragon.min.js" "$dest/openseadragon/"
cp "$osd/build/openseadragon/images/"*.png "$dest/openseadragon/images/"
cp "$osd/LICENSE.txt" "$dest/openseadragon/LICENSE.txt"
node -p "require('./$osd/package.json').version" > "$dest/openseadragon/VERSION"
axe_dest=tests/web/vendor/axe-core
mkdir -p "$axe_dest"
cp "$axe/axe.min.js" "$axe/LICENSE" "$axe_dest/"
node -p "require('./$axe/package.json').version" > "$axe_dest/VERSION"
