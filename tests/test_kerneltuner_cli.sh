#!/usr/bin/env bash
# test_kerneltuner_cli.sh: mfbo-landscape on Kernel Tuner datasets and synthetic landscapes,
# from the outside: the shipped jobs (from the repository root and from any other directory:
# `file =` is looked for in the job file's directory, then the installed data directory),
# their summaries and CSVs (string values as strings), a job on stdin, mfbo-sweep of a
# Kernel Tuner job from another directory, and bad data files: a truncated copy made here,
# invalid JSON, a missing file -> exit 2, the file named, nothing on stdout.
# Usage: test_kerneltuner_cli.sh MFBO_LANDSCAPE REPO_ROOT DATA_DIR MFBO_SWEEP
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") # absolute: the test runs from the root
root=$2
datasets=$3
sweep=$(cd "$(dirname "$4")" && pwd)/$(basename "$4")
if [ ! -d "$datasets" ]; then
  echo "FAILED: the data directory $datasets is absent (it is part of the repository)" >&2
  exit 1
fi
fail=0
check() { if ! eval "$2"; then echo "FAILED: $1" >&2; fail=1; fi; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$root" || exit 1

# The shipped jobs: size, valid count, optimum (the README's) and the CSV.
summary() { # JOB CONFIGS VALID OPTIMUM
  "$bin" "$1" >"$tmp/s" 2>"$tmp/e"; local rc=$?
  check "$1: exits 0" "[ $rc -eq 0 ]"
  check "$1: $2 configurations" "grep -q '^space: $2 configurations' $tmp/s"
  check "$1: $3 valid" "grep -q '^valid: $3 of $2\$' $tmp/s"
  check "$1: optimum $4" "grep -q '^optimum: $4 ms at ' $tmp/s"
}
summary jobs/kt-convolution-A100.ini 4362 4201 0.5536000077
check "convolution: the optimum's configuration" "grep -q 'at block_size_x=32, block_size_y=4, tile_size_x=1, tile_size_y=3, read_only=1, use_padding=0, use_shmem=1, use_cmem=1, filter_height=15, filter_width=15\$' $tmp/s"
check "convolution: kinds" "grep -q 'block_size_y  *power of two  *1..16 (5 values)' $tmp/s"
summary jobs/kt-dedispersion-MI250X.ini 11130 11130 49.57248008
summary jobs/kt-pnpoly-RTX3090.ini 4092 3774 8.71424017

"$bin" jobs/kt-pnpoly-RTX3090.ini --csv >"$tmp/csv"; check "pnpoly --csv exits 0" "[ $? -eq 0 ]"
check "pnpoly csv header" "[ \"\$(head -1 $tmp/csv)\" = 'between_method,block_size_x,tile_size,use_method,valid,true_ms' ]"
check "pnpoly csv: 4092 rows" "[ \$(tail -n +2 $tmp/csv | wc -l) -eq 4092 ]"
check "pnpoly csv: 318 failed" "[ \$(tail -n +2 $tmp/csv | grep -c ',0,inf\$') -eq 318 ]"
check "pnpoly csv: the optimum row" "grep -q '^0,64,20,0,1,8.71424016952514' $tmp/csv"

# From another directory: the shipped job finds its data beside it (../data), as given.
(cd "$tmp" && "$bin" "$root/jobs/kt-pnpoly-RTX3090.ini" >"$tmp/s" 2>"$tmp/e"); rc=$?
check "kt-pnpoly from another directory: exits 0" "[ $rc -eq 0 ]"
check "kt-pnpoly from another directory: 3774 valid" "grep -q '^valid: 3774 of 4092\$' $tmp/s"
(cd / && "$bin" "${root#/}/jobs/kt-pnpoly-RTX3090.ini" >"$tmp/s" 2>"$tmp/e"); rc=$?
check "kt-pnpoly by a relative job path from /: exits 0" "[ $rc -eq 0 ]"
# A job elsewhere naming a file beside it, run from a third directory; on stdin (no job
# directory) the same file name is looked for in the current directory.
mkdir -p "$tmp/proj/jobs" "$tmp/proj/data" "$tmp/elsewhere"
ln -s "$datasets/pnpoly_RTX3090.json.gz" "$tmp/proj/data/p.json.gz"
printf '[sweep]\nseeds = 1-2\nbudget_evals = 20\n[benchmark]\ntype = kerneltuner\nfile = ../data/p.json.gz\n[algorithm random]\n' >"$tmp/proj/jobs/p.ini"
(cd "$tmp/elsewhere" && "$bin" ../proj/jobs/p.ini >"$tmp/s" 2>"$tmp/e"); rc=$?
check "a job's own directory: exits 0" "[ $rc -eq 0 ]"
check "a job's own directory: 3774 valid" "grep -q '^valid: 3774 of 4092\$' $tmp/s"
(cd "$tmp/proj/jobs" && "$bin" /dev/stdin <p.ini >"$tmp/s" 2>"$tmp/e"); rc=$?
check "a job on stdin: relative to the current directory" "[ $rc -eq 0 ]"
(cd "$tmp/elsewhere" && "$bin" /dev/stdin <../proj/jobs/p.ini >"$tmp/s" 2>"$tmp/e"); rc=$?
check "a job on stdin elsewhere: exits 2" "[ $rc -eq 2 ]"
check "a job on stdin elsewhere: says where it looked" \
  "grep -q 'looked for in the job file.s directory, then in the installed data directory: \\. and /.*/mfbo/data' $tmp/e"
# mfbo-sweep of that job from the third directory (one rank, no mpirun): it runs; stopped,
# its journal's data digest (for --resume) is of the file it read, and a --resume from yet
# another directory finds the same file.
(cd "$tmp/elsewhere" && "$sweep" ../proj/jobs/p.ini -o "$tmp/p.h5" --quiet >"$tmp/s" 2>"$tmp/e"); rc=$?
check "mfbo-sweep from another directory: exits 0" "[ $rc -eq 0 ]"
sed 's/^seeds = 1-2$/seeds = 1-3000/' "$tmp/proj/jobs/p.ini" >"$tmp/proj/jobs/long.ini"
(cd "$tmp/elsewhere" && "$sweep" ../proj/jobs/long.ini -o "$tmp/long.h5" --deadline 0.001 --quiet 2>"$tmp/e"); rc=$?
check "mfbo-sweep stopped (exit 3)" "[ $rc -eq 3 ] && [ -f $tmp/long.h5.partial ]"
check "mfbo-sweep: the journal's data digest is of the file" \
  "grep -aq 'data=$(stat -L -c %s "$datasets/pnpoly_RTX3090.json.gz") [0-9a-f]\{8\} [0-9a-f]\{8\} ../data/p.json.gz' $tmp/long.h5.partial"
(cd "$tmp/proj" && "$sweep" jobs/long.ini -o "$tmp/long.h5" --resume --deadline 0.001 --quiet 2>"$tmp/e"); rc=$?
check "mfbo-sweep --resume from another directory goes on (exit 3, got $rc)" "[ $rc -eq 3 ]"
[ $rc -eq 3 ] || cat "$tmp/e" >&2

# String values print as strings, numbers as in the file.
cat >"$tmp/strings.json" <<'JSON'
{"tune_params_keys": ["algo", "bs", "f"],
 "tune_params": {"algo": ["fast", "safe"], "bs": [32, 64], "f": [0.1, 0.25]},
 "cache": {"fast,32,0.1": {"algo": "fast", "bs": 32, "f": 0.1, "time": 1.5, "times": [1.5]},
           "safe,64,0.25": {"algo": "safe", "bs": 64, "f": 0.25, "time": "CompilationFailedConfig"}}}
JSON
job() { printf '[sweep]\nseeds = 1\n[benchmark]\ntype = kerneltuner\nfile = %s\n[algorithm random]\n' "$1" >"$2"; }
job "$tmp/strings.json" "$tmp/strings.ini"
"$bin" --csv "$tmp/strings.ini" >"$tmp/strings.csv"; check "strings --csv exits 0" "[ $? -eq 0 ]"
check "strings csv" "[ \"\$(cat $tmp/strings.csv)\" = \"\$(printf 'algo,bs,f,valid,true_ms\nfast,32,0.1,1,1.5\nsafe,64,0.25,0,inf')\" ]"

# A missing file named relatively: the message says where it was looked for.
job nowhere.json.gz "$tmp/proj/jobs/bad.ini"
(cd "$tmp/elsewhere" && "$bin" ../proj/jobs/bad.ini >"$tmp/out" 2>"$tmp/err"); rc=$?
check "missing relative file: exits 2" "[ $rc -eq 2 ]"
check "missing relative file: the job's directory and the data directory" \
  "grep -q '^../proj/jobs/bad.ini:5: error: nowhere.json.gz: cannot open: No such file or directory (a relative path is looked for in the job file.s directory, then in the installed data directory: ../proj/jobs and /.*/mfbo/data)' $tmp/err"

# A truncated copy (a prefix of the decompressed JSON, gzipped), invalid JSON, a missing file.
gzip -dc "$datasets/pnpoly_RTX3090.json.gz" | head -c 1000000 | gzip >"$tmp/cut.json.gz"
printf '{"tune_params_keys": ["x"]\n  "tune_params": {}}\n' >"$tmp/bad.json"
for bad in cut.json.gz bad.json missing.json.gz; do
  job "$tmp/$bad" "$tmp/bad.ini"
  "$bin" "$tmp/bad.ini" >"$tmp/out" 2>"$tmp/err"; rc=$?
  check "$bad: exits 2" "[ $rc -eq 2 ]"
  check "$bad: names the job line and the file" "grep -q 'bad.ini:5: error: $tmp/$bad: ' $tmp/err"
  check "$bad: nothing on stdout" "[ ! -s $tmp/out ]"
done
job "$tmp/cut.json.gz" "$tmp/bad.ini"
check "truncated: says so" "\"$bin\" $tmp/bad.ini 2>&1 | grep -q 'truncated (Kernel Tuner writes cache files incrementally; the file ends early'"
job "$tmp/bad.json" "$tmp/bad.ini"
check "invalid JSON: line and column" "\"$bin\" $tmp/bad.ini 2>&1 | grep -q 'invalid JSON at line 2, column'"

# The synthetic family job: every instance loads; the default dimension is 8.
"$bin" jobs/synthetic-family.ini >"$tmp/syn" 2>"$tmp/err"; rc=$?
check "synthetic-family: exits 0" "[ $rc -eq 0 ]"
check "synthetic-family: 60000 configurations" "grep -q '^space: 60000 configurations, 8 parameters' $tmp/syn"
"$bin" jobs/synthetic-family.ini --instance 7 --csv >"$tmp/syn.csv"; rc=$?
check "synthetic --csv exits 0" "[ $rc -eq 0 ]"
check "synthetic csv header" "[ \"\$(head -1 $tmp/syn.csv)\" = 'BLOCK_M,num_warps,num_stages,schedule,prefetch,BLOCK_N,unroll,BLOCK_K,valid,true_ms' ]"
check "synthetic csv: enum labels" "tail -n +2 $tmp/syn.csv | cut -d, -f4 | sort -u | tr '\n' ' ' | grep -q '^dynamic persistent static \$'"
exit $fail
