#!/usr/bin/env python3
"""Replica-steps per second of stacked replicas in PyTorch (CPU): the peer of our replica engine.

    /usr/bin/python3 bench/pytorch/replicas.py [--threads N] [--models sb,omoe,mmoe]
        [--correlations 2] [--seeds 4] [--steps 200] [--warmup 20] [--repeats 3] [--json]

The version a competent researcher would write for the sweep grid (issue 11): every replica
of one model (correlations x seeds of them) stacked into one network, parameters of shape
(R, in, out), every product a torch.bmm, loss summed over replicas, one Adam over the
stacked tensors (Adam is elementwise, so each replica trains as if alone). Per replica, at
the paper's sizes (bench.py's PAPER): the experts' and gates' weights side by side in one
(R, d, width) tensor as in src/core/model.rs, ReLU experts viewed as [R, B, n, u], softmax
gates, mixing by einsum (CGC spreads each gate over all experts with a scatter, as
bench.py), both tasks' towers as one bmm over R x 2. Two MSE tasks. Each replica reads its
own batch (replicas of different seeds see different inputs), sliced from random data drawn
once; each step reads every replica's two losses with one .tolist(). A replica-step is one
replica's training step.
"""

import argparse
import json
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

MODELS = ("sb", "omoe", "mmoe", "cgc")


def parse_args():
    cores = os.cpu_count() or 1
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", type=int, default=cores, help=f"torch and BLAS threads (default: cores = {cores})")
    ap.add_argument("--models", default="sb,omoe,mmoe", help="comma-separated subset of " + ",".join(MODELS))
    ap.add_argument("--correlations", type=int, default=2, help="correlations in the grid (default 2: p = 1, 0.5)")
    ap.add_argument("--seeds", type=int, default=4, help="seeds in the grid (default 4)")
    ap.add_argument("--steps", type=int, default=200, help="timed steps per repeat (default 200)")
    ap.add_argument("--warmup", type=int, default=20, help="untimed steps first (default 20)")
    ap.add_argument("--repeats", type=int, default=3, help="repeats (default 3)")
    ap.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = ap.parse_args()
    args.models = [m for m in args.models.split(",") if m]
    if any(m not in MODELS for m in args.models) or min(args.threads, args.correlations, args.seeds, args.steps, args.repeats) < 1:
        ap.error("bad --models, --threads, --correlations, --seeds, --steps or --repeats")
    return args


if __name__ == "__main__":
    ARGS = parse_args()
    os.environ["OPENBLAS_NUM_THREADS"] = str(ARGS.threads)  # see bench.py

from bench import PAPER, TASKS, blas_library, expected_parameters, time_steps  # noqa: E402 (re-execs into /usr/bin/python3 if needed)

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402


def stacked(r, fan_in, fan_out, blocks=None):
    """(R, in, out) weights, each column block Glorot-uniform with its own limit, and zero (R, 1, out) biases."""
    blocks = blocks or [fan_out]
    parts = []
    for width in blocks:
        limit = (6.0 / (fan_in + width)) ** 0.5
        parts.append(torch.empty(r, fan_in, width).uniform_(-limit, limit))
    w = torch.cat(parts, dim=2).requires_grad_()
    b = torch.zeros(r, 1, fan_out, requires_grad=True)
    return w, b


class Stacked:
    """R replicas of one model kind, as one network of (R, ...) tensors."""

    def __init__(self, kind, c, r):
        self.kind, self.r = kind, r
        d, t = c["input_dim"], c["tower_units"]
        if kind == "sb":
            self.units = c["bottom_units"]
            self.w, self.b = stacked(r, d, self.units)
        else:
            self.units = u = c["expert_units"]
            if kind == "cgc":
                own, shared = c["task_experts"], c["shared_experts"]
                self.n, self.k = TASKS * own + shared, own + shared
                ids = list(range(TASKS * own, self.n))
                chosen = [list(range(i * own, (i + 1) * own)) + ids for i in range(TASKS)]
                self.chosen = torch.tensor(chosen, dtype=torch.long)
                gates = [self.k] * TASKS
            else:
                self.n = self.k = c["experts"]
                gates = [self.n] * (TASKS if kind == "mmoe" else 1)
            self.gate_width = sum(gates)
            self.w, self.b = stacked(r, d, self.n * u + self.gate_width, [self.n * u] + gates)
        # Both tasks' towers stacked as R x 2 replicas of one tower.
        self.h_w, self.h_b = stacked(r * TASKS, self.units, t)
        self.o_w, self.o_b = stacked(r * TASKS, t, 1)
        self.params = [self.w, self.b, self.h_w, self.h_b, self.o_w, self.o_b]

    def parameters_per_replica(self):
        return sum(p.numel() for p in self.params) // self.r

    def forward(self, x):
        """x: [R, B, d] -> predictions [R, 2, B]."""
        r, bsz = x.shape[0], x.shape[1]
        z = torch.baddbmm(self.b, x, self.w)  # [R, B, width]: experts and gates, one bmm
        if self.kind == "sb":
            h = F.relu(z)
            mixed = torch.stack((h, h), dim=1)  # [R, 2, B, u]
        else:
            nu = self.n * self.units
            e = F.relu(z[..., :nu]).view(r, bsz, self.n, self.units)
            logits = z[..., nu:]
            if self.kind == "omoe":
                g = F.softmax(logits, dim=-1)
                m = torch.einsum("rbe,rbeu->rbu", g, e)
                mixed = torch.stack((m, m), dim=1)
            else:
                g = F.softmax(logits.view(r, bsz, TASKS, self.k), dim=-1)
                if self.kind == "cgc":
                    idx = self.chosen.expand(r, bsz, -1, -1)
                    g = g.new_zeros(r, bsz, TASKS, self.n).scatter(3, idx, g)
                mixed = torch.einsum("rbte,rbeu->rtbu", g, e)
        towers_in = mixed.reshape(r * TASKS, bsz, self.units)
        hidden = F.relu(torch.baddbmm(self.h_b, towers_in, self.h_w))
        return torch.baddbmm(self.o_b, hidden, self.o_w).view(r, TASKS, bsz)


def measure(kind, c, args):
    torch.manual_seed(1)
    r = args.correlations * args.seeds
    net = Stacked(kind, c, r)
    want = expected_parameters(kind, c)
    if net.parameters_per_replica() != want:
        sys.exit(f"{kind}: {net.parameters_per_replica()} parameters per replica, ours has {want}")
    opt = torch.optim.Adam(net.params, lr=c["lr"])
    n, batch = c["train_samples"], c["batch_size"]
    x = torch.randn(r, n, c["input_dim"])
    y = torch.randn(r, TASKS, n)
    batches = n // batch
    state = {"next": 0, "losses": None}

    def step():
        lo = (state["next"] % batches) * batch
        state["next"] += 1
        out = net.forward(x[:, lo : lo + batch])
        losses = ((out - y[:, :, lo : lo + batch]) ** 2).mean(dim=2)  # [R, 2]
        opt.zero_grad()
        losses.sum().backward()
        opt.step()
        state["losses"] = losses.detach().tolist()

    rates = [r * rate for rate in time_steps(step, args)]
    if not all(v == v and abs(v) != float("inf") for row in state["losses"] for v in row):
        sys.exit(f"{kind}: loss is not finite")
    return r, rates


def main():
    args = ARGS
    torch.set_num_threads(args.threads)
    rows = []
    for kind in args.models:
        r, rates = measure(kind, PAPER, args)
        rows.append({"model": kind, "replicas": r, "replica_steps_per_sec": rates, "median": statistics.median(rates)})
    # The whole grid: every model's replicas in turn, so its rate is the harmonic combination.
    grid = sum(row["replicas"] for row in rows) / sum(row["replicas"] / row["median"] for row in rows)
    meta = {
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "blas": blas_library(),
        "steps": args.steps,
        "repeats": args.repeats,
        "grid_replica_steps_per_sec": grid,
    }
    if args.json:
        print(json.dumps({**meta, "results": rows}))
        return
    print(f"PyTorch {meta['torch']} CPU, {meta['threads']} thread(s), BLAS: {meta['blas']}; stacked replicas (bmm)\n")
    print(f"{'model':<5} {'replicas':>8} {'replica-steps/s min / median / max':>36} {'ms per replica-step':>20}")
    for row in rows:
        v = sorted(row["replica_steps_per_sec"])
        print(f"{row['model']:<5} {row['replicas']:>8} {v[0]:>12.0f} / {row['median']:>9.0f} / {v[-1]:>9.0f} {1e3 / row['median']:>20.3f}")
    print(f"\ngrid ({', '.join(args.models)}): {grid:.0f} replica-steps/s, {grid / meta['threads']:.0f} per thread")


if __name__ == "__main__":
    main()
