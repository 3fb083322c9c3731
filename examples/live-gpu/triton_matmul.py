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
import triton.language as tl


@triton.jit
def matmul_kernel(a_ptr, b_ptr, c_ptr, M, N, K,
                  stride_am, stride_ak, stride_bk, stride_bn, stride_cm, stride_cn,
                  BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_K: tl.constexpr):
    pid_m = tl.program_id(0)
    pid_n = tl.program_id(1)
    rm = pid_m * BLOCK_M + tl.arange(0, BLOCK_M)
    rn = pid_n * BLOCK_N + tl.arange(0, BLOCK_N)
    rk = tl.arange(0, BLOCK_K)
    a = a_ptr + rm[:, None] * stride_am + rk[None, :] * stride_ak
    b = b_ptr + rk[:, None] * stride_bk + rn[None, :] * stride_bn
    acc = tl.zeros((BLOCK_M, BLOCK_N), dtype=tl.float32)
    for k in range(0, tl.cdiv(K, BLOCK_K)):
        left = K - k * BLOCK_K
        a_tile = tl.load(a, mask=(rm[:, None] < M) & (rk[None, :] < left), other=0.0)
        b_tile = tl.load(b, mask=(rk[:, None] < left) & (rn[None, :] < N), other=0.0)
        acc += tl.dot(a_tile, b_tile)
        a += BLOCK_K * stride_ak
        b += BLOCK_K * stride_bk
    c = c_ptr + rm[:, None] * stride_cm + rn[None, :] * stride_cn
    tl.store(c, acc.to(tl.float16), mask=(rm[:, None] < M) & (rn[None, :] < N))


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
