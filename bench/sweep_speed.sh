#!/usr/bin/env bash
# sweep_speed.sh: the runner's own speed and memory (issue 3's goals), measured side by side:
#   1. the default job on 1 and 2 ranks (median of REPS wall times each);
#   2. scheduling overhead: a many-task job on 64 ranks (oversubscribed) against 2;
#   3. rank 0's peak memory (max RSS) in a 10,000-task sweep on 2 ranks.
# Usage: bash bench/sweep_speed.sh [BUILD_DIR] [REPS]   (run from the repository root)
set -euo pipefail
build=${1:-build}
reps=${2:-3}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_btl=self,vader
export OMPI_MCA_btl_vader_single_copy_mechanism=none OMPI_MCA_plm=isolated
command -v /usr/bin/time >/dev/null || apt-get install -y -qq time >/dev/null
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
wall() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N); echo "$t1 - $t0" | bc -l; }
tasks_of() { "$build/mfbo-sweep" "$@" --dry-run | grep -c '^[0-9]'; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
n_default=$(tasks_of)
for n in 1 2; do
  for r in $(seq "$reps"); do
    if [ $n = 1 ]; then wall "$build/mfbo-sweep" -o "$tmp/d.h5" --force --quiet
    else wall mpirun -n $n "$build/mfbo-sweep" -o "$tmp/d.h5" --force --quiet; fi
  done | median >"$tmp/t$n"
  echo "default job ($n_default tasks), $n rank(s): median $(printf %.2f "$(cat "$tmp/t$n")") s over $reps runs"
done

cat >"$tmp/many.ini" <<'INI'
[sweep]
seeds = 1-500
[benchmark]
type = seed
[algorithm random]
preset = quick
[algorithm random-r5]
type = random
preset = quick
fidelity = 5
INI
n_many=$(tasks_of "$tmp/many.ini")
for n in 2 64; do
  for r in $(seq "$reps"); do wall mpirun -n $n "$build/mfbo-sweep" "$tmp/many.ini" -o "$tmp/m.h5" --force --quiet; done | median >"$tmp/m$n"
  echo "$n_many short tasks on $n ranks: median $(printf %.2f "$(cat "$tmp/m$n")") s, $(echo "1000 * $(cat "$tmp/m$n") / $n_many" | bc -l | xargs printf %.2f) ms per task"
done
echo "64 ranks / 2 ranks wall time: $(echo "$(cat "$tmp/m64") / $(cat "$tmp/m2")" | bc -l | xargs printf %.2f)x"

cat >"$tmp/big.ini" <<'INI'
[sweep]
seeds = 1-5000
[benchmark]
type = seed
[algorithm random]
preset = quick
[algorithm random-r5]
type = random
count = 200
fidelity = 5
INI
cat >"$tmp/rank0-time.sh" <<EOF2
#!/bin/sh
if [ "\$OMPI_COMM_WORLD_RANK" = 0 ]; then exec /usr/bin/time -f %M -o $tmp/rss0 "\$@"; else exec "\$@"; fi
EOF2
chmod +x "$tmp/rank0-time.sh"
t=$(wall mpirun -n 2 "$tmp/rank0-time.sh" "$build/mfbo-sweep" "$tmp/big.ini" -o "$tmp/b.h5" --force --quiet)
echo "$(tasks_of "$tmp/big.ini") tasks on 2 ranks: $(printf %.1f "$t") s, rank 0 peak RSS $(( $(cat "$tmp/rss0") / 1024 )) MB, file $(du -m "$tmp/b.h5" | cut -f1) MB"
