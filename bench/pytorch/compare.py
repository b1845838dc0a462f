#!/usr/bin/env python3
"""Our native training step (`mmoe bench`) against PyTorch CPU (bench.py), interleaved.

    cargo build --release
    python3 bench/pytorch/compare.py [--repeats 3] [--steps 200] [--threads cores,1] [--json] [--out FILE]

Each repeat runs `mmoe bench --json --repeats 1` and bench.py once per PyTorch thread
setting, in an order that rotates between repeats, so load from other work on the machine
falls on every side alike. Ratios are ours ÷ PyTorch within the same repeat, then
min / median / max over repeats. After timing, each model's parameter count is checked
against `mmoe train` at the same sizes (a mismatch is an error).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TARGET = 5.0  # issue 5: ours >= 5x PyTorch CPU per step

def run_json(cmd):
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr.strip()}")
    return json.loads(done.stdout)


def spread(values):
    ordered = sorted(values)
    return {"min": ordered[0], "median": statistics.median(ordered), "max": ordered[-1]}


def triple(s, digits=0):
    return f"{s['min']:.{digits}f} / {s['median']:.{digits}f} / {s['max']:.{digits}f}"


def main():
    cores = os.cpu_count() or 1
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mmoe", default=os.path.join(ROOT, "target", "release", "mmoe"), help="the native binary")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--steps", type=int, default=200, help="timed steps per model per repeat, both sides")
    ap.add_argument("--threads", default="cores,1", help="PyTorch thread settings to run, comma-separated ('cores' = os.cpu_count())")
    ap.add_argument("--json", action="store_true", help="print JSON instead of a table")
    ap.add_argument("--out", help="also write the JSON to this file")
    args = ap.parse_args()
    if not os.access(args.mmoe, os.X_OK):
        sys.exit(f"{args.mmoe} not found: run `cargo build --release` first")
    threads = [cores if t.strip() == "cores" else int(t) for t in args.threads.split(",") if t.strip()]

    bench_py = [sys.executable, os.path.join(HERE, "bench.py"), "--json", "--repeats", "1", "--steps", str(args.steps)]
    sides = [("ours", [args.mmoe, "bench", "--json", "--repeats", "1", "--steps", str(args.steps)])]
    sides += [(f"torch{t}", bench_py + ["--threads", str(t)]) for t in threads]

    load = [os.getloadavg()]
    rates = {}  # (side, config, model) -> [steps/s per repeat]
    meta = {}
    sizes = {}  # (config, model) -> (settings, PyTorch parameter count)
    for r in range(args.repeats):
        order = sides[r % len(sides):] + sides[: r % len(sides)]
        for side, cmd in order:
            print(f"repeat {r + 1}/{args.repeats}: {side}", file=sys.stderr, flush=True)
            out = run_json(cmd)
            meta[side] = {k: v for k, v in out.items() if k != "results"}
            for row in out["results"]:
                key = (side, row["config"], row["model"])
                rates.setdefault(key, []).append(row["steps_per_sec"]["median"])
                if side != "ours":
                    sizes[(row["config"], row["model"])] = (row["settings"], row["parameters"])

    load.append(os.getloadavg())
    # Same model sizes on both sides: ask the native trainer how many parameters it has.
    for (config, model), (settings, params) in sizes.items():
        flags = [part for k, v in settings.items() for part in (f"--{k.replace('_', '-')}", str(v))]
        ours = run_json([args.mmoe, "train", "--model", model, "--steps", "10", "--eval-every", "100000", *flags])
        if ours["parameters"] != params:
            sys.exit(f"{config} {model}: PyTorch has {params} parameters, mmoe train {ours['parameters']}")

    rows = []
    for (side, config, model), ours in rates.items():
        if side != "ours":
            continue
        for t in threads:
            theirs = rates[(f"torch{t}", config, model)]
            rows.append(
                {
                    "config": config,
                    "model": model,
                    "torch_threads": t,
                    "ours": spread(ours),
                    "pytorch": spread(theirs),
                    "ratio": spread([a / b for a, b in zip(ours, theirs)]),
                    "repeats_at_target": sum(a >= TARGET * b for a, b in zip(ours, theirs)),
                }
            )
    report = {"repeats": args.repeats, "steps": args.steps, "load_average_before_after": load, "meta": meta, "results": rows}
    if args.out:
        with open(args.out, "w") as f:
            json.dump(report, f, indent=1)
    if args.json:
        print(json.dumps(report))
        return
    torch_meta = next(v for k, v in meta.items() if k != "ours")
    print(
        f"\nsteps/s min / median / max over {args.repeats} interleaved repeats of {args.steps} steps; "
        f"ratio = ours / PyTorch per repeat. PyTorch {torch_meta['torch']}, BLAS {torch_meta['blas']}; "
        f"ours single-threaded. Target: ours >= {TARGET:g}x. Load average (1/5/15 min) before "
        f"{' '.join(f'{v:.2f}' for v in load[0])}, after {' '.join(f'{v:.2f}' for v in load[1])}.\n"
    )
    print(f"| config | model | PyTorch threads | ours | PyTorch | ours / PyTorch | repeats ≥ {TARGET:g}x |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row['config']} | {row['model']} | {row['torch_threads']} | {triple(row['ours'])} | "
            f"{triple(row['pytorch'])} | {triple(row['ratio'], 1)} | {row['repeats_at_target']}/{args.repeats} |"
        )


if __name__ == "__main__":
    main()
