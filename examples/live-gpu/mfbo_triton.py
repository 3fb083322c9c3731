"""mfbo_triton.py: turns a Triton kernel and its configuration space into an mfbo-sweep worker
(`[benchmark] type = worker`; the protocol is in docs/live.md), and times a configuration the
way Triton's do_bench and Helion do: checked against a torch reference before it is timed,
warmed up, the L2 cache flushed before each repetition, CUDA-event timing (the runner takes
the median). bench/gpu_record.py uses the same timing to record a whole space.

A kernel module (worker_matmul.py, worker_softmax.py, worker_attention.py) defines a class
with:
  name          a short name ("matmul")
  params        [(NAME, [values, default first]), ...]: the space, as in the job
  problem       a dict describing the problem size (recorded with a landscape)
  atol, rtol    the tolerance of the check against the reference
  __init__()    allocates the inputs, the output and the reference result on the GPU
  fresh()       makes new @triton.jit functions (nothing compiled yet)
  launch(cfg)   runs the kernel once with a configuration (a dict NAME -> value)
  output()      the tensor launch() writes, compared with reference()
  reference()   the expected result
  torch_launch() torch's own way to compute the same (cuBLAS, F.softmax, SDPA)
and ends with `mfbo_triton.main(TheClass)`."""
import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time

import torch

L2_FLUSH_BYTES = 256 << 20  # larger than any GPU's L2 (H100: 50 MB)
WARMUP_LAUNCHES = 3


class Timer:
    """Times launches with CUDA events, the L2 cache flushed before each one."""

    def __init__(self):
        self.flush = torch.empty(L2_FLUSH_BYTES // 4, dtype=torch.int32, device="cuda")

    def times_ms(self, fn, reps):
        """Warm-up launches, then reps timed launches; their times in ms."""
        for _ in range(WARMUP_LAUNCHES):
            fn()
        events = [(torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True))
                  for _ in range(reps)]
        for begin, end in events:
            self.flush.zero_()
            begin.record()
            fn()
            end.record()
        torch.cuda.synchronize()
        return [begin.elapsed_time(end) for begin, end in events]


def first_line(exc):
    """An exception as one short line: its type and the first line of its text."""
    text = str(exc).strip().splitlines()
    return ("%s: %s" % (type(exc).__name__, text[0] if text else ""))[:400]


class Bench:
    """One kernel on this process's GPU: compiles, checks and times its configurations.
    Triton's on-disk cache lives in a directory of its own, renewed by reset(), so that each
    run pays its own compiles."""

    def __init__(self, kernel_class, cache_dir=None):
        self.own_cache = cache_dir is None
        self.cache_dir = cache_dir
        self.kernel = kernel_class()
        self.names = [name for name, _ in kernel_class.params]
        self.timer = Timer()
        self.reset()

    def reset(self):
        """Forgets every compiled configuration (in memory and on disk)."""
        if self.own_cache:
            if self.cache_dir:
                shutil.rmtree(self.cache_dir, ignore_errors=True)
            self.cache_dir = tempfile.mkdtemp(prefix="mfbo-triton-")
        set_cache_dir(self.cache_dir)
        self.kernel.fresh()
        self.checked = {}

    def close(self):
        if self.own_cache and self.cache_dir:
            shutil.rmtree(self.cache_dir, ignore_errors=True)

    def config(self, values):
        """The configuration of a {"NAME": value} object; KeyError for a missing name."""
        return {name: values[name] for name in self.names}

    def prepare(self, cfg):
        """Compiles (on first use) and checks a configuration. Returns the seconds spent
        compiling and checking now (0 if done before in this run); raises on failure."""
        key = tuple(cfg[n] for n in self.names)
        if key in self.checked:
            if self.checked[key] is not None:
                raise RuntimeError(self.checked[key])
            return 0.0
        start = time.perf_counter()
        self.kernel.output().zero_()
        try:
            self.kernel.launch(cfg)
            torch.cuda.synchronize()
        except Exception as e:  # compile error, out of resources, launch failure
            self.checked[key] = first_line(e)
            raise
        got, want = self.kernel.output().float(), self.kernel.reference().float()
        if not torch.allclose(got, want, atol=self.kernel.atol, rtol=self.kernel.rtol):
            err = (got - want).abs().max().item()
            self.checked[key] = "wrong result (max abs error %.3g)" % err
            raise RuntimeError(self.checked[key])
        self.checked[key] = None
        return time.perf_counter() - start

    def measure(self, cfg, reps):
        """The worker's answer for one configuration at reps repetitions."""
        try:
            compile_s = self.prepare(cfg)
            times = self.timer.times_ms(lambda: self.kernel.launch(cfg), reps)
        except Exception as e:
            return {"failed": first_line(e)}
        return {"time_ms": times, "compile_s": round(compile_s, 6)}


def set_cache_dir(path):
    """Points Triton's on-disk kernel cache at path (read by Triton at each compile)."""
    os.environ["TRITON_CACHE_DIR"] = path
    try:
        import triton
        triton.knobs.cache.dir = path
    except (ImportError, AttributeError):
        pass


def answer(msg):
    sys.stdout.write(json.dumps(msg) + "\n")
    sys.stdout.flush()


def ready(bench):
    answer({"ready": True, "reset": True, "device": torch.cuda.get_device_name(),
            "device_index": torch.cuda.current_device()})


def serve(kernel_class):
    """The worker: ready, then one answer per line of input, until the input ends."""
    bench = Bench(kernel_class)
    ready(bench)
    try:
        for line in sys.stdin:
            msg = json.loads(line)
            if msg.get("reset"):
                bench.reset()
                ready(bench)
                continue
            try:
                cfg = bench.config(msg["config"])
                reps = int(msg["reps"])
            except (KeyError, TypeError, ValueError) as e:
                answer({"failed": "bad request: %s" % first_line(e)})
                continue
            answer(bench.measure(cfg, reps))
    finally:
        bench.close()


def main(kernel_class):
    space = ", ".join("%s (%d)" % (n, len(v)) for n, v in kernel_class.params)
    parser = argparse.ArgumentParser(
        description="An mfbo-sweep worker (`[benchmark] type = worker`, docs/live.md) for the "
        "Triton kernel '%s' on this process's GPU (CUDA_VISIBLE_DEVICES). It reads "
        "{\"config\": {...}, \"reps\": N} lines on stdin and answers {\"time_ms\": [...], "
        "\"compile_s\": x} or {\"failed\": why}, one JSON line each, after {\"ready\": true}. "
        "Space: %s. Problem: %s." % (kernel_class.name, space, kernel_class.problem))
    parser.add_argument("--torch", action="store_true",
                        help="print the median time (ms) of torch's own version and exit")
    args = parser.parse_args()
    if not torch.cuda.is_available():
        print("%s: no CUDA GPU is visible" % os.path.basename(sys.argv[0]), file=sys.stderr)
        return 2
    if args.torch:
        k = kernel_class()
        print("%.6f" % statistics.median(Timer().times_ms(k.torch_launch, 100)))
        return 0
    serve(kernel_class)
    return 0
