#!/usr/bin/env bash
# test_python_cli.sh BUILD_DIR SOURCE_DIR: the shipped Python programs (analysis/, adapters/,
# bench/) take bad input like the C ones (issue 26, item 7): --help exits 0 and prints a
# usage; a missing input, a damaged one (a text file where HDF5, gzip or CSV is expected)
# and, for the HDF5 readers, an HDF5 file that is not a results file each give exit 2 and
# one line on stderr that names the file, never a traceback; a bad argument gives exit 2.
set -u
src=$(cd "$2" && pwd)
py=/usr/bin/python3 # Debian's, with h5py and NumPy (see docs/hpc-notes.md)
fail=0
check() { if ! eval "$2"; then echo "FAILED: $1" >&2; fail=1; else echo "ok: $1"; fi; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1

programs="analysis/convergence.py adapters/optuna_tpe.py adapters/random_template.py
  bench/anytime_summary.py bench/dataset_noise.py bench/external_table.py bench/gpu_study_report.py
  bench/mfbo_speed_sklearn.py bench/results_doc.py bench/slow_start.py bench/study_walltime.py"

# Every shipped program is in the list (a new one must be added here); those that need a
# GPU or torch (botorch_gp_speed.py, gpu_record.py, gpu_remeasure.py) are not run here, nor bench/forest_sklearn/
# (a side-by-side check with scikit-learn; its CLI is not yet held to this standard).
shipped=$(cd "$src" && git ls-files 'analysis/*.py' 'adapters/*.py' 'bench/*.py' 2>/dev/null |
          grep -Ev '^bench/(botorch_gp_speed.py|gpu_record.py|gpu_remeasure.py|forest_sklearn/)' | sort | tr '\n' ' ')
listed=$(echo $programs | tr ' ' '\n' | sort | tr '\n' ' ')
[ -z "$shipped" ] || check "every shipped Python program is tested ($shipped)" "[ '$shipped' = '$listed' ]"

# --help: exit 0, a usage on stdout, nothing on stderr; stdin closed (an adapter must not
# wait for the protocol).
for p in $programs; do
  n=$(basename "$p")
  timeout 60 $py "$src/$p" --help </dev/null >help.out 2>help.err; rc=$?
  check "$n --help exits 0" "[ $rc -eq 0 ]"
  check "$n --help prints a usage on stdout" "grep -qi '^usage' help.out"
  check "$n --help describes the program (a paragraph)" "[ \$(wc -l <help.out) -ge 4 ]"
  check "$n --help: empty stderr" "[ ! -s help.err ]"
done

# bad NAME FILE ARGS...: the program refuses bad input FILE: exit 2, one line on stderr that
# starts with the program's name and names FILE, no traceback, nothing on stdout.
bad() {
  local what=$1 file=$2; shift 2
  timeout 60 $py "$@" </dev/null >bad.out 2>bad.err; rc=$?
  local n; n=$(basename "$1")
  check "$n, $what: exit 2 (got $rc)" "[ $rc -eq 2 ]"
  check "$n, $what: one line on stderr" "[ \$(wc -l <bad.err) -eq 1 ]"
  check "$n, $what: the message names $file" "grep -qF -- '$n: $file' bad.err"
  check "$n, $what: no traceback" "! grep -q Traceback bad.err"
  check "$n, $what: nothing on stdout" "[ ! -s bad.out ]"
  [ $rc -eq 2 ] && [ "$(wc -l <bad.err)" -eq 1 ] || sed 's/^/    | /' bad.err | tail -5
}
# usage NAME ARGS...: a bad argument: exit 2 (argparse's usage and error), no traceback.
usage() {
  local what=$1; shift
  timeout 60 $py "$@" </dev/null >bad.out 2>bad.err; rc=$?
  local n; n=$(basename "$1")
  check "$n, $what: exit 2 (got $rc)" "[ $rc -eq 2 ]"
  check "$n, $what: an error on stderr" "grep -q 'error' bad.err"
  check "$n, $what: no traceback" "! grep -q Traceback bad.err"
}

echo 'this is not an HDF5 file' >x.h5                      # damaged: text named x.h5
$py -c 'import h5py; h5py.File("other.h5", "w").create_dataset("data", data=[1, 2])'
echo 'not gzip' >x.gz

# HDF5 readers: missing, damaged, not a results file.
for p in analysis/convergence.py bench/study_walltime.py; do
  bad "missing file" missing.h5 "$src/$p" missing.h5
  bad "damaged file" x.h5 "$src/$p" x.h5
  bad "an HDF5 file that is not a results file" other.h5 "$src/$p" other.h5
done
usage "EVERY not a number" "$src/analysis/convergence.py" x.h5 ten
usage "no file" "$src/analysis/convergence.py"
usage "no file" "$src/bench/study_walltime.py" --markdown

# external_table.py DIR: DIR/NAME/summary.csv with DIR/NAME.h5.
bad "missing directory" missing "$src/bench/external_table.py" missing
mkdir -p ext/land && echo 'algorithm,runs' >ext/land/summary.csv && cp x.h5 ext/land.h5
bad "damaged NAME.h5" ext/land.h5 "$src/bench/external_table.py" ext
cp other.h5 ext/land.h5
bad "NAME.h5 not a results file" ext/land.h5 "$src/bench/external_table.py" ext
mkdir -p empty
bad "no NAME/summary.csv in DIR" empty "$src/bench/external_table.py" empty

# anytime_summary.py DIR: DIR/LANDSCAPE.csv.
bad "missing directory" missing "$src/bench/anytime_summary.py" missing
mkdir -p any && printf 'garbage\n\x01\x02 not a csv\n' >any/kt-convolution-A100.csv
bad "damaged CSV" any/kt-convolution-A100.csv "$src/bench/anytime_summary.py" any
bad "no LANDSCAPE.csv in DIR" empty "$src/bench/anytime_summary.py" empty

# results_doc.py DIR: DIR/meta.txt and DIR/LANDSCAPE.csv.
bad "missing directory" missing "$src/bench/results_doc.py" missing
bad "no meta.txt in DIR" empty/meta.txt "$src/bench/results_doc.py" empty
mkdir -p doc && printf 'commit=x\n' >doc/meta.txt
bad "meta.txt without its keys" doc/meta.txt "$src/bench/results_doc.py" doc
for k in tree command start end machine load_start load_end workers total_s searchers_doc size_doc; do
  echo "$k=x" >>doc/meta.txt
done
bad "no LANDSCAPE.csv in DIR" doc "$src/bench/results_doc.py" doc
printf 'garbage\n\x01\x02 not a csv\n' >doc/kt-convolution-A100.csv
bad "damaged CSV" doc/kt-convolution-A100.csv "$src/bench/results_doc.py" doc

# dataset_noise.py [DIR]: DIR/NAME.json.gz.
bad "missing directory" missing "$src/bench/dataset_noise.py" missing
bad "directory without the datasets" empty/convolution_milo_A100.json.gz \
  "$src/bench/dataset_noise.py" empty
mkdir -p ds && cp x.gz ds/convolution_milo_A100.json.gz
bad "damaged dataset" ds/convolution_milo_A100.json.gz "$src/bench/dataset_noise.py" ds

# mfbo_speed_sklearn.py DATA REPS.
bad "missing file" missing.txt "$src/bench/mfbo_speed_sklearn.py" missing.txt 1
bad "damaged file" x.h5 "$src/bench/mfbo_speed_sklearn.py" x.h5 1
printf '3 1 2\n0.1 0.2 1.0 1\n' >short.txt
bad "fewer rows than its header says" short.txt "$src/bench/mfbo_speed_sklearn.py" short.txt 1
usage "REPS not a number" "$src/bench/mfbo_speed_sklearn.py" short.txt many

# gpu_study_report.py KERNEL LANDSCAPE DIR.
bad "missing landscape" missing.json.gz "$src/bench/gpu_study_report.py" softmax missing.json.gz .
bad "damaged landscape" x.gz "$src/bench/gpu_study_report.py" softmax x.gz .
bad "missing directory" missing "$src/bench/gpu_study_report.py" softmax \
  "$src/data/triton_softmax_H100.json.gz" missing
bad "no live results in DIR" empty "$src/bench/gpu_study_report.py" softmax \
  "$src/data/triton_softmax_H100.json.gz" empty
mkdir -p live && cp x.h5 live/live-softmax-mfbo-s1.h5 && echo '{}' >live/remeasure-softmax.json
bad "damaged remeasure JSON" live/remeasure-softmax.json "$src/bench/gpu_study_report.py" \
  softmax "$src/data/triton_softmax_H100.json.gz" live

# Programs without an input file: bad arguments.
usage "unknown option" "$src/adapters/optuna_tpe.py" --no-such-option
usage "--fidelity not max, min or a number" "$src/adapters/optuna_tpe.py" --fidelity most
usage "--n-trials not a number" "$src/adapters/optuna_tpe.py" --n-trials lots
usage "unknown option" "$src/adapters/random_template.py" --no-such-option
usage "START_S not a number" "$src/bench/slow_start.py" soon
exit $fail
