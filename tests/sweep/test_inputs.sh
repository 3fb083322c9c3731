#!/usr/bin/env bash
# test_inputs.sh BIN SRC: what a sweep's results depend on outside the job text (issue 26,
# items 3 and 4).
#   program: an external searcher's program changes between a stop and the resume: the
#            resume is refused (exit 2, saying so), the journal is untouched; with the old
#            program back it goes on.
#   plugin:  the same for a plugin's shared object.
#   moved:   the same data file under another directory and name gives the same results
#            (the random streams hash the data's bytes, not its path).
set -u
bin=$1; src=$2
. "$src/tests/sweep/lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export OMPI_MCA_btl_vader_backing_directory=$tmp OMPI_MCA_orte_tmpdir_base=$tmp
md5() { md5sum <"$1"; }
# same_runs A B: /runs and /trace bit for bit (/benchmark names the file: it differs)
same_runs() {
  /usr/bin/python3 -c 'import sys, h5py
a, b = (h5py.File(p, "r") for p in sys.argv[1:])
sys.exit(0 if all(a[d][:].tobytes() == b[d][:].tobytes() for d in ("runs", "trace")) else 1)' "$1" "$2"
}
cd "$tmp" || exit 1

# refused_then_resumed NAME JOB FILE: JOB is stopped, FILE (a program it runs) is changed,
# --resume must refuse; FILE restored, --resume must finish.
refused_then_resumed() {
  local name=$1 job=$2 file=$3 out=$tmp/$1.h5
  "$bin/mfbo-sweep" "$job" -o "$out" --deadline 0.5 --quiet
  check "$name: a stopped sweep (exit 3)" "[ $? -eq 3 ] && [ -f $out.partial ]"
  cp "$file" "$file.orig"
  printf '\n# changed\n' >>"$file"
  local sum; sum=$(md5 "$out.partial")
  timeout -k 5 120 "$bin/mfbo-sweep" "$job" -o "$out" --resume --quiet 2>err; local rc=$?
  check "$name changed: --resume exits 2 (got $rc)" "[ $rc -eq 2 ]"
  check "... saying which program changed" "grep -q 'a program the job runs .* changed since the sweep started' err && grep -qF '$(basename "$file")' err"
  check "... the journal untouched, no file" "[ \"\$(md5 $out.partial)\" = '$sum' ] && [ ! -e $out ]"
  [ $rc -eq 2 ] || cat err >&2
  cp "$file.orig" "$file"
  timeout -k 5 300 "$bin/mfbo-sweep" "$job" -o "$out" --resume --quiet 2>err
  check "$name restored: --resume finishes (exit 0)" "[ $? -eq 0 ] && [ -f $out ]"
}

# program: the shipped template searcher, copied beside the job
cp "$src/adapters/random_template.py" ext.py && chmod +x ext.py
printf '[sweep]\nseeds = 1-400\nbudget_evals = 5\n[benchmark]\ntype = seed\n[algorithm ext]\ntype = external\ncommand = ./ext.py\n' >ext.ini
refused_then_resumed program ext.ini ext.py

# plugin: the example searcher as a shared object
cp "$src/examples/greedy.c" "$src/examples/greedy.h" "$src/examples/greedy_plugin.c" "$src/examples/greedy.ini" .
${CC:-cc} -std=c11 -fPIC -shared -I"$src/include" $(pkg-config --cflags gsl 2>/dev/null) \
  -o libgreedy.so greedy_plugin.c greedy.c
check "the example plugin builds" "[ $? -eq 0 ]"
sed -i 's/^seeds = .*/seeds = 1-3000/' greedy.ini
refused_then_resumed plugin greedy.ini libgreedy.so

# moved: one data file, two places and names
mkdir -p a b/c
cp "$src/tests/sweep/tiny-kt.json" a/kt.json
cp "$src/tests/sweep/tiny-kt.json" b/c/renamed.json
for f in a/kt.json b/c/renamed.json; do
  printf '[sweep]\nseeds = 1-4\nbudget_evals = 6\n[benchmark]\ntype = kerneltuner\nfile = %s\n[algorithm random]\n[algorithm pattern]\n' "$f" >"moved-$(basename "$f" .json).ini"
done
"$bin/mfbo-sweep" moved-kt.ini -o kt.h5 --quiet && "$bin/mfbo-sweep" moved-renamed.ini -o renamed.h5 --quiet
check "moved: both sweeps run" "[ $? -eq 0 ]"
check "moved: the same data under another path and name gives the same results" "same_runs kt.h5 renamed.h5"
printf '\n' >>b/c/renamed.json # other bytes, the same content: other streams
"$bin/mfbo-sweep" moved-renamed.ini -o other.h5 --quiet
check "moved: other bytes give other noise (the check can fail)" "! same_runs kt.h5 other.h5"
exit $fail
