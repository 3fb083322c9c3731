#!/usr/bin/env python3
"""slow_start.py: one script, two live benchmarks, for bench/worker_vs_command.sh. It sleeps
START_S seconds first (argv[1]: a stand-in for `import torch` and a CUDA context), then
"times" a configuration by sleeping 10 ms a repetition. Run by the `command` benchmark
(MFBO_REPS in its environment) it prints time_ms=... lines and exits; run by the `worker`
benchmark it speaks the worker protocol (docs/live.md)."""
import argparse
import json
import math
import os
import sys
import time


def seconds(text):
    try:
        s = float(text)
    except ValueError:
        s = math.nan
    if not 0 <= s < math.inf:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds >= 0")
    return s


ap = argparse.ArgumentParser(description=__doc__,
                             formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("start_s", metavar="START_S", nargs="?", type=seconds, default=1.0,
                help="seconds of start-up (default 1)")
time.sleep(ap.parse_args().start_s)


def measure(reps):
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        time.sleep(0.01)
        times.append(1e3 * (time.perf_counter() - t))
    return times


if "MFBO_REPS" in os.environ:
    for t in measure(int(os.environ["MFBO_REPS"])):
        print("time_ms=%.6f" % t)
    sys.exit(0)
print(json.dumps({"ready": True}), flush=True)
for line in iter(sys.stdin.readline, ""):
    msg = json.loads(line)
    print(json.dumps({"time_ms": measure(int(msg["reps"]))}), flush=True)
