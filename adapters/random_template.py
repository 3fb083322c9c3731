#!/usr/bin/python3
"""random_template.py: the smallest external searcher for mfbo-sweep, to copy and change.

It speaks the line protocol of docs/external-protocol.md on stdin/stdout (one JSON object
a line; stdout is the protocol, so print anything else to stderr). This one is random
search: it draws a random member of the space, asks for it at the lowest fidelity, and
repeats until the evaluation budget (or 100 evaluations without one) is used; the runner
stops it earlier when a cost budget is spent. Replace propose() with your own strategy.
Job:  [algorithm mine]
      type = external
      command = ../adapters/random_template.py     ; relative to the job file
"""
import argparse
import json
import random
import sys


def send(msg):
    sys.stdout.write(json.dumps(msg) + "\n")
    sys.stdout.flush()


def receive():
    line = sys.stdin.readline()
    msg = json.loads(line) if line else {"type": "stop"}
    if msg["type"] == "stop":  # the runner ended the run (its budget is spent)
        sys.exit(0)
    return msg


def propose(rng, space):
    """A random configuration: {parameter name: value}, values as the space lists them."""
    params = space["params"]
    if space["members"] is not None:  # a restricted space: only these rows are valid
        row = rng.choice(space["members"])
    else:
        row = [rng.choice(p["values"]) for p in params]
    return {p["name"]: v for p, v in zip(params, row)}


def main():
    # no options (add yours here): --help, and an unknown option is refused with exit 2
    argparse.ArgumentParser(description=__doc__,
                            formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    start = receive()
    rng = random.Random(start["seed"])  # same seed, same run
    fidelity = start["fidelity"]["min"]
    evals = start["budget"]["evals"] or 100
    for _ in range(evals):
        send({"type": "ask", "requests": [{"config": propose(rng, start["space"]),
                                           "fidelity": fidelity}]})
        result = receive()["results"][0]  # {"time_ms": t} or {"failed": true}
        del result  # a real searcher learns from it
    send({"type": "done"})


if __name__ == "__main__":
    main()
