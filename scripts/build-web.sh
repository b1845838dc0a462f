#!/usr/bin/env bash
# Builds the page into dist/: the wasm trainer (release, SIMD), its JS bindings
# (wasm-bindgen --target web), wasm-opt from npm's binaryen, and the files in www/.
# dist/ is a static folder: copy it to any static host.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh

say() { printf '\033[1;34m[build-web]\033[0m %s\n' "$*" >&2; }

say "cargo build (wasm32, release)"
cargo build --release --lib --target wasm32-unknown-unknown

OUT=dist
PKG="$OUT/pkg"
rm -rf "$OUT.tmp"
mkdir -p "$OUT.tmp/pkg"

say "wasm-bindgen --target web"
wasm-bindgen --target web --no-typescript --out-dir "$OUT.tmp/pkg" \
  "${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/release/mmoe.wasm"

say "wasm-opt -O3 (npm binaryen)"
node_modules/.bin/wasm-opt -O3 --enable-simd --enable-bulk-memory --enable-sign-ext \
  --enable-mutable-globals --enable-nontrapping-float-to-int --enable-reference-types \
  --enable-multivalue "$OUT.tmp/pkg/mmoe_bg.wasm" -o "$OUT.tmp/pkg/mmoe_bg.opt.wasm"
mv "$OUT.tmp/pkg/mmoe_bg.opt.wasm" "$OUT.tmp/pkg/mmoe_bg.wasm"

cp -R www/. "$OUT.tmp/"
# The census data (data/census/README.md), fetched only when someone chooses it.
mkdir -p "$OUT.tmp/data"
cp data/census/census-income.bin.gz "$OUT.tmp/data/"
rm -rf "$OUT"
mv "$OUT.tmp" "$OUT"

raw=$(wc -c < "$PKG/mmoe_bg.wasm")
gz=$(gzip -9 -c "$PKG/mmoe_bg.wasm" | wc -c)
awk -v f="$PKG/mmoe_bg.wasm" -v r="$raw" -v g="$gz" \
  'BEGIN { printf "[build-web] %s: %d bytes raw (%.1f KB), %d bytes gzip (%.1f KB)\n", f, r, r / 1024, g, g / 1024 }'
echo "[build-web] site ready in $OUT/"
