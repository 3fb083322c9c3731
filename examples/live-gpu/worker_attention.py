#!/usr/bin/env python3
"""worker_attention.py: a fused attention forward (FlashAttention's online softmax, not
causal; fp16, batch 4 x 8 heads, 2048 tokens, head size 64) as an mfbo-sweep worker through
mfbo_triton.py; job: attention-worker.ini. Each program computes BLOCK_M query rows of one
head, walking the keys and values in blocks of BLOCK_N. Space: BLOCK_M (5) x BLOCK_N (5) x
num_warps (5) x num_stages (4) = 500 configurations. Torch's own:
torch.nn.functional.scaled_dot_product_attention."""
import math
import os
import sys

import torch
import triton
import triton.language as tl

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mfbo_triton  # noqa: E402

BATCH, HEADS, TOKENS, HEAD_DIM = 4, 8, 2048, 64


def attention_kernel(q_ptr, k_ptr, v_ptr, out_ptr, qk_scale, n_tokens,
                     D: tl.constexpr, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr):
    rows = tl.program_id(0) * BLOCK_M + tl.arange(0, BLOCK_M)
    head = tl.program_id(1).to(tl.int64) * n_tokens * D
    d = tl.arange(0, D)
    cols = tl.arange(0, BLOCK_N)
    q = tl.load(q_ptr + head + rows[:, None] * D + d[None, :])
    m_i = tl.full([BLOCK_M], float("-inf"), tl.float32)
    l_i = tl.zeros([BLOCK_M], tl.float32)
    acc = tl.zeros([BLOCK_M, D], tl.float32)
    for start in range(0, n_tokens, BLOCK_N):
        k = tl.load(k_ptr + head + (start + cols)[None, :] * D + d[:, None])
        qk = tl.dot(q, k) * qk_scale
        m_new = tl.maximum(m_i, tl.max(qk, 1))
        p = tl.math.exp2(qk - m_new[:, None])
        alpha = tl.math.exp2(m_i - m_new)
        l_i = l_i * alpha + tl.sum(p, 1)
        v = tl.load(v_ptr + head + (start + cols)[:, None] * D + d[None, :])
        acc = acc * alpha[:, None] + tl.dot(p.to(tl.float16), v)
        m_i = m_new
    acc = acc / l_i[:, None]
    tl.store(out_ptr + head + rows[:, None] * D + d[None, :], acc.to(tl.float16))


class Attention:
    name = "attention"
    params = [("BLOCK_M", [64, 16, 32, 128, 256]), ("BLOCK_N", [64, 16, 32, 128, 256]),
              ("num_warps", [4, 1, 2, 8, 16]), ("num_stages", [2, 1, 3, 4])]
    problem = {"batch": BATCH, "heads": HEADS, "tokens": TOKENS, "head_dim": HEAD_DIM,
               "causal": False, "dtype": "float16"}
    atol, rtol = 1e-2, 1e-2

    def __init__(self):
        torch.manual_seed(0)
        shape = (BATCH, HEADS, TOKENS, HEAD_DIM)
        self.q, self.k, self.v = (torch.randn(shape, device="cuda", dtype=torch.float16)
                                  for _ in range(3))
        self.out = torch.empty_like(self.q)
        self.ref = torch.nn.functional.scaled_dot_product_attention(self.q, self.k, self.v)
        self.qk_scale = 1.0 / math.sqrt(HEAD_DIM) * 1.4426950408889634  # exp -> exp2

    def fresh(self):
        self.kernel = triton.jit(attention_kernel)

    def launch(self, cfg):
        grid = (TOKENS // cfg["BLOCK_M"], BATCH * HEADS)
        self.kernel[grid](self.q, self.k, self.v, self.out, self.qk_scale, TOKENS, D=HEAD_DIM,
                          BLOCK_M=cfg["BLOCK_M"], BLOCK_N=cfg["BLOCK_N"],
                          num_warps=cfg["num_warps"], num_stages=cfg["num_stages"])

    def output(self):
        return self.out

    def reference(self):
        return self.ref

    def torch_launch(self):
        self.out = torch.nn.functional.scaled_dot_product_attention(self.q, self.k, self.v)


KERNEL = Attention  # what bench/gpu_record.py records

if __name__ == "__main__":
    sys.exit(mfbo_triton.main(Attention))
