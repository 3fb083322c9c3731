#!/usr/bin/env bash
# test_external.sh BUILD SRC MODE: type = external searchers through mfbo-sweep.
#   template  adapters/random_template.py on 1 and 2 ranks: identical results
#   optuna    adapters/optuna_tpe.py likewise, on the seed and a Kernel Tuner space
#             (skipped, exit 77, when Debian's python3 has no optuna)
#   failures  programs that crash, are killed, hang, print garbage, leave the space, ...
#             (tests/external/fake.py): each run is recorded as failed with a clear message,
#             the other tasks complete, exit 1, every program is gone and reaped; on 1 and 2
#             ranks. A command that does not exist is refused at load time (exit 2).
set -u
bin=$(cd "$1" && pwd); src=$(cd "$2" && pwd); mode=$3
. "$src/tests/sweep/lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
py=/usr/bin/python3
mkdir "$tmp/bin" && cp "$src/tests/external/fake.py" "$src/adapters/"*.py "$tmp/bin/"
cp "$src/tests/sweep/tiny-kt.json" "$tmp/"
runs() { $py - "$1" <<'PY'
import sys, h5py
for r in h5py.File(sys.argv[1], "r")["runs"][()]:
    print(r["algorithm"].decode(), r["seed"], "failed" if r["status"] else "ok", r["n_evals"],
          r["message"].decode())
PY
}

two_ranks_same() { # JOB NAME: 1 rank and 2 ranks give identical results, exit 0
  (cd / && "$bin/mfbo-sweep" "$1" -o "$tmp/$2-1.h5" --quiet); check "$2: 1 rank exits 0" "[ $? -eq 0 ]"
  (cd / && mpirun -n 2 "$bin/mfbo-sweep" "$1" -o "$tmp/$2-2.h5" --quiet)
  check "$2: 2 ranks exit 0" "[ $? -eq 0 ]"
  check "$2: same results on 1 and 2 ranks" "same_results $tmp/$2-1.h5 $tmp/$2-2.h5"
  runs "$tmp/$2-1.h5" >"$tmp/$2.runs"
  check "$2: every run ok" "! grep -q failed $tmp/$2.runs"
}

other_seeds_differ() { # JOB NAME: the comparison can fail
  sed 's/^seeds = .*/seeds = 7/' "$1" >"$tmp/$2-other.ini"
  (cd / && "$bin/mfbo-sweep" "$tmp/$2-other.ini" -o "$tmp/$2-other.h5" --quiet)
  check "$2: other seeds give other results (the comparison can fail)" \
        "! same_results $tmp/$2-1.h5 $tmp/$2-other.h5 2>/dev/null"
}

case $mode in
template)
  cat >"$tmp/t.ini" <<INI
[sweep]
seeds = 1-3
budget_evals = 25
[benchmark]
type = seed
[algorithm tpl]
type = external
command = bin/random_template.py
[algorithm tpl-kt]
type = external
command = bin/random_template.py
min_fidelity = 2
INI
  two_ranks_same "$tmp/t.ini" template
  check "template: 25 evaluations each" "[ \$(awk '\$4 == 25' $tmp/template.runs | wc -l) -eq 6 ]"
  other_seeds_differ "$tmp/t.ini" template
  ;;
optuna)
  $py -c 'import optuna' 2>/dev/null || { echo "SKIPPED: $py has no optuna (apt-get install python3-optuna)"; exit 77; }
  cat >"$tmp/o.ini" <<INI
[sweep]
seeds = 1-2
budget_evals = 20
[benchmark]
type = seed
[algorithm tpe]
type = external
command = bin/optuna_tpe.py
[algorithm tpe-ordered]
type = external
command = bin/optuna_tpe.py --ordered --fidelity min
INI
  two_ranks_same "$tmp/o.ini" optuna
  other_seeds_differ "$tmp/o.ini" optuna
  cat >"$tmp/okt.ini" <<INI
[sweep]
seeds = 1-2
budget_cost_s = 0.05
[benchmark]
type = kerneltuner
file = tiny-kt.json
[algorithm tpe]
type = external
command = bin/optuna_tpe.py
max_fidelity = 3
INI
  two_ranks_same "$tmp/okt.ini" optuna-kt
  ;;
failures)
  cat >"$tmp/f.ini" <<INI
[sweep]
seeds = 1
budget_evals = 10
[benchmark]
type = kerneltuner
file = tiny-kt.json
INI
  for m in crash segv hang garbage badtype outside nonmember fidelity closed good; do
    printf '[algorithm %s]\ntype = external\ncommand = bin/fake.py %s ./%s.pid\ntimeout_s = 1\n' \
      "$m" "$m" "$m" >>"$tmp/f.ini"
  done
  printf '[algorithm random]\n[algorithm tpl]\ntype = external\ncommand = bin/random_template.py\n' >>"$tmp/f.ini"
  printf '[algorithm zombies]\ntype = external\ncommand = bin/fake.py zombies\n' >>"$tmp/f.ini"
  for n in 1 2; do
    start=$(date +%s)
    if [ $n = 1 ]; then (cd / && "$bin/mfbo-sweep" "$tmp/f.ini" -o "$tmp/f$n.h5" --quiet 2>"$tmp/err$n")
    else (cd / && mpirun -n 2 "$bin/mfbo-sweep" "$tmp/f.ini" -o "$tmp/f$n.h5" --quiet 2>"$tmp/err$n"); fi
    rc=$?
    check "$n rank(s): the sweep exits 1" "[ $rc -eq 1 ]"
    check "$n rank(s): ... in under 25 s" "[ \$((\$(date +%s) - start)) -lt 25 ]"
    check "$n rank(s): results written" "[ -f $tmp/f$n.h5 ]"
    cat "$tmp/err$n"; runs "$tmp/f$n.h5" >"$tmp/f$n.runs"; cat "$tmp/f$n.runs"
    has() { grep -q "^$1 1 $2 .*${3:-}" "$tmp/f$n.runs"; }
    check "$n: crash: failed, exit status and stderr" "has crash failed 'exited with status 3); stderr: .*ValueError: fake crash'"
    check "$n: segv: failed, signal" "has segv failed 'killed by signal 11'"
    check "$n: hang: failed, timeout" "has hang failed 'no answer within timeout_s = 1 s (killed)'"
    check "$n: garbage: failed, not JSON" "has garbage failed \"message 2 is not JSON .*'hello, I am not JSON'\""
    check "$n: badtype: failed" "has badtype failed \"unknown type 'tell'\""
    check "$n: outside: failed" "has outside failed 'bs = 123456789 is outside the space'"
    check "$n: nonmember: failed" "has nonmember failed 'not a member of the space'"
    check "$n: fidelity: failed" "has fidelity failed 'fidelity must be an integer from 1 to 50'"
    check "$n: closed: failed" "has closed failed 'ended its output before saying it was done'"
    check "$n: the first (good) request of each was measured" "[ \$(grep -c '^[a-z]* 1 failed 1 ' $tmp/f$n.runs) -eq 9 ]"
    check "$n: good, random, tpl, zombies: ok" "has good ok && has random ok && has tpl ok && has zombies ok"
    check "$n: no zombie children" "has zombies ok"
    for m in crash segv hang garbage badtype outside nonmember fidelity closed good; do
      pid=$(cat "$tmp/$m.pid" 2>/dev/null || echo 0)
      check "$n: $m's program is gone" "[ $pid -gt 0 ] && ! kill -0 $pid 2>/dev/null"
      rm -f "$tmp/$m.pid"
    done
  done
  check "1 and 2 ranks: same runs" "diff $tmp/f1.runs $tmp/f2.runs"
  check "1 and 2 ranks: same results" "same_results $tmp/f1.h5 $tmp/f2.h5"
  printf '[sweep]\nseeds = 1\n[benchmark]\ntype = seed\n[algorithm x]\ntype = external\ncommand = bin/nothere.py\n' >"$tmp/bad.ini"
  "$bin/mfbo-sweep" "$tmp/bad.ini" -o "$tmp/bad.h5" 2>"$tmp/bad.err"; rc=$?
  cat "$tmp/bad.err"
  check "a missing program: exit 2 at load, FILE:LINE" "[ $rc -eq 2 ] && grep -q 'bad.ini:7: error: command: .*bin/nothere.py: No such file' $tmp/bad.err"
  check "... nothing written" "[ ! -e $tmp/bad.h5 ]"
  # A SIGKILL of the whole sweep leaves no external program behind (PR_SET_PDEATHSIG,
  # issue 26): before, a program hanging in a computation lingered until its next read.
  printf '[sweep]\nseeds = 1\n[benchmark]\ntype = seed\n[algorithm x]\ntype = external\ncommand = bin/fake.py hang ./killed.pid\ntimeout_s = 60\n' >"$tmp/killed.ini"
  (cd / && exec "$bin/mfbo-sweep" "$tmp/killed.ini" -o "$tmp/killed.h5" --quiet 2>/dev/null) &
  sweep=$!
  for _ in $(seq 100); do [ -s "$tmp/killed.pid" ] && break; sleep 0.1; done
  sleep 0.5
  pid=$(cat "$tmp/killed.pid" 2>/dev/null || echo 0)
  check "the hanging program runs" "[ $pid -gt 0 ] && kill -0 $pid 2>/dev/null"
  kill -9 $sweep
  wait $sweep 2>/dev/null
  alive() { [ -e /proc/$1/status ] && ! grep -q '^State:.*Z' /proc/$1/status; } # a zombie is gone
  for _ in $(seq 50); do alive $pid || break; sleep 0.1; done
  check "after a SIGKILL of the sweep, the program is gone" "! alive $pid"
  [ $pid -gt 0 ] && kill -9 $pid 2>/dev/null
  ;;
*) echo "usage: test_external.sh BUILD SRC template|optuna|failures" >&2; exit 2 ;;
esac
exit $fail
