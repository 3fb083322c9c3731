#!/usr/bin/env python3
"""gpu_remeasure.py: the live study's side-by-side re-measurement (docs/live.md): the
configuration each live run returned, the best configuration of the recorded landscape and
torch's own version of the kernel, all timed again in this one process on this GPU, in
interleaved rounds, so that they are compared under the same conditions and not by the
timings the searches saw.

  python3 bench/gpu_remeasure.py softmax data/triton_softmax_H100.json.gz out/live-softmax-*.h5 \\
      -o out/remeasure-softmax.json

Each configuration is compiled and checked against torch once (examples/live-gpu's
mfbo_triton.Bench), then --rounds rounds time every configuration and torch, in a shuffled
order per round (fixed seed), --reps repetitions each (warm-up, L2 flushed, CUDA events);
a configuration's time is the median over rounds of each round's median. The JSON output
holds the environment, torch's time, the recorded best and one entry per run (file,
algorithm, seed, configuration, the run's own final re-measurement and this one)."""
import argparse
import gzip
import json
import os
import random
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gpu_record import environment, load_kernel  # noqa: E402 (the same worker and machine)


def text(value):
    return value.decode().rstrip("\0") if isinstance(value, bytes) else str(value)


def returned_configs(paths, names):
    """One entry per run of the live results files: its returned configuration."""
    import h5py
    runs = []
    for path in paths:
        with h5py.File(path, "r") as f:
            file_names = [text(n) for n in f["/benchmark"].attrs["parameter_names"]]
            if sorted(file_names) != sorted(names):
                raise SystemExit("gpu_remeasure.py: %s: parameters %s, the kernel has %s"
                                 % (path, file_names, names))
            for row in f["/runs"][:]:
                entry = {"file": os.path.basename(path), "algorithm": text(row["algorithm"]),
                         "seed": int(row["seed"]), "n_evals": int(row["n_evals"]),
                         "cost_s": float(row["cost_s"]),
                         "run_final_ms": float(row["incumbent_true_ms"])}
                values = [row[n] for n in names]
                if any(v != v for v in values):  # NaN: no incumbent
                    entry["config"] = None
                else:
                    entry["config"] = {n: int(v) for n, v in zip(names, values)}
                runs.append(entry)
    return runs


def recorded_best(path, names):
    with gzip.open(path, "rt") as f:
        doc = json.load(f)
    valid = [e for e in doc["cache"].values() if not isinstance(e["time"], str)]
    best = min(valid, key=lambda e: e["time"])
    return {"config": {n: int(best[n]) for n in names}, "recorded_ms": best["time"],
            "device_name": doc["device_name"]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("kernel", help="matmul, softmax or attention (examples/live-gpu)")
    parser.add_argument("landscape", help="the recorded landscape (data/triton_KERNEL_*.json.gz)")
    parser.add_argument("results", nargs="+", help="the live study's results files")
    parser.add_argument("-o", "--output", required=True, help="the JSON file to write")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (5)")
    parser.add_argument("--reps", type=int, default=100, help="repetitions a round (100)")
    args = parser.parse_args()
    kernel_class = load_kernel(args.kernel)
    names = [n for n, _ in kernel_class.params]
    runs = returned_configs(args.results, names)
    best = recorded_best(args.landscape, names)
    import mfbo_triton
    bench = mfbo_triton.Bench(kernel_class)
    keys = sorted({tuple(r["config"][n] for n in names) for r in runs if r["config"]}
                  | {tuple(best["config"][n] for n in names)})
    failed = {}
    for key in keys:
        try:
            bench.prepare(dict(zip(names, key)))
        except Exception as e:  # noqa: BLE001 (recorded, not fatal)
            failed[key] = mfbo_triton.first_line(e)
    timed = [k for k in keys if k not in failed] + ["torch"]
    rounds = {k: [] for k in timed}
    order = random.Random(1)
    for r in range(args.rounds):
        order.shuffle(timed)
        for key in timed:
            if key == "torch":
                fn = bench.kernel.torch_launch
            else:
                cfg = dict(zip(names, key))
                fn = lambda cfg=cfg: bench.kernel.launch(cfg)  # noqa: E731
            rounds[key].append(statistics.median(bench.timer.times_ms(fn, args.reps)))
        print("gpu_remeasure.py: round %d/%d: %d configurations and torch" % (
            r + 1, args.rounds, len(timed) - 1), file=sys.stderr, flush=True)
    ms = {k: statistics.median(v) for k, v in rounds.items()}
    best_key = tuple(best["config"][n] for n in names)
    best["remeasured_ms"] = ms.get(best_key)
    for run in runs:
        key = tuple(run["config"][n] for n in names) if run["config"] else None
        run["remeasured_ms"] = ms.get(key)
        if key in failed:
            run["remeasure_failed"] = failed[key]
    doc = {"kernel": args.kernel, "environment": environment(), "rounds": args.rounds,
           "reps": args.reps, "torch_ms": ms["torch"], "recorded_best": best, "runs": runs,
           "command": " ".join(sys.argv)}
    tmp = args.output + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=1)
    os.replace(tmp, args.output)
    bench.close()
    print("gpu_remeasure.py: %s: torch %.4f ms, recorded best %.4f ms (re-measured %s), %d "
          "runs -> %s" % (args.kernel, ms["torch"], best["recorded_ms"],
                          "%.4f" % best["remeasured_ms"] if best["remeasured_ms"] else "failed",
                          len(runs), args.output), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
