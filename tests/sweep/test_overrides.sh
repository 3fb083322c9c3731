#!/usr/bin/env bash
# test_overrides.sh BIN SRC: --seeds and --instances (issue 15) replace the job's seeds and
# instances: the sweep runs exactly those tasks, the results file stores the job that ran
# (its canonical text with the new values), --resume accepts the same overrides and refuses
# others, and a bad list is refused with exit 2 before anything is written.
set -u
bin=$1; src=$2
. "$src/tests/sweep/lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
job=$src/jobs/seed-quick.ini # seeds 1-10, instance 1; one algorithm

"$bin/mfbo-sweep" "$job" --seeds 3,1 --instances 2-3 -o o.h5 --quiet
check "--seeds 3,1 --instances 2-3: exit 0" "[ $? -eq 0 ]"
runs() { /usr/bin/python3 -c "import h5py,sys; r=h5py.File(sys.argv[1])['runs']; print(sorted(set(zip(r['instance'].tolist(), r['seed'].tolist()))))" "$1"; }
check "... runs instances 2-3 x seeds 1,3, nothing else" \
  "[ \"\$(runs o.h5)\" = '[(2, 1), (2, 3), (3, 1), (3, 3)]' ]"
check "... 4 runs" "[ \"\$(/usr/bin/python3 -c \"import h5py; print(len(h5py.File('o.h5')['runs']))\")\" = 4 ]"
text=$(h5dump -a /job o.h5)
check "... the stored job says seeds = 1, 3 and instances = 2-3" \
  "echo \"\$text\" | grep -q 'seeds = 1, 3' && echo \"\$text\" | grep -q 'instances = 2-3'"

# the same sweep written by a job file that says so itself: the same results
sed -e 's/^seeds = .*/seeds = 1, 3/' -e 's/^type = seed/type = seed\ninstances = 2, 3/' "$job" >same.ini
"$bin/mfbo-sweep" same.ini -o same.h5 --quiet
check "a job file with those seeds and instances: the same results" "same_results o.h5 same.h5"

"$bin/mfbo-sweep" "$job" --seeds 1,3 --instances 2-3 -o o.h5 --resume --quiet
check "--resume with the same overrides: accepted (exit 0)" "[ $? -eq 0 ]"
"$bin/mfbo-sweep" "$job" --seeds 1-4 --instances 2-3 -o o.h5 --resume --quiet 2>err
check "--resume with other seeds: refused, exit 2, saying what differs" \
  "[ $? -eq 2 ] && grep -q 'seeds' err"

for bad in "--seeds x" "--seeds -1" "--instances 0" "--instances 1-"; do
  "$bin/mfbo-sweep" "$job" $bad -o bad.h5 --quiet 2>err
  check "$bad: exit 2, a message naming the option, nothing written" \
    "[ $? -eq 2 ] && grep -q -- '${bad%% *}' err && [ ! -e bad.h5 ] && [ ! -e bad.h5.partial ]"
done
mpirun -n 2 "$bin/mfbo-sweep" "$job" --seeds 3,1 --instances 2-3 -o o2.h5 --quiet
check "2 ranks with the overrides: the same results" "same_results o.h5 o2.h5"
exit $fail
