#!/usr/bin/env python3
"""gpu_study_report.py: docs/live.md's tables of a live GPU study (bench/gpu_session.sh
study + remeasure), beside the same searchers simulated on the recorded landscape.

  python3 bench/gpu_study_report.py softmax data/triton_softmax_H100.json.gz DIR \\
      --sim sim-softmax.h5 [--sim sim-softmax-pattern.h5]

DIR holds the live results files (live-KERNEL-ALGORITHM-sSEED.h5), remeasure-KERNEL.json
and env.txt. Prints Markdown on stdout.

"Reaching within 5%" is judged on the recorded landscape, the study's ground truth: a run
reaches it at the cost (cumulative seconds the user waited, worker start-up included) of
its first evaluation of a configuration whose recorded time is within 5% of the recorded
best; the run may not know it yet. A run that never evaluates one does not reach it. The
returned configuration is judged by its side-by-side re-measurement (gpu_remeasure.py)
against the recorded best re-measured in the same rounds."""
import argparse
import glob
import gzip
import json
import os
import statistics
import sys


def fail(path, why):
    print("gpu_study_report.py: %s: %s" % (path, why), file=sys.stderr)
    sys.exit(2)


def text(value):
    return value.decode().rstrip("\0") if isinstance(value, bytes) else str(value)


def landscape(path):
    """names, {configuration tuple: recorded ms} of the valid entries, best ms."""
    try:
        with gzip.open(path, "rt") as f:
            doc = json.load(f)
        names = doc["tune_params_keys"]
        times = {tuple(int(e[n]) for n in names): e["time"] for e in doc["cache"].values()
                 if not isinstance(e["time"], str)}
        return names, times, min(times.values())
    except OSError as e:
        fail(path, e.strerror or str(e))
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        fail(path, "not a Kernel Tuner cache file with valid entries (%s)" % e)


def runs_of(paths, names, times, best_ms):
    """One dict per run of the results files: algorithm, seed, evaluations, cost, the cost
    at which it first evaluated a configuration within 5% and 1% of the best (None: never),
    the recorded time of its returned configuration."""
    import h5py
    runs = []
    for path in paths:
        try:
            with h5py.File(path, "r") as f:
                trace, table = f["/trace"][:], f["/runs"][:]
        except OSError as e:
            fail(path, "not a readable HDF5 file (%s)" % e)
        except KeyError:
            fail(path, "not an mfbo-sweep results file (no /runs or /trace)")
        if any(n not in table.dtype.names for n in names):
            fail(path, "its parameters are not the landscape's (%s)" % ", ".join(names))
        for row in table:
            rows = trace[int(row["trace_start"]):int(row["trace_start"] + row["trace_len"])]
            run = {"algorithm": text(row["algorithm"]), "seed": int(row["seed"]),
                   "n_evals": int(row["n_evals"]), "cost_s": float(row["cost_s"])}
            for pct in (5, 1):
                run["reach%d_s" % pct] = None
                for r in rows:
                    t = times.get(tuple(int(r[n]) for n in names))
                    if t is not None and t <= best_ms * (1 + pct / 100.0):
                        run["reach%d_s" % pct] = float(r["cum_cost_s"])
                        break
            cfg = tuple(row[n] for n in names)
            run["returned_recorded_ms"] = None if any(v != v for v in cfg) else \
                times.get(tuple(int(v) for v in cfg))
            run["true_ms"] = float(row["incumbent_true_ms"])
            runs.append(run)
    return runs


def med(values, fmt="%.1f"):
    values = [v for v in values if v is not None]
    return fmt % statistics.median(values) if values else "-"


def reach(runs, key):
    got = [r[key] for r in runs if r[key] is not None]
    return "%s (%d/%d)" % (med(got), len(got), len(runs))


def by_algorithm(runs):
    groups = {}
    for r in runs:
        groups.setdefault(r["algorithm"], []).append(r)
    return groups


def live_table(runs, remeasure):
    best = remeasure["recorded_best"]["remeasured_ms"]
    again = {(r["algorithm"], r["seed"]): r.get("remeasured_ms") for r in remeasure["runs"]}
    lines = ["| algorithm | runs | evaluations | cost (s) | reached 5%: cost (s) | reached 1%: "
             "cost (s) | returned, re-measured (ms) | / best | worst / best | returned within 1% |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for alg, group in by_algorithm(runs).items():
        ms = [again.get((r["algorithm"], r["seed"])) for r in group]
        ratios = [m / best for m in ms if m]
        lines.append("| %s | %d | %s | %s | %s | %s | %s | %s | %s | %d/%d |" % (
            alg, len(group), med([r["n_evals"] for r in group], "%.0f"),
            med([r["cost_s"] for r in group]), reach(group, "reach5_s"),
            reach(group, "reach1_s"), med(ms, "%.4f"), med(ratios, "%.3f"),
            "%.3f" % max(ratios) if ratios else "-", sum(x <= 1.01 for x in ratios),
            len(group)))
    return lines


def sim_table(runs, best_ms):
    lines = ["| algorithm | runs | evaluations | cost (s) | reached 5%: cost (s) | reached 1%: "
             "cost (s) | returned, recorded (ms) | / best | returned within 1% |",
             "|---|---|---|---|---|---|---|---|---|"]
    for alg, group in by_algorithm(runs).items():
        ratios = [r["true_ms"] / best_ms for r in group]
        lines.append("| %s | %d | %s | %s | %s | %s | %s | %s | %d/%d |" % (
            alg, len(group), med([r["n_evals"] for r in group], "%.0f"),
            med([r["cost_s"] for r in group]), reach(group, "reach5_s"),
            reach(group, "reach1_s"), med([r["true_ms"] for r in group], "%.4f"),
            med(ratios, "%.3f"), sum(x <= 1.01 for x in ratios), len(group)))
    return lines


def ranking(runs, ratio_of):
    """Algorithms ordered by median returned/best, then median cost to reach 1%."""
    def key(item):
        alg, group = item
        reached = [r["reach1_s"] for r in group if r["reach1_s"] is not None]
        late = statistics.median(reached) if len(reached) * 2 > len(group) else float("inf")
        return (round(statistics.median(ratio_of(r) for r in group), 3), late)
    return [alg for alg, _ in sorted(by_algorithm(runs).items(), key=key)]


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kernel")
    parser.add_argument("landscape", help="the recorded landscape (.json.gz)")
    parser.add_argument("dir", help="the live study's files")
    parser.add_argument("--sim", action="append", default=[],
                        help="results file of the same searchers on the recorded landscape")
    args = parser.parse_args()
    names, times, best_ms = landscape(args.landscape)
    if not os.path.isdir(args.dir):
        fail(args.dir, "no such directory")
    live_paths = sorted(glob.glob(os.path.join(args.dir, "live-%s-*.h5" % args.kernel)))
    if not live_paths:
        fail(args.dir, "no live-%s-*.h5 files" % args.kernel)
    if not os.path.isdir(args.dir):
        fail(args.dir, "no such directory")
    path = os.path.join(args.dir, "remeasure-%s.json" % args.kernel)
    try:
        with open(path) as f:
            remeasure = json.load(f)
        remeasure["recorded_best"]["remeasured_ms"]
    except OSError as e:
        fail(path, e.strerror or str(e))
    except (ValueError, KeyError, TypeError) as e:
        fail(path, "not gpu_remeasure.py's output (%s)" % e)
    live = runs_of(live_paths, names, times, best_ms)
    env = remeasure["environment"]
    rb = remeasure["recorded_best"]
    out = ["Live, %s (%s, driver %s, CUDA %s, torch %s, Triton %s); recorded best %.4f ms, "
           "re-measured %.4f ms; torch's own %.4f ms (side by side, %d rounds of %d):" % (
               args.kernel, env["gpu"], env["driver"], env["cuda"], env["torch"],
               env["triton"], rb["recorded_ms"], rb["remeasured_ms"], remeasure["torch_ms"],
               remeasure["rounds"], remeasure["reps"]), ""]
    out += live_table(live, remeasure)
    again = {(r["algorithm"], r["seed"]): r.get("remeasured_ms") for r in remeasure["runs"]}
    live_rank = ranking(live, lambda r: (again.get((r["algorithm"], r["seed"])) or
                                         float("inf")) / rb["remeasured_ms"])
    if args.sim:
        sim = runs_of(args.sim, names, times, best_ms)
        out += ["", "The same searchers on the recorded landscape (`type = kerneltuner`, "
                "simulated cost: recorded compile + timing, no worker start-up):", ""]
        out += sim_table(sim, best_ms)
        sim_rank = ranking(sim, lambda r: r["true_ms"] / best_ms)
        out += ["", "Ranking (median returned / best, then median cost to reach 1%%): live "
                "%s; simulated %s: %s." % (" > ".join(live_rank), " > ".join(sim_rank),
                                          "the same" if live_rank == sim_rank else "differs")]
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
