#!/usr/bin/env bash
# Tunes what the paper tuned for the census experiment (section 6.3: learning rate, steps,
# experts x units) on VALIDATION AUC only: MMoE and Shared-Bottom on census group 1,
# seeds 101-102 (not the seeds the table is reported on), each setting's steps chosen
# among 8 checkpoints by `mmoe sweep`. Prints one row per setting.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release --quiet
out=${OUT:-/tmp/census-tune}
for lr in 0.0003 0.001 0.003; do
  for size in "8 16 113" "8 64 453"; do
    set -- $size
    dir="$out/lr$lr-e$1-u$2"
    ./target/release/mmoe sweep --data census1 --models sb,mmoe --seeds 2 --first-seed 101 \
      --steps 8000 --checkpoints 8 --lr "$lr" --experts "$1" --expert-units "$2" \
      --bottom-units "$3" --out "$dir" >/dev/null 2>&1
    python3 - "$dir/census.json" "$lr" "$1x$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for model in ("sb", "mmoe"):
    best = {}
    for c in d["checkpoints"]:
        if c["model"] == model:
            best.setdefault(c["step"], []).append(c["validation_auc"][0])
    step, v = max(((s, sum(v) / len(v)) for s, v in best.items()), key=lambda x: x[1])
    print(f"| {model} | lr {sys.argv[2]} | {sys.argv[3]} | {step} | {v:.4f} |")
PY
  done
done
