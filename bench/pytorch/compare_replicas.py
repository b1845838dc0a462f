#!/usr/bin/env python3
"""Replica-steps/s on the sweep grid, ours and PyTorch's stacked replicas, side by side in one run.

    cargo build --release
    /usr/bin/python3 bench/pytorch/compare_replicas.py [--rounds 3] [--steps 300] [--out FILE]

Each round runs, in an order that rotates between rounds: `mmoe bench --replicas --json
--repeats 1` (every cell alone, as separate `mmoe train` runs would, and the replica engine,
each on 1 and 2 threads), then `replicas.py` (PyTorch, every replica of a model stacked,
bmm) on 1 and on 2 threads. The grid is issue 11's: Shared-Bottom, OMoE and MMoE at p = 1
and 0.5, paper sizes, batch 128. Prints replica-steps/s in total and per thread
(min / median / max over rounds) and the ratios of medians; `--out` keeps the raw runs.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MMOE = os.path.join(ROOT, "target", "release", "mmoe")
PYTHON = "/usr/bin/python3"


def ours(steps):
    out = subprocess.run([MMOE, "bench", "--replicas", "--json", "--repeats", "1", "--steps", str(steps), "--threads", "2"],
                         check=True, capture_output=True, text=True).stdout
    return {f"ours {r['way']}, {r['threads']} thread{'s' if r['threads'] > 1 else ''}": (r["replica_steps_per_sec"][0], r["threads"])
            for r in json.loads(out)["results"]}


def pytorch(threads, steps):
    out = subprocess.run([PYTHON, os.path.join(HERE, "replicas.py"), "--json", "--threads", str(threads), "--repeats", "1",
                          "--steps", str(max(50, steps // 2))], check=True, capture_output=True, text=True).stdout
    r = json.loads(out)
    name = f"PyTorch {r['torch']} stacked (bmm), {threads} thread{'s' if threads > 1 else ''}"
    return {name: (r["grid_replica_steps_per_sec"], threads)}, r["blas"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--steps", type=int, default=300, help="timed steps per run (PyTorch: half, at least 50)")
    ap.add_argument("--out", help="write the raw runs as JSON here")
    args = ap.parse_args()
    if not os.path.exists(MMOE):
        sys.exit(f"{MMOE} not found: cargo build --release first")
    with open("/proc/loadavg") as f:
        load_before = f.read().split()[:3]
    runs = {}
    blas = ""
    jobs = [lambda: ours(args.steps), lambda: pytorch(1, args.steps)[0], lambda: pytorch(2, args.steps)[0]]
    blas = pytorch(1, 50)[1]  # also a warm-up of torch's import
    for k in range(args.rounds):
        for j in range(len(jobs)):
            for name, (rate, threads) in jobs[(j + k) % len(jobs)]().items():
                runs.setdefault(name, {"threads": threads, "rates": []})["rates"].append(rate)
    with open("/proc/loadavg") as f:
        load_after = f.read().split()[:3]
    print(f"load average before {' '.join(load_before)}, after {' '.join(load_after)}; PyTorch BLAS: {blas}\n")
    print(f"{'':<48} {'replica-steps/s min / median / max':>36} {'per thread':>11}")
    medians = {}
    for name, r in runs.items():
        v = sorted(r["rates"])
        medians[name] = statistics.median(v)
        print(f"{name:<48} {v[0]:>12.0f} / {medians[name]:>9.0f} / {v[-1]:>9.0f} {medians[name] / r['threads']:>11.0f}")
    names = list(runs)
    engine1 = next(n for n in names if n.startswith("ours engine, 1"))
    print()
    for other in names:
        if other != engine1:
            print(f"ours engine, 1 thread / {other}: {medians[engine1] / medians[other]:.2f}")
    engine2 = next(n for n in names if n.startswith("ours engine, 2"))
    print(f"ours engine, 2 threads / ours engine, 1 thread: {medians[engine2] / medians[engine1]:.2f}")
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"load_before": load_before, "load_after": load_after, "blas": blas, "runs": runs}, f, indent=1)


if __name__ == "__main__":
    main()
