#!/usr/bin/env python3
"""forge_journal.py JOURNAL HOW [K]: damages or forges the K-th task record (0 = the first)
of a sweep's journal (FILE.partial, docs/results-format.md) in place, for the fault tests of
issue 14. Forged records get a valid CRC, so that only checking what they say catches them.

HOW:
  cfg-index      a configuration index of evaluation 1 far outside its parameter's range
                 (like issue 14's forged_cfg_index.h5.partial)
  cfg-negative   the same, negative
  incumbent      the incumbent configuration's index out of range
  status         a status that is neither ok nor failed
  task-id        the payload names another task than the record's head
  eval           evaluation numbers out of order
  fidelity       a fidelity of 0 repetitions
  n-evals        more evaluations than the job's budget (payload resized to match)
  flip           one byte of the payload flipped, CRC left as it was (plain damage)
  flip-head      one byte of the record's payload length flipped (plain damage)
  count          prints the number of task records (changes nothing)
Payload layout (src/sweep/wire.c, x86-64): a 568-byte header (task u64, status i32,
has_incumbent i32, n_evals i64, cost, incumbent, regret, wall f64, message 512), n_evals
trace rows of 56 bytes (eval i64, fidelity i32, pad, 5 f64), n_evals x P configuration
indices (i32), the incumbent's P indices.
"""
import struct
import sys
import zlib

HEAD = 28
WIRE = 568
ROW = 56
NOTE = 2**64 - 1


def records(d):
    (text_len,) = struct.unpack_from("<Q", d, 19 + 4)
    at = 19 + 12 + text_len + 4
    while at + HEAD <= len(d):
        magic, length, task, rank, crc = struct.unpack_from("<IQQiI", d, at)
        yield at, length, task
        at += HEAD + length


def main():
    path, how = sys.argv[1], sys.argv[2]
    k = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    d = bytearray(open(path, "rb").read())
    tasks = [r for r in records(d) if r[2] != NOTE]
    at, length, task = tasks[k]
    p = bytearray(d[at + HEAD: at + HEAD + length])
    n = struct.unpack_from("<q", p, 16)[0]
    n_params = (length - WIRE - n * ROW) // ((n + 1) * 4)
    cfg_at = WIRE + n * ROW
    if how == "count":
        print(len(tasks))
        return
    if how == "flip-head":  # the payload length in the record's head
        d[at + 6] ^= 0x5A
        open(path, "wb").write(d)
        print(f"flipped byte {at + 6} (task {task})")
        return
    if how == "flip":
        d[at + HEAD + length // 2] ^= 0x5A
        open(path, "wb").write(d)
        print(f"flipped byte {at + HEAD + length // 2} (task {task})")
        return
    if how == "cfg-index":
        struct.pack_into("<i", p, cfg_at, 1000000)
    elif how == "cfg-negative":
        struct.pack_into("<i", p, cfg_at + 4 * (n_params - 1), -3)
    elif how == "incumbent":
        struct.pack_into("<i", p, cfg_at + 4 * n * n_params, 77777)
        struct.pack_into("<i", p, 12, 1)  # has_incumbent
    elif how == "status":
        struct.pack_into("<i", p, 8, 7)
    elif how == "task-id":
        struct.pack_into("<Q", p, 0, task + 1)
    elif how == "eval":
        struct.pack_into("<q", p, WIRE, 5)
    elif how == "fidelity":
        struct.pack_into("<i", p, WIRE + 8, 0)
    elif how == "n-evals":  # repeat the last evaluation 100 times
        rows = p[WIRE: WIRE + n * ROW]
        cfgs = p[cfg_at: cfg_at + 4 * n * n_params]
        inc = p[cfg_at + 4 * n * n_params:]
        extra = 100
        for i in range(extra):
            row = bytearray(rows[-ROW:])
            struct.pack_into("<q", row, 0, n + i + 1)
            rows += row
            cfgs += cfgs[-4 * n_params:]
        hdr = bytearray(p[:WIRE])
        struct.pack_into("<q", hdr, 16, n + extra)
        p = hdr + rows + cfgs + inc
    else:
        sys.exit(f"unknown HOW {how}")
    head = bytearray(d[at: at + HEAD])
    struct.pack_into("<Q", head, 4, len(p))
    struct.pack_into("<I", head, 24, zlib.crc32(bytes(head[:24]) + bytes(p)) & 0xFFFFFFFF)
    d[at: at + HEAD + length] = head + p
    open(path, "wb").write(d)
    print(f"forged task {task} ({how}), {n} evaluations, {n_params} parameters")


main()
