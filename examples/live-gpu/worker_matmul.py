#!/usr/bin/env python3
"""worker_matmul.py: the matrix multiply of examples/live-gpu (fp16, M = N = K = 4096, fp32
accumulation) as an mfbo-sweep worker through mfbo_triton.py; job: matmul-worker.ini.
Space: BLOCK_M x BLOCK_N x BLOCK_K x num_warps x num_stages, 4 values each (1,024
configurations; those that need more shared memory than the GPU has fail). Torch's own:
torch.matmul (cuBLAS)."""
import os
import sys

import torch
import triton
import triton.language as tl

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mfbo_triton  # noqa: E402

SIZE = 4096


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


class Matmul:
    name = "matmul"
    params = [("BLOCK_M", [128, 32, 64, 256]), ("BLOCK_N", [128, 32, 64, 256]),
              ("BLOCK_K", [64, 16, 32, 128]), ("num_warps", [4, 2, 8, 16]),
              ("num_stages", [3, 2, 4, 5])]
    problem = {"M": SIZE, "N": SIZE, "K": SIZE, "dtype": "float16"}
    atol, rtol = 0.1, 0.01

    def __init__(self):
        torch.manual_seed(0)
        self.a = torch.randn(SIZE, SIZE, device="cuda", dtype=torch.float16)
        self.b = torch.randn(SIZE, SIZE, device="cuda", dtype=torch.float16)
        self.c = torch.empty(SIZE, SIZE, device="cuda", dtype=torch.float16)
        self.ref = self.a @ self.b

    def fresh(self):
        self.kernel = triton.jit(matmul_kernel)

    def launch(self, cfg):
        grid = (triton.cdiv(SIZE, cfg["BLOCK_M"]), triton.cdiv(SIZE, cfg["BLOCK_N"]))
        a, b, c = self.a, self.b, self.c
        self.kernel[grid](a, b, c, SIZE, SIZE, SIZE, a.stride(0), a.stride(1), b.stride(0),
                          b.stride(1), c.stride(0), c.stride(1), BLOCK_M=cfg["BLOCK_M"],
                          BLOCK_N=cfg["BLOCK_N"], BLOCK_K=cfg["BLOCK_K"],
                          num_warps=cfg["num_warps"], num_stages=cfg["num_stages"])

    def output(self):
        return self.c

    def reference(self):
        return self.ref

    def torch_launch(self):
        torch.matmul(self.a, self.b, out=self.c)


KERNEL = Matmul  # what bench/gpu_record.py records

if __name__ == "__main__":
    sys.exit(mfbo_triton.main(Matmul))
