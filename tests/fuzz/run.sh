#!/usr/bin/env bash
# Builds the libFuzzer harnesses with clang (ASan + UBSan) in a build directory of their own
# and runs each for a while, two at a time, starting from its seed corpus:
#   bash tests/fuzz/run.sh [SECONDS [BUILD_DIR [NAME...]]]     (default 60 s, build-fuzz, all four)
# A crash, leak or time-out fails the run (in results: not one inside libhdf5 itself); the input is copied to
# tests/fuzz/regressions/NAME/ (commit it with the fix: fuzz_replay_NAME replays it in every
# build). New corpus entries go to BUILD_DIR/corpus/NAME, not into the repository.
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-60}
build=${2:-build-fuzz}
shift $(( $# < 2 ? $# : 2 ))
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(job kerneltuner journal results)
command -v clang >/dev/null || { echo "tests/fuzz/run.sh: clang not found (scripts/install-deps.sh installs it)" >&2; exit 1; }
# warnings are not errors here: clang warns about other things than gcc
env -u MFBO_WERROR CC=clang cmake -S . -B "$build" -DMFBO_FUZZ=ON -DMFBO_SANITIZE=ON \
  -DMFBO_WERROR=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j2 --target $(printf 'fuzz_%s ' "${names[@]}") >/dev/null
declare -A max_len=([job]=4096 [kerneltuner]=65536 [journal]=16384 [results]=65536)
# an input slower than this fails the run: a job file may take seconds (building a large
# synthetic landscape); HDF5 loops forever on some damaged files
declare -A timeout=([job]=30 [kerneltuner]=10 [journal]=10 [results]=10)
run_one() {
  local t=$1 work="$build/corpus/$t" art="$build/artifacts/$t/"
  rm -rf "$art" && mkdir -p "$work" "$art"
  local log="$build/fuzz-$t.log"
  # results: HDF5 1.10 itself crashes on some damaged files (hdf5-crashes/, README.md); the
  # fuzzer goes on after a crash (fork mode), and only a crash outside libhdf5 fails the run
  local more=()
  [ "$t" = results ] && more=(-fork=1 -ignore_crashes=1)
  local env=(ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1
             LSAN_OPTIONS=suppressions=$PWD/tests/fuzz/lsan.supp)
  local ok=0
  env "${env[@]}" "$build/tests/fuzz/fuzz_$t" -max_total_time="$secs" -timeout="${timeout[$t]}" \
    -rss_limit_mb=2048 -max_len="${max_len[$t]}" -print_final_stats=1 -artifact_prefix="$art" \
    -seed="${MFBO_FUZZ_SEED:-1}" \
    "${more[@]}" "$work" "tests/fuzz/corpus/$t" >"$log" 2>&1 || ok=$?
  if [ "$t" = results ]; then
    local hdf5=0 ours=0
    for f in "$art"*; do
      [ -f "$f" ] || continue
      # the first stack frame that is not the fuzzer's, the sanitizer's, libc's or malloc
      local frame out rerun=0
      out=$(env "${env[@]}" "$build/tests/fuzz/fuzz_$t" -timeout="${timeout[$t]}" \
              -rss_limit_mb=2048 -malloc_limit_mb=2048 "$f" 2>&1) || rerun=$?
      frame=$(printf '%s\n' "$out" | grep -E '^ *#[0-9]+ ' |
              grep -vE 'fuzzer::|__sanitizer|__interceptor|__asan|sysdeps/|libc\.so|libstdc\+\+|libc_start| in (malloc|calloc|realloc|main) ' |
              head -1 || true)
      if [ $rerun -eq 0 ]; then
        # fails only after many inputs in one process (HDF5 leaks on damaged files until the
        # RSS limit): not this input's fault, not counted
        echo "fuzz $t: $(basename "$f") does not fail when run alone (memory grown by earlier inputs): not counted"
        rm -f "$f"
      elif [[ $frame == *libhdf5* ]]; then
        hdf5=$((hdf5 + 1)); rm -f "$f.hdf5" && mv "$f" "$f.hdf5"
      else
        ours=$((ours + 1))
      fi
    done
    [ $hdf5 -eq 0 ] || echo "fuzz $t: $hdf5 crash(es) inside libhdf5 itself, not counted (inputs: ${art}*.hdf5; see tests/fuzz/README.md)"
    ok=$ours
  fi
  if [ "$ok" -eq 0 ]; then
    local n
    n=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
    # fork mode (results) prints no final stats: its last "#N: cov: ..." line has the count
    [ -n "$n" ] || n=$(grep -o '^#[0-9]*: cov:' "$log" | tail -1 | grep -o '[0-9][0-9]*' || true)
    echo "fuzz $t: ${n:-?} inputs in ${secs} s, no crash"
    return 0
  fi
  echo "fuzz $t: FAILED (log: $log); the last lines:"
  tail -40 "$log"
  for f in "$art"*; do
    [ -f "$f" ] && [ "${f%.hdf5}" = "$f" ] || continue
    mkdir -p "tests/fuzz/regressions/$t"
    cp "$f" "tests/fuzz/regressions/$t/"
    echo "fuzz $t: input kept as tests/fuzz/regressions/$t/$(basename "$f")"
  done
  return 1
}
rc=0
pids=()
for t in "${names[@]}"; do
  run_one "$t" & pids+=($!)
  if [ ${#pids[@]} -ge 2 ]; then wait "${pids[0]}" || rc=1; pids=("${pids[@]:1}"); fi
done
for p in "${pids[@]}"; do wait "$p" || rc=1; done
exit $rc
