#!/usr/bin/env python3
"""worker_softmax.py: a row-wise softmax (fp16 in and out, fp32 arithmetic, 8192 rows of
8192) as an mfbo-sweep worker through mfbo_triton.py; job: softmax-worker.ini. Each program
handles ROWS rows; each row is read twice in blocks of BLOCK columns (an online max and sum,
then the output). Space: BLOCK (6) x num_warps (6) x num_stages (4) x ROWS (4) = 576
configurations. Torch's own: torch.softmax."""
import os
import sys

import torch
import triton
import triton.language as tl

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mfbo_triton  # noqa: E402

ROWS_N, COLS_N = 8192, 8192


def softmax_kernel(out_ptr, in_ptr, n_cols, stride,
                   BLOCK: tl.constexpr, ROWS: tl.constexpr):
    for r in range(ROWS):
        row = tl.program_id(0) * ROWS + r
        src = in_ptr + row * stride
        m = tl.full([BLOCK], -1e30, tl.float32)
        s = tl.zeros([BLOCK], tl.float32)
        for start in range(0, n_cols, BLOCK):
            cols = start + tl.arange(0, BLOCK)
            x = tl.load(src + cols, mask=cols < n_cols, other=0.0).to(tl.float32)
            x = tl.where(cols < n_cols, x, -1e30)
            m_new = tl.maximum(m, x)
            s = s * tl.exp(m - m_new) + tl.exp(x - m_new)
            m = m_new
        row_max = tl.max(m, 0)
        total = tl.sum(s * tl.exp(m - row_max), 0)
        for start in range(0, n_cols, BLOCK):
            cols = start + tl.arange(0, BLOCK)
            x = tl.load(src + cols, mask=cols < n_cols, other=0.0).to(tl.float32)
            y = tl.exp(x - row_max) / total
            tl.store(out_ptr + row * stride + cols, y.to(tl.float16), mask=cols < n_cols)


class Softmax:
    name = "softmax"
    params = [("BLOCK", [1024, 256, 512, 2048, 4096, 8192]),
              ("num_warps", [4, 1, 2, 8, 16, 32]), ("num_stages", [2, 1, 3, 4]),
              ("ROWS", [1, 2, 4, 8])]
    problem = {"rows": ROWS_N, "cols": COLS_N, "dtype": "float16"}
    atol, rtol = 1e-5, 1e-2

    def __init__(self):
        torch.manual_seed(0)
        self.x = torch.randn(ROWS_N, COLS_N, device="cuda", dtype=torch.float16)
        self.y = torch.empty_like(self.x)
        self.ref = torch.softmax(self.x.float(), dim=-1).half()

    def fresh(self):
        self.kernel = triton.jit(softmax_kernel)

    def launch(self, cfg):
        grid = (ROWS_N // cfg["ROWS"],)
        self.kernel[grid](self.y, self.x, COLS_N, self.x.stride(0), BLOCK=cfg["BLOCK"],
                          ROWS=cfg["ROWS"], num_warps=cfg["num_warps"],
                          num_stages=cfg["num_stages"])

    def output(self):
        return self.y

    def reference(self):
        return self.ref

    def torch_launch(self):
        torch.softmax(self.x, dim=-1, out=self.y)


KERNEL = Softmax  # what bench/gpu_record.py records

if __name__ == "__main__":
    sys.exit(mfbo_triton.main(Softmax))
