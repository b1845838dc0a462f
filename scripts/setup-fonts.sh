#!/usr/bin/env bash
# Installs the TrueType font that the sweep's PNG figures are drawn with (DejaVu Sans,
# Debian's fonts-dejavu-core). Idempotent: does nothing if a usable font is already there.
# The figures read the font at run time (src/figures.rs), so no font file is committed;
# MMOE_FONT=/path/to/font.ttf overrides the search.
set -euo pipefail

for f in /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf \
         /usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf; do
  if [ -r "$f" ]; then
    echo "setup-fonts: found $f"
    exit 0
  fi
done

if command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq fonts-dejavu-core
  echo "setup-fonts: installed fonts-dejavu-core"
else
  echo "setup-fonts: no apt-get; install DejaVu Sans (or any .ttf) and set MMOE_FONT" >&2
  exit 1
fi
