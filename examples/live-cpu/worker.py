#!/usr/bin/env python3
"""worker.py: the live-cpu example as a persistent worker (`[benchmark] type = worker`,
jobs/live-cpu-worker.ini; the protocol is in docs/live.md). Started once, it answers
{"ready": true, "reset": true}, then for each {"config": {...}, "reps": N} it builds matmul.c
with that configuration as a shared library (once per configuration: the build is this
worker's compile step), times N repetitions in process through ctypes and answers
{"time_ms": [...], "compile_s": x}; a configuration that fails to build or run answers
{"failed": "why"}. {"reset": true} forgets every build (the next run pays its own). It
exits at the end of its input. CC picks the compiler (default cc)."""
import ctypes
import json
import os
import shutil
import sys
import tempfile
import time
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
PARAMS = ("BLOCK_I", "BLOCK_J", "BLOCK_K", "UNROLL")


class Builds:
    """Shared libraries built so far, one per configuration, in a temporary directory."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="mfbo-live-cpu-")
        self.libs = {}

    def clear(self):
        for lib in self.libs.values():
            if lib is not None:
                import _ctypes
                _ctypes.dlclose(lib._handle)
        shutil.rmtree(self.dir, ignore_errors=True)
        self.__init__()

    def get(self, config):
        """The library of a configuration and the seconds spent building it now (0 if built
        before); raises RuntimeError with the compiler's last line if the build fails."""
        key = tuple(int(config[p]) for p in PARAMS)
        if key in self.libs:
            return self.libs[key], 0.0
        start = time.perf_counter()
        path = os.path.join(self.dir, "matmul_%d.so" % len(self.libs))
        cmd = [os.environ.get("CC", "cc"), "-O2", "-shared", "-fPIC", "-DMFBO_LIBRARY"]
        cmd += ["-D%s=%d" % (p, v) for p, v in zip(PARAMS, key)]
        cmd += ["-o", path, os.path.join(HERE, "matmul.c")]
        done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if done.returncode != 0:
            lines = done.stderr.strip().splitlines()
            raise RuntimeError("cc failed: " + (lines[-1] if lines else "exit %d" % done.returncode))
        lib = ctypes.CDLL(path)
        lib.matmul_time.argtypes = (ctypes.c_int, ctypes.POINTER(ctypes.c_double))
        self.libs[key] = lib
        return lib, time.perf_counter() - start


def answer(msg):
    sys.stdout.write(json.dumps(msg) + "\n")
    sys.stdout.flush()


def measure(builds, config, reps):
    try:
        lib, compile_s = builds.get(config)
    except (KeyError, ValueError) as e:
        return {"failed": "bad configuration: %s" % e}
    except RuntimeError as e:
        return {"failed": str(e)}
    times = (ctypes.c_double * reps)()
    sys.stderr.flush()
    if lib.matmul_time(reps, times) != 0:
        return {"failed": "matmul_time failed (invalid configuration: see the worker's stderr)"}
    return {"time_ms": list(times), "compile_s": compile_s}


def main():
    if len(sys.argv) > 1 and sys.argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0
    builds = Builds()
    try:
        answer({"ready": True, "device": "cpu", "reset": True})
        for line in iter(sys.stdin.readline, ""):
            msg = json.loads(line)
            if msg.get("reset"):
                builds.clear()
                answer({"ready": True})
                continue
            answer(measure(builds, msg["config"], int(msg["reps"])))
    finally:
        builds.clear()
        shutil.rmtree(builds.dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
