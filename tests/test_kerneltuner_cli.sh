#!/usr/bin/env bash
# test_kerneltuner_cli.sh: mfbo-landscape on Kernel Tuner datasets and synthetic landscapes,
# from the outside: the shipped jobs (run from the repository root, as documented), their
# summaries and CSVs (string values as strings), and bad data files: a truncated copy made
# here, invalid JSON, a missing file -> exit 2, the file named, nothing on stdout.
# Usage: test_kerneltuner_cli.sh MFBO_LANDSCAPE REPO_ROOT DATASETS_DIR (exit 77: no datasets)
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") # absolute: the test runs from the root
root=$2
datasets=$3
if [ ! -d "$datasets" ]; then
  echo "SKIPPED: the shared datasets directory $datasets is absent" >&2
  exit 77
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
