#!/usr/bin/env python3
"""fake_worker.py: the fake worker of test_worker.sh (the `worker` benchmark's protocol,
docs/live.md). Each start and each message is logged to worker.log in the current directory
(the job's). It sleeps START_S (argv[1], default 0) before its ready line, as torch and a
CUDA context would. The configuration's MODE says how it answers:
  ok        {"time_ms": [100*X + i*i for i = 1..reps]} (median 100 X + 4 at 3 reps)
  fail      {"failed": "too many registers"} (the worker stays)
  sticky    {"failed": "CUDA error: an illegal memory access was encountered"} (restart)
  garbage   a line that is not JSON
  badshape  {"time_ms": "fast"}
  half      half a line, then it exits
  crash     exit status 3 without answering
  killed    SIGKILL to itself
  hang      sleeps far past timeout_s
  daemon    starts `setsid sleep 29.5` holding its stdout, then answers as ok
Without argv[2] == "noreset" it says it can reset, and logs each reset."""
import json
import os
import signal
import subprocess
import sys
import time


def log(text):
    with open("worker.log", "a") as f:
        f.write("%d %s\n" % (os.getpid(), text))


def say(msg):
    sys.stdout.write(json.dumps(msg) + "\n")
    sys.stdout.flush()


def main():
    start_s = float(sys.argv[1]) if len(sys.argv) > 1 else 0.0
    can_reset = not (len(sys.argv) > 2 and sys.argv[2] == "noreset")
    log("start")
    time.sleep(start_s)
    say({"ready": True, "device": "fake", "device_index": 0, "reset": can_reset})
    for line in iter(sys.stdin.readline, ""):
        msg = json.loads(line)
        if msg.get("reset"):
            log("reset")
            say({"ready": True})
            continue
        cfg, reps = msg["config"], msg["reps"]
        mode, x = cfg["MODE"], cfg["X"]
        log("%s %d %d" % (mode, x, reps))
        if mode == "ok" or mode == "daemon":
            if mode == "daemon":
                subprocess.Popen(["setsid", "sleep", "29.5"], stdout=sys.stdout)
            say({"time_ms": [100 * x + i * i for i in range(1, reps + 1)], "compile_s": 0.01})
        elif mode == "fail":
            say({"failed": "too many registers"})
        elif mode == "sticky":
            say({"failed": "CUDA error: an illegal memory access was encountered"})
        elif mode == "garbage":
            say("not json")  # a JSON string, not an object
            sys.stdout.write("}{\n")
            sys.stdout.flush()
        elif mode == "badshape":
            say({"time_ms": "fast"})
        elif mode == "half":
            sys.stdout.write('{"time_ms": [1')
            sys.stdout.flush()
            os._exit(0)
        elif mode == "crash":
            os._exit(3)
        elif mode == "killed":
            os.kill(os.getpid(), signal.SIGKILL)
        elif mode == "hang":
            time.sleep(60)
    log("eof")
    return 0


if __name__ == "__main__":
    sys.exit(main())
