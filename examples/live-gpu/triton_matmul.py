#!/usr/bin/env python3
"""triton_matmul.py: times one configuration of a Triton matrix multiply (fp16, M = N = K =
MFBO_SIZE, default 4096) for the `command` benchmark (docs/live.md; job: triton-matmul.ini).

The configuration comes from the environment: MFBO_BLOCK_M, MFBO_BLOCK_N, MFBO_BLOCK_K,
MFBO_num_warps, MFBO_num_stages; MFBO_REPS is the number of timed repetitions. The first
call compiles the kernel and is reported as compile_s=...; the result is checked against
torch.matmul; then each repetition is timed with CUDA events and printed as time_ms=....
A configuration Triton cannot compile or launch (too much shared memory, ...) raises, and
the non-zero exit makes it invalid; so does a wrong result (exit 1)."""
import os
import sys
import time

import torch
import triton


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from worker_matmul import matmul_kernel as _kernel  # noqa: E402 (the one copy of the kernel)

matmul_kernel = triton.jit(_kernel)

def main():
    env = os.environ
    bm, bn, bk = (int(env["MFBO_" + k]) for k in ("BLOCK_M", "BLOCK_N", "BLOCK_K"))
    warps, stages = int(env["MFBO_num_warps"]), int(env["MFBO_num_stages"])
    reps = int(env.get("MFBO_REPS", "1"))
    size = int(env.get("MFBO_SIZE", "4096"))
    torch.manual_seed(0)
    a = torch.randn(size, size, device="cuda", dtype=torch.float16)
    b = torch.randn(size, size, device="cuda", dtype=torch.float16)
    c = torch.empty(size, size, device="cuda", dtype=torch.float16)
    grid = (triton.cdiv(size, bm), triton.cdiv(size, bn))

    def launch():
        matmul_kernel[grid](a, b, c, size, size, size, a.stride(0), a.stride(1),
                            b.stride(0), b.stride(1), c.stride(0), c.stride(1),
                            BLOCK_M=bm, BLOCK_N=bn, BLOCK_K=bk,
                            num_warps=warps, num_stages=stages)

    start = time.perf_counter()
    launch()  # compiles (or loads Triton's cache), then runs once
    torch.cuda.synchronize()
    print(f"compile_s={time.perf_counter() - start:.6f}")
    if not torch.allclose(c.float(), (a @ b).float(), atol=1e-1, rtol=1e-2):
        print("triton_matmul.py: wrong result", file=sys.stderr)
        return 1
    events = [(torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True))
              for _ in range(reps)]
    for begin, end in events:
        begin.record()
        launch()
        end.record()
    torch.cuda.synchronize()
    for begin, end in events:
        print(f"time_ms={begin.elapsed_time(end):.6f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
