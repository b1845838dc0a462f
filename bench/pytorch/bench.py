#!/usr/bin/env python3
"""Training steps per second of the four models in PyTorch (CPU), at the shapes of `mmoe bench`.

    apt-get install -y python3-torch libopenblas0-pthread     # Debian's CPU torch + a real BLAS
    /usr/bin/python3 bench/pytorch/bench.py [--threads N] [--steps 500] [--warmup 50]
                                            [--repeats 5] [--config all|paper|large] [--json]

Mirrors src/model.rs at the sizes of Settings::default() and of `mmoe bench`'s configs():
experts are one Linear d -> n*u (bias, ReLU) reshaped to [B, n, u]; all gates are one
Linear (with bias, like ours) followed by softmax; mixing is one einsum; each task has a
tower Linear(u, 8) -> ReLU -> Linear(8, 1). Shared-Bottom is Linear(d, bottom) + ReLU read
by both towers. CGC's gate t mixes task t's own experts and the shared ones. Two MSE
regression tasks, loss = sum, Adam(lr 0.01). Each step: zero_grad, forward, backward,
step, and both task losses read with .item() (as the page reads them every step).
"""

import argparse
import json
import os
import statistics
import sys
import time

SYSTEM_PYTHON = "/usr/bin/python3"
MODELS = ("sb", "omoe", "mmoe", "cgc")


def time_steps(step, args):
    """Steps per second of `step`, once per repeat, after the warm-up."""
    for _ in range(args.warmup):
        step()
    rates = []
    for _ in range(args.repeats):
        t = time.perf_counter()
        for _ in range(args.steps):
            step()
        rates.append(args.steps / (time.perf_counter() - t))
    return rates


def parse_args():
    cores = os.cpu_count() or 1
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", type=int, default=cores, help=f"torch and BLAS threads (default: cores = {cores}; 1 for single-thread)")
    ap.add_argument("--steps", type=int, default=500, help="timed steps per repeat (default 500, as mmoe bench)")
    ap.add_argument("--warmup", type=int, default=50, help="untimed steps first (default 50, as mmoe bench)")
    ap.add_argument("--repeats", type=int, default=5, help="repeats per model (default 5)")
    ap.add_argument("--config", choices=["all", "paper", "large"], default="all")
    ap.add_argument("--models", default=",".join(MODELS), help="comma-separated subset of " + ",".join(MODELS))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = ap.parse_args()
    args.models = [m for m in args.models.split(",") if m]
    if any(m not in MODELS for m in args.models) or args.threads < 1 or min(args.steps, args.repeats) < 1:
        ap.error("bad --models, --threads, --steps or --repeats")
    return args


if __name__ == "__main__":
    ARGS = parse_args()
    # torch.set_num_threads sizes only torch's own (OpenMP) pool; Debian's OpenBLAS keeps
    # its own threads, sized from this variable when the library loads.
    os.environ["OPENBLAS_NUM_THREADS"] = str(ARGS.threads)

try:
    import torch
    import torch.nn.functional as F
    from torch import nn
except ImportError:
    # `python3` may be a pyenv interpreter without torch; Debian's python3-torch lives in
    # the system python.
    if os.path.realpath(sys.executable) != os.path.realpath(SYSTEM_PYTHON) and os.path.exists(
        SYSTEM_PYTHON
    ):
        os.execv(SYSTEM_PYTHON, [SYSTEM_PYTHON, *sys.argv])
    sys.exit("torch is not importable: apt-get install -y python3-torch (then use /usr/bin/python3)")

TASKS = 2

# The two configurations of src/cli/bench.rs configs(), named as in its JSON output; the
# keys are Settings fields (compare.py passes them to `mmoe train` to check sizes).
PAPER = dict(input_dim=100, experts=8, expert_units=16, bottom_units=113, tower_units=8,
             task_experts=2, shared_experts=4, batch_size=128, train_samples=10_000, lr=0.01)
LARGE = dict(PAPER, experts=16, expert_units=64, bottom_units=1024, task_experts=4,
             shared_experts=8, batch_size=512)
CONFIGS = {"paper": ("paper (batch 128)", PAPER), "large": ("large (16x64, batch 512)", LARGE)}


def glorot(layer):
    """Glorot-uniform weights and zero biases, as src/layers.rs (values do not matter for speed)."""
    nn.init.xavier_uniform_(layer.weight)
    nn.init.zeros_(layer.bias)
    return layer


class Tower(nn.Module):
    def __init__(self, units, hidden):
        super().__init__()
        self.hidden = glorot(nn.Linear(units, hidden))
        self.out = glorot(nn.Linear(hidden, 1))

    def forward(self, x):
        return self.out(F.relu(self.hidden(x))).squeeze(-1)


class MultiTask(nn.Module):
    """Shared-Bottom, OMoE, MMoE or CGC, laid out like src/model.rs."""

    def __init__(self, kind, c):
        super().__init__()
        self.kind = kind
        d = c["input_dim"]
        if kind == "sb":
            self.bottom = glorot(nn.Linear(d, c["bottom_units"]))
            units = c["bottom_units"]
        else:
            units = c["expert_units"]
            if kind == "cgc":
                own, shared = c["task_experts"], c["shared_experts"]
                self.n = TASKS * own + shared
                self.k = own + shared  # experts each task's gate mixes
                shared_ids = list(range(TASKS * own, self.n))
                chosen = [list(range(t * own, (t + 1) * own)) + shared_ids for t in range(TASKS)]
                self.register_buffer("chosen", torch.tensor(chosen, dtype=torch.long))
                gate_outputs = TASKS * self.k
            else:
                self.n = c["experts"]
                gate_outputs = self.n * (TASKS if kind == "mmoe" else 1)
            self.units = units
            # Each block keeps its own Glorot limit, as Dense::side_by_side does.
            self.experts = glorot(nn.Linear(d, self.n * units))
            self.gates = glorot(nn.Linear(d, gate_outputs))
        self.towers = nn.ModuleList(Tower(units, c["tower_units"]) for _ in range(TASKS))

    def forward(self, x):
        b = x.shape[0]
        if self.kind == "sb":
            h = F.relu(self.bottom(x))
            mixed = (h, h)
        else:
            e = F.relu(self.experts(x)).view(b, self.n, self.units)
            if self.kind == "omoe":
                g = F.softmax(self.gates(x), dim=-1)  # [B, n], one gate for both tasks
                m = torch.einsum("be,beu->bu", g, e)
                mixed = (m, m)
            elif self.kind == "mmoe":
                g = F.softmax(self.gates(x).view(b, TASKS, self.n), dim=-1)  # [B, T, n]
                mixed = torch.einsum("bte,beu->btu", g, e).unbind(1)
            else:
                g = F.softmax(self.gates(x).view(b, TASKS, self.k), dim=-1)  # [B, T, k]
                # Spread each gate over all n experts (0 where it cannot choose) and mix as
                # MMoE does: one small scatter instead of gathering [B, T, k, u] expert copies.
                spread = g.new_zeros(b, TASKS, self.n).scatter(2, self.chosen.expand(b, -1, -1), g)
                mixed = torch.einsum("bte,beu->btu", spread, e).unbind(1)
        return [tower(m) for tower, m in zip(self.towers, mixed)]


def expected_parameters(kind, c):
    """Parameter count of the same model in src/model.rs (input layer + two towers)."""
    d, t = c["input_dim"], c["tower_units"]
    if kind == "sb":
        units, width = c["bottom_units"], c["bottom_units"]
    else:
        units = c["expert_units"]
        if kind == "cgc":
            n = TASKS * c["task_experts"] + c["shared_experts"]
            gates = TASKS * (c["task_experts"] + c["shared_experts"])
        else:
            n = c["experts"]
            gates = n * (TASKS if kind == "mmoe" else 1)
        width = n * units + gates
    tower = units * t + t + t + 1
    return d * width + width + TASKS * tower


def blas_library():
    """Which BLAS shared library torch has loaded (Debian's torch uses the system libblas.so.3)."""
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "blas" in line.lower() and "/" in line}
    except OSError:
        return "unknown"
    resolved = sorted({os.path.realpath(p) for p in paths})
    return ", ".join(resolved) or "none loaded"


def measure(kind, c, args, seed):
    torch.manual_seed(seed)
    model = MultiTask(kind, c)
    params = sum(p.numel() for p in model.parameters())
    want = expected_parameters(kind, c)
    if params != want:
        sys.exit(f"{kind}: {params} parameters, src/model.rs has {want}: the mirror is wrong")
    opt = torch.optim.Adam(model.parameters(), lr=c["lr"])
    # Random data drawn once: speed depends on the shapes, not the values.
    n, batch = c["train_samples"], c["batch_size"]
    x = torch.randn(n, c["input_dim"])
    y = torch.randn(TASKS, n)
    batches = n // batch
    state = {"next": 0, "losses": None}

    def step():
        lo = (state["next"] % batches) * batch
        state["next"] += 1
        xb, y1, y2 = x[lo : lo + batch], y[0, lo : lo + batch], y[1, lo : lo + batch]
        opt.zero_grad()
        out1, out2 = model(xb)
        l1 = F.mse_loss(out1, y1)
        l2 = F.mse_loss(out2, y2)
        (l1 + l2).backward()
        opt.step()
        state["losses"] = (l1.item(), l2.item())

    rates = time_steps(step, args)
    if not all(map(lambda v: v == v and abs(v) != float("inf"), state["losses"])):
        sys.exit(f"{kind}: loss is not finite")
    return params, rates


def main():
    args = ARGS
    cores = os.cpu_count() or 1
    torch.set_num_threads(args.threads)

    rows = []
    for key in CONFIGS if args.config == "all" else [args.config]:
        name, c = CONFIGS[key]
        for kind in args.models:
            params, rates = measure(kind, c, args, args.seed)
            ordered = sorted(rates)
            median = statistics.median(ordered)
            rows.append(
                {
                    "config": name,
                    "model": kind,
                    "settings": c,
                    "parameters": params,
                    "steps_per_sec": {"min": ordered[0], "median": median, "max": ordered[-1]},
                    "rates": rates,
                    "ns_per_step": 1e9 / median,
                }
            )
    meta = {
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "cores": cores,
        "blas": blas_library(),
        "openblas_threads": os.environ.get("OPENBLAS_NUM_THREADS"),
        "steps": args.steps,
        "warmup": args.warmup,
        "repeats": args.repeats,
    }
    if args.json:
        print(json.dumps({**meta, "results": rows}))
        return
    print(f"PyTorch {meta['torch']} CPU, {meta['threads']} thread(s) of {cores} cores, BLAS: {meta['blas']}\n")
    print(f"{'config':<26} {'model':<5} {'steps/s min / median / max':>28} {'us/step':>10} {'params':>9}")
    for r in rows:
        s = r["steps_per_sec"]
        print(
            f"{r['config']:<26} {r['model']:<5} {s['min']:>8.0f} / {s['median']:>8.0f} / {s['max']:>8.0f}"
            f" {r['ns_per_step'] / 1000:>10.1f} {r['parameters']:>9}"
        )


if __name__ == "__main__":
    main()
