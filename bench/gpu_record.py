#!/usr/bin/env python3
"""gpu_record.py: records a shipped GPU worker's whole space (examples/live-gpu/worker_*.py)
on this machine's GPU into a Kernel Tuner cache file (data/README.md), so that every
simulated study can run on that GPU's ground truth (`[benchmark] type = kerneltuner`).

  python3 bench/gpu_record.py matmul -o data/triton_matmul_H100.json.gz

1. Compiles every configuration in parallel (--jobs processes, each with its own CUDA
   context on the GPU, one shared Triton cache): the first launch's wall time, compile
   included, is the entry's `compile_time`; a configuration that does not compile or launch
   is a `CompilationFailedConfig`, a wrong result (against torch) a `RuntimeFailedConfig`.
   The phase has a budget (--compile-budget-s): a configuration still compiling when it is
   spent (a few take minutes) is recorded as a `CompilationFailedConfig` whose `error` says
   so, as a live run's `timeout_s` would make it invalid.
2. Then times each valid one in this process alone on the GPU, as the worker does
   (mfbo_triton.Timer: warm-up, L2 flushed, CUDA events): `times` (--reps of them), `time`
   (their mean, as Kernel Tuner writes), `benchmark_time` (the wall time of that timing).
The file also holds `mfbo_provenance`: GPU, driver, CUDA, torch and Triton versions, date,
command, commit (--commit, or `git rev-parse HEAD` where there is a checkout) and torch's own
time for the same problem. Written to OUT.tmp, then renamed: an interrupted recording leaves
no OUT. Progress goes to stderr."""
import argparse
import datetime
import gzip
import importlib.util
import itertools
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
WORKERS = os.path.join(HERE, "..", "examples", "live-gpu")


def load_kernel(name):
    """The KERNEL class of examples/live-gpu/worker_NAME.py."""
    path = os.path.join(WORKERS, "worker_%s.py" % name)
    if not os.path.exists(path):
        raise SystemExit("gpu_record.py: %s: no such worker (matmul, softmax, attention)" % path)
    sys.path.insert(0, WORKERS)
    spec = importlib.util.spec_from_file_location("worker_" + name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.KERNEL


def space(kernel_class):
    """Parameter names and their values in ascending order (Kernel Tuner's convention; the
    kerneltuner benchmark's default is the middle value), and every configuration."""
    names = [n for n, _ in kernel_class.params]
    values = {n: sorted(v) for n, v in kernel_class.params}
    return names, values, [dict(zip(names, c)) for c in itertools.product(*values.values())]


_bench = None  # a pool process's Bench


def _pool_init(name, cache_dir):
    global _bench
    import mfbo_triton  # noqa: F401 (path set by load_kernel)
    _bench = mfbo_triton.Bench(load_kernel(name), cache_dir=cache_dir)


def _pool_compile(cfg):
    """(configuration, compile ms, error or None): a first launch and the check."""
    start = time.perf_counter()
    try:
        _bench.prepare(cfg)
        error = None
    except Exception as e:  # noqa: BLE001 (any failure makes the configuration invalid)
        import mfbo_triton
        error = mfbo_triton.first_line(e)
    return cfg, (time.perf_counter() - start) * 1000.0, error


def environment():
    """GPU, driver, CUDA, torch and Triton versions of this machine."""
    import torch
    import triton
    try:
        driver = subprocess.run(["nvidia-smi", "--query-gpu=driver_version",
                                 "--format=csv,noheader", "-i", "0"], capture_output=True,
                                text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        driver = "unknown"
    return {"gpu": torch.cuda.get_device_name(), "driver": driver, "cuda": torch.version.cuda,
            "torch": torch.__version__, "triton": triton.__version__}


def provenance(args, torch_ms):
    commit = args.commit
    if not commit:
        got = subprocess.run(["git", "-C", HERE, "rev-parse", "HEAD"], capture_output=True,
                             text=True)
        commit = got.stdout.strip() if got.returncode == 0 else "unknown"
    return dict(environment(),
                date_utc=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                script="bench/gpu_record.py", command=" ".join(sys.argv), commit=commit,
                reps=args.reps, jobs=args.jobs, torch_ms_median=torch_ms,
                compile_budget_s=args.compile_budget_s,
                compile_time_note="first launch with compile and check, %d compiling in "
                "parallel" % args.jobs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("kernel", help="matmul, softmax or attention (examples/live-gpu)")
    parser.add_argument("-o", "--output", required=True, help="the cache file (.json.gz)")
    parser.add_argument("--reps", type=int, default=32, help="timed repetitions (32)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count(), help="compiling processes")
    parser.add_argument("--commit", help="the commit to record (default: git rev-parse HEAD)")
    parser.add_argument("--limit", type=int, help="only the first N configurations (a try)")
    parser.add_argument("--compile-budget-s", type=float, default=600.0,
                        help="wall time of the compile phase (600 s); configurations not "
                        "compiled by then are recorded as failed")
    args = parser.parse_args()
    kernel_class = load_kernel(args.kernel)
    import torch
    import mfbo_triton
    if not torch.cuda.is_available():
        print("gpu_record.py: no CUDA GPU is visible", file=sys.stderr)
        return 2
    names, values, configs = space(kernel_class)
    if args.limit:
        configs = configs[:args.limit]
    cache_dir = tempfile.mkdtemp(prefix="mfbo-record-")
    start = time.perf_counter()
    compiled = {}
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(args.jobs, _pool_init, (args.kernel, cache_dir)) as pool:
        results = pool.imap_unordered(_pool_compile, configs)
        for i in range(len(configs)):
            left_s = args.compile_budget_s - (time.perf_counter() - start)
            try:
                cfg, ms, error = results.next(timeout=max(left_s, 0.001))
            except multiprocessing.TimeoutError:
                pool.terminate()
                break
            compiled[tuple(cfg[n] for n in names)] = (ms, error)
            if (i + 1) % 100 == 0 or i + 1 == len(configs):
                print("gpu_record.py: %s: compiled %d/%d (%.0f s)" % (
                    args.kernel, i + 1, len(configs), time.perf_counter() - start),
                    file=sys.stderr, flush=True)
    late = "not compiled within the recording's compile budget (%g s)" % args.compile_budget_s
    n_late = sum(tuple(c[n] for n in names) not in compiled for c in configs)
    if n_late:
        print("gpu_record.py: %s: %d configurations %s" % (args.kernel, n_late, late),
              file=sys.stderr, flush=True)
    bench = mfbo_triton.Bench(kernel_class, cache_dir=cache_dir)
    cache = {}
    for i, cfg in enumerate(configs):
        key = tuple(cfg[n] for n in names)
        compile_ms, error = compiled.get(key, (args.compile_budget_s * 1000.0, late))
        entry = dict(cfg, compile_time=compile_ms, verification_time=0, framework_time=0,
                     strategy_time=0)
        if error is None:
            t0 = time.perf_counter()
            answer = bench.measure(cfg, args.reps)
            if "failed" in answer:
                error = answer["failed"]
            else:
                entry["times"] = answer["time_ms"]
                entry["time"] = statistics.fmean(answer["time_ms"])
                entry["benchmark_time"] = (time.perf_counter() - t0) * 1000.0
        if error is not None:
            kind = "RuntimeFailedConfig" if error.startswith("wrong result") else \
                "CompilationFailedConfig"
            entry.update(time=kind, times=[], benchmark_time=0, error=error)
        cache[",".join(str(v) for v in key)] = entry
        if (i + 1) % 100 == 0 or i + 1 == len(configs):
            print("gpu_record.py: %s: timed %d/%d (%.0f s)" % (
                args.kernel, i + 1, len(configs), time.perf_counter() - start),
                file=sys.stderr, flush=True)
    torch_ms = statistics.median(mfbo_triton.Timer().times_ms(kernel_class().torch_launch, 100))
    doc = {"device_name": torch.cuda.get_device_name(), "kernel_name": kernel_class.name,
           "problem_size": kernel_class.problem, "tune_params_keys": names,
           "tune_params": values, "objective": "time", "cache": cache,
           "mfbo_provenance": provenance(args, torch_ms)}
    tmp = args.output + ".tmp"
    with gzip.open(tmp, "wt") as f:
        json.dump(doc, f)
    os.replace(tmp, args.output)
    bench.close()
    valid = [e["time"] for e in cache.values() if not isinstance(e["time"], str)]
    print("gpu_record.py: %s: %d configurations, %d valid, best %.4f ms, median %.4f ms, "
          "torch %.4f ms, %.0f s -> %s" % (args.kernel, len(cache), len(valid), min(valid),
                                           statistics.median(valid), torch_ms,
                                           time.perf_counter() - start, args.output))
    return 0


if __name__ == "__main__":
    sys.exit(main())
