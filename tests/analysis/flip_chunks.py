#!/usr/bin/python3
"""flip_chunks.py FILE ANALYZE TMPDIR [SWEEP JOB]: every dataset of a results file carries a checksum, so a
damaged byte is an error, not a wrong number (issue 26 item 5). Checks that every dataset of
FILE is chunked with the Fletcher-32 filter and reads back whole with h5py (but the
/benchmark/labels datasets, variable-length strings, on which HDF5 puts no filter); then, for each
dataset, a copy of FILE with one byte of its first chunk's stored data flipped (found with
h5py's chunk info) must make h5py raise on reading that dataset, and mfbo-analyze must exit 2
with a message naming the copy if it reads that dataset (it does not read /timing, so the
copy with a flipped /timing chunk must still give exit 0). With SWEEP and JOB (the job that
wrote FILE), `SWEEP JOB -o COPY --resume` must refuse every copy too (exit 2, "damaged", with
HDF5's reason), leaving it as it was: a complete file of the job is read whole before it is
called complete. Prints one line per check; exit 1 if any failed."""
import shutil
import subprocess
import sys

import h5py

NOT_READ_BY_ANALYZE = {"timing"}


def datasets(path):
    found = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                obj[...]  # intact: reads whole (the checksums verify)
                info = obj.id.get_chunk_info(0)
                found[name] = (obj.chunks is not None, obj.fletcher32, info.byte_offset,
                               info.size)
        f.visititems(visit)
    return found


def flip(src, dst, offset):
    shutil.copy(src, dst)
    with open(dst, "r+b") as g:
        g.seek(offset)
        byte = g.read(1)[0]
        g.seek(offset)
        g.write(bytes([byte ^ 0x5A]))


def h5py_raises(path, name):
    try:
        with h5py.File(path, "r") as f:
            f[name][...]
    except OSError as e:
        return "Fletcher32" in str(e) or "checksum" in str(e)
    return False


def resume_refuses(sweep, job, copy):
    before = open(copy, "rb").read()
    r = subprocess.run([sweep, job, "-o", copy, "--resume", "--quiet"], capture_output=True,
                       text=True, timeout=120)
    same = open(copy, "rb").read() == before
    # HDF5's own reason (the checksum, or the deflate stream) is in the message
    said = "damaged" in r.stderr and "(HDF5: " in r.stderr
    return r.returncode == 2 and said and same, r.returncode, r.stderr.strip()


def main():
    path, analyze, tmp = sys.argv[1:4]
    sweep, job = (sys.argv[4:6] + [None, None])[:2]
    failed = 0

    def check(what, ok):
        nonlocal failed
        print(("ok: " if ok else "FAILED: ") + what)
        failed |= not ok

    found = datasets(path)
    check("the file has its datasets (%d)" % len(found), len(found) >= 6)
    check("a string dataset is among them (/benchmark/labels)",
          any(n.startswith("benchmark/labels/") for n in found))
    for name, (chunked, fletcher32, offset, size) in sorted(found.items()):
        if name.startswith("benchmark/labels/"):
            check(name + ": chunked, no filter (variable-length strings)",
                  chunked and not fletcher32)
            continue
        check(name + ": chunked, with Fletcher-32", chunked and fletcher32)
        copy = "%s/flipped-%s.h5" % (tmp, name.replace("/", "-"))
        flip(path, copy, offset + size // 2)
        check(name + ": a flipped byte in its chunk makes h5py raise", h5py_raises(copy, name))
        if sweep:
            ok, rc, err = resume_refuses(sweep, job, copy)
            check("%s: --resume refuses the copy, leaving it (%d: %s)" % (name, rc, err), ok)
        r = subprocess.run([analyze, copy, "-o", copy + "-analysis", "-q"],
                           capture_output=True, text=True, timeout=120)
        if name in NOT_READ_BY_ANALYZE:
            check(name + ": mfbo-analyze does not read it: exit 0 (%d)" % r.returncode,
                  r.returncode == 0)
            continue
        lines = r.stderr.strip().splitlines()
        check("%s: mfbo-analyze exits 2 with one line naming the file (%d: %s)"
              % (name, r.returncode, r.stderr.strip()),
              r.returncode == 2 and len(lines) == 1 and copy in lines[0] and
              "damaged" in lines[0] and r.stdout == "")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
