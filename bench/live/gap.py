#!/usr/bin/env python3
"""How soon and how dependably the live Figure 4 shows the gap, from `mmoe sweep` runs.

Reads results.json of sweeps over sb,omoe,mmoe at p = 1, 0.5 (one per learning rate) and,
for page seed s and k seeds averaged (seeds s .. s+k-1, as the page's Figure 4 averages
them), prints at each step how many page seeds show the gap: OMoE's loss / MMoE's at
p = 0.5 over the same ratio at p = 1, each loss the mean over the k seeds of both tasks'
training loss over the last ~200 steps (the page's summary line), >= THRESHOLD.

    python3 bench/live/gap.py DIR [DIR ...]   # each DIR a sweep's --out folder
"""
import json
import sys

THRESHOLD = 1.15
PAGE_SEEDS = range(1, 6)


def load(path):
    cells = json.load(open(f"{path}/results.json"))["cells"]
    curves = {}
    for c in cells:
        curves[(c["model"], c["correlation"], c["seed"])] = c["curve"]
    return curves


def recent(curve, step, window=200):
    """Mean of both tasks over the curve points in (step - window, step]."""
    pts = [p for p in curve if step - window < p["step"] <= step]
    if not pts:
        return float("nan")
    return sum((p["loss"][0] + p["loss"][1]) / 2 for p in pts) / len(pts)


def gap(curves, seeds, step):
    def mean(model, p):
        return sum(recent(curves[(model, p, s)], step) for s in seeds) / len(seeds)

    return (mean("omoe", 0.5) / mean("mmoe", 0.5)) / (mean("omoe", 1.0) / mean("mmoe", 1.0))


def main():
    for path in sys.argv[1:]:
        curves = load(path)
        seeds = sorted({k[2] for k in curves})
        steps = sorted({p["step"] for p in next(iter(curves.values()))})
        print(f"\n{path}  (seeds {seeds[0]}-{seeds[-1]})")
        for k in (1, 2, 3, 4):
            usable = [s for s in PAGE_SEEDS if s + k - 1 <= seeds[-1]]
            row = []
            for step in steps:
                if step % 1000:
                    continue
                gaps = [gap(curves, range(s, s + k), step) for s in usable]
                hits = sum(g >= THRESHOLD for g in gaps)
                row.append(f"{step // 1000}k:{hits}/{len(usable)}")
            print(f"  k={k}: " + "  ".join(row))


if __name__ == "__main__":
    main()
