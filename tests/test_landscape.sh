#!/usr/bin/env bash
# test_landscape.sh: mfbo-landscape from the outside: --help/--version, the summary and the
# CSV of the built-in default job (the seed space: 1024 configurations), and bad input.
set -u
bin=$1
src=$2
fail=0
check() { if ! eval "$2"; then echo "FAILED: $1" >&2; fail=1; fi; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$bin" --help >"$tmp/help"; check "--help exits 0" "[ $? -eq 0 ]"
check "--help names --csv" "grep -q -- --csv $tmp/help"
"$bin" --version >"$tmp/version"; check "--version exits 0" "[ $? -eq 0 ] && grep -q mfbo-landscape $tmp/version"
"$bin" --bogus 2>/dev/null; check "an unknown option exits 2" "[ $? -eq 2 ]"

"$bin" >"$tmp/summary"; check "summary exits 0" "[ $? -eq 0 ]"
check "summary: 1024 configurations" "grep -q '^space: 1024 configurations' $tmp/summary"
check "summary: the optimum" "grep -q '^optimum: 1.998048095 ms at BLOCK_M=128, BLOCK_N=128, BLOCK_K=64, num_warps=8, num_stages=3' $tmp/summary"

"$bin" --csv >"$tmp/csv"; check "--csv exits 0" "[ $? -eq 0 ]"
check "csv header" "[ \"\$(head -1 $tmp/csv)\" = 'BLOCK_M,BLOCK_N,BLOCK_K,num_warps,num_stages,valid,true_ms' ]"
check "csv: 1024 rows" "[ \$(tail -n +2 $tmp/csv | wc -l) -eq 1024 ]"
check "csv: all valid" "[ \$(tail -n +2 $tmp/csv | cut -d, -f6 | sort -u) = 1 ]"
check "csv: the optimum row" "grep -q '^128,128,64,8,3,1,1.998048095156479' $tmp/csv"
check "csv: the worst row" "grep -q '^256,256,128,16,5,1,90.42399666535' $tmp/csv"
check "csv: the minimum is the optimum" \
  "[ \"\$(tail -n +2 $tmp/csv | sort -t, -k7,7g | head -1 | cut -d, -f1-5)\" = 128,128,64,8,3 ]"

# A job with a widened space.
cat >"$tmp/wide.ini" <<'INI'
[sweep]
seeds = 1
[benchmark]
type = seed
[space]
BLOCK_M = 16-512
[algorithm random]
INI
"$bin" --csv "$tmp/wide.ini" >"$tmp/wide.csv"; check "widened job exits 0" "[ $? -eq 0 ]"
check "widened: 6x4x4x4x4 rows" "[ \$(tail -n +2 $tmp/wide.csv | wc -l) -eq 1536 ]"

# Bad input: exit 2, message naming file and line, nothing on stdout.
printf '[sweep]\nseeds = 1\n[benchmark]\ntype = seed\ncompile_s = fast\n[algorithm random]\n' >"$tmp/bad.ini"
"$bin" "$tmp/bad.ini" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "bad value exits 2" "[ $rc -eq 2 ]"
check "bad value names file:line" "grep -q 'bad.ini:5:' $tmp/err"
check "bad value prints nothing on stdout" "[ ! -s $tmp/out ]"
"$bin" "$tmp/missing.ini" 2>"$tmp/err"; rc=$?
check "missing job exits 2" "[ $rc -eq 2 ] && grep -q missing.ini $tmp/err"
exit $fail
