#!/usr/bin/env bash
# Copy the vendored front-end assets (exact versions in package.json / package-lock.json) into static/vendor.
# Run after changing package.json; the result is committed so that running the site needs no npm.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund
font=node_modules/@fontsource/noto-sans
mkdir -p static/vendor/noto-sans tests/browser/vendor
for subset in latin latin-ext cyrillic cyrillic-ext; do
  for weight in 400 700; do
    cp "$font/files/noto-sans-$subset-$weight-normal.woff2" static/vendor/noto-sans/
  done
done
cp "$font/LICENSE" static/vendor/noto-sans/LICENSE
cp node_modules/axe-core/axe.min.js node_modules/axe-core/LICENSE tests/browser/vendor/
echo "vendored into static/vendor and tests/browser/vendor"
