#!/usr/bin/python3
"""optuna_tpe.py: Optuna's TPESampler as an external searcher for mfbo-sweep.

Speaks the line protocol of docs/external-protocol.md (stdout is the protocol: Optuna's
logging is set to warnings, and anything printed goes to stderr). Needs Optuna (Debian:
python3-optuna; written against 3.1).

- Sampler: optuna.samplers.TPESampler(seed=SEED) with SEED the runner's seed, at Optuna's
  defaults (10 random start-up trials) unless options say otherwise; one configuration per
  ask, sequentially.
- Parameters: every parameter is categorical over the space's values
  (trial.suggest_categorical); with --ordered, power-of-two and integer parameters are
  instead integers over their value index (trial.suggest_int), so that TPE sees their order.
- Fidelity: every configuration is timed once at the top fidelity of the range the runner
  sends (--fidelity min, or a number, to change it). It is single-fidelity TPE.
- A configuration TPE proposes that is not a member of a restricted space (the runner would
  refuse it) is not sent: it is told to Optuna as +inf (the worst value), costing nothing.
  A failed measurement is told as +inf too. A configuration proposed again is measured
  again, as study.optimize(objective) would do (a re-time costs no compile: design.md).
- Length: like study.optimize(objective, n_trials=N): at most --n-trials trials (default
  1000, counting the proposals outside the space), or fewer when the runner stops it because
  a budget is spent, or after budget_evals measurements. A cap is needed: once TPE has
  converged it proposes the same few configurations again and again, cheap re-times, so a
  cost budget alone would buy many thousands of trials, and Optuna 3.1's TPE takes time
  quadratic in the number of trials (1000 trials: about 1 minute on a loaded 2-core VM).

Job:  [algorithm optuna-tpe]
      type = external
      command = ../adapters/optuna_tpe.py          ; relative to the job file
"""
import argparse
import json
import math
import sys

PROTOCOL = sys.stdout  # stdout is the protocol; everything else goes to stderr (main)


def send(msg):
    PROTOCOL.write(json.dumps(msg) + "\n")
    PROTOCOL.flush()


def receive():
    line = sys.stdin.readline()
    msg = json.loads(line) if line else {"type": "stop"}
    if msg["type"] == "stop":  # the runner ended the run (a budget is spent)
        sys.exit(0)
    return msg


def count(least):
    """An argparse type: an integer >= least."""
    def parse(text):
        if not text.isdigit() or int(text) < least:
            raise argparse.ArgumentTypeError(f"{text!r} is not an integer >= {least}")
        return int(text)
    return parse


def fidelity_option(text):
    if text in ("max", "min"):
        return text
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not max, min or a number >= 1")
    return int(text)


def options(argv):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fidelity", default="max", type=fidelity_option,
                    help="max (default), min, or a number of repetitions (clamped to the "
                         "range the runner sends)")
    ap.add_argument("--ordered", action="store_true",
                    help="power-of-two and integer parameters as ordered integers")
    ap.add_argument("--n-startup-trials", type=count(0), default=10,
                    help="TPE's random start-up trials (Optuna's default: 10)")
    ap.add_argument("--multivariate", action="store_true", help="multivariate TPE")
    ap.add_argument("--n-trials", type=count(1), default=1000,
                    help="the most Optuna trials (default 1000)")
    return ap.parse_args(argv)


def suggest(trial, params, ordered):
    """One configuration from the trial, as a tuple of values in parameter order."""
    row = []
    for p in params:
        values = p["values"]
        if ordered and p["kind"] in ("pow2", "int") and len(values) > 1:
            row.append(values[trial.suggest_int(p["name"], 0, len(values) - 1)])
        else:
            row.append(trial.suggest_categorical(p["name"], values))
    return tuple(row)


def main():
    opt = options(sys.argv[1:])  # --help on stdout: mfbo-sweep never passes it
    sys.stdout = sys.stderr      # from here on, stdout is the protocol only (PROTOCOL)
    try:
        import optuna
    except ImportError as e:
        sys.exit(f"optuna_tpe.py: cannot import optuna ({e}; Debian: python3-optuna)")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    start = receive()
    params = start["space"]["params"]
    members = start["space"]["members"]
    members = None if members is None else set(tuple(row) for row in members)
    lo, hi = start["fidelity"]["min"], start["fidelity"]["max"]
    fidelity = {"max": hi, "min": lo}.get(opt.fidelity)
    fidelity = max(lo, min(hi, opt.fidelity)) if fidelity is None else fidelity
    evals = start["budget"]["evals"] or math.inf
    sampler = optuna.samplers.TPESampler(seed=start["seed"], multivariate=opt.multivariate,
                                         n_startup_trials=opt.n_startup_trials)
    study = optuna.create_study(direction="minimize", sampler=sampler)
    n_measured = 0
    for _ in range(opt.n_trials):
        if n_measured >= evals:
            break
        trial = study.ask()
        row = suggest(trial, params, opt.ordered)
        if members is not None and row not in members:
            study.tell(trial, math.inf)
            continue
        config = {p["name"]: v for p, v in zip(params, row)}
        send({"type": "ask", "requests": [{"config": config, "fidelity": fidelity}]})
        result = receive()["results"][0]
        study.tell(trial, result.get("time_ms", math.inf))
        n_measured += 1
    send({"type": "done"})


if __name__ == "__main__":
    main()
