#!/usr/bin/python3
"""fake.py MODE [PIDFILE]: a misbehaving external searcher for test_external.sh. It reads
the start message, asks for the space's default configuration once (a good request), and
then, by MODE: crash (exits 3 after a line on stderr), segv (killed by SIGSEGV), hang
(sleeps forever, ignoring SIGTERM: only SIGKILL ends it), garbage (prints a line that is not
JSON), badtype (a JSON object of an unknown type), outside (a value outside the space),
nonmember (a value of each parameter but not a member), fidelity (a fidelity above the
range), closed (closes stdout and exits 0 without saying done), good (says done),
zombies (says done, unless its parent has a child that exited and was not reaped: then it
crashes, naming it).
With PIDFILE it writes its process id there first (to check that it was reaped)."""
import json
import os
import signal
import sys
import time

mode = sys.argv[1]
if len(sys.argv) > 2:
    with open(sys.argv[2], "w") as f:
        f.write(str(os.getpid()))


def send(msg):
    sys.stdout.write(json.dumps(msg) + "\n")
    sys.stdout.flush()


start = json.loads(sys.stdin.readline())
params = start["space"]["params"]
default = {p["name"]: p["default"] for p in params}
top = start["fidelity"]["max"]
send({"type": "ask", "requests": [{"config": default, "fidelity": top}]})
sys.stdin.readline()
print("fake.py: about to misbehave (%s)" % mode, file=sys.stderr, flush=True)
if mode == "crash":
    print("Traceback: ValueError: fake crash", file=sys.stderr, flush=True)
    sys.exit(3)
elif mode == "segv":
    os.kill(os.getpid(), signal.SIGSEGV)
elif mode == "hang":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    while True:
        time.sleep(1)
elif mode == "garbage":
    sys.stdout.write("hello, I am not JSON\n")
elif mode == "badtype":
    send({"type": "tell"})
elif mode == "outside":
    bad = dict(default)
    bad[params[0]["name"]] = 123456789
    send({"type": "ask", "requests": [{"config": bad, "fidelity": top}]})
elif mode == "nonmember":
    members = set(tuple(r) for r in start["space"]["members"])
    import itertools
    for row in itertools.product(*[p["values"] for p in params]):
        if row not in members:
            send({"type": "ask", "requests": [{"config": dict(zip(default, row)),
                                               "fidelity": top}]})
            break
elif mode == "fidelity":
    send({"type": "ask", "requests": [{"config": default, "fidelity": top + 1}]})
elif mode == "closed":
    sys.stdout.close()
    sys.exit(0)
elif mode == "good":
    send({"type": "done"})
elif mode == "zombies":
    parent = os.getppid()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open("/proc/%s/stat" % pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] == "Z" and int(fields[1]) == parent:
            print("zombie child %s of %d" % (pid, parent), file=sys.stderr, flush=True)
            sys.exit(4)
    send({"type": "done"})
sys.stdout.flush()
# wait for the runner to end us (EOF on stdin)
sys.stdin.read()
