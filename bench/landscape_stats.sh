#!/usr/bin/env bash
# landscape_stats.sh: how the landscapes look from a searcher's point of view, side by side:
# for each job's benchmark, the share of failing configurations, and over the valid ones
# the quantiles (10/25/50/75/90%) of true time / optimum and the share within 5% of the
# optimum. Everything comes from `mfbo-landscape JOB --csv` (the whole space, not a sample;
# quantiles interpolate linearly, as GSL's gsl_stats_quantile_from_sorted_data does).
# The table in docs/landscapes.md is this script's output.
# Usage: bash bench/landscape_stats.sh [BUILD_DIR] [JOB[@INSTANCE] ... | --knobs]
#   (from the repository root; --knobs: synthetic instance 1, dimension 8, one knob at a time)
#   default jobs: the three datasets of data/, synthetic instances 1-5 at the default
#   dimension 8, and instance 1 at dimensions 5 and 10 (a minute or two in all).
set -euo pipefail
build=${1:-build}
shift || true
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

synthetic_job() { # DIMENSION [KEY = VALUE] -> a job file on stdout
  printf '[sweep]\nseeds = 1\n[benchmark]\ntype = synthetic\ndimension = %s\n%s\n[algorithm random]\n' \
    "$1" "${2:-}"
}

given="$*"
if [ "${1:-}" = --knobs ]; then
  shift
  for knob in "spread = 0.2" "spread = 0.8" "interaction = 0" "interaction = 2" "ruggedness = 0" \
              "ruggedness = 0.1" "invalid_fraction = 0" "invalid_fraction = 0.2"; do
    f="$tmp/${knob// = /=}.ini"
    synthetic_job 8 "$knob" >"$f"
    set -- "$@" "$f"
  done
  synthetic_job 8 >"$tmp/defaults.ini"
  set -- "$tmp/defaults.ini" "$@"
elif [ $# -eq 0 ]; then
  set -- jobs/kt-convolution-A100.ini jobs/kt-dedispersion-MI250X.ini jobs/kt-pnpoly-RTX3090.ini
  for d in 5 8 10; do synthetic_job "$d" >"$tmp/synthetic-d$d.ini"; done
  for i in 1 2 3 4 5; do set -- "$@" "$tmp/synthetic-d8.ini@$i"; done
  set -- "$@" "$tmp/synthetic-d5.ini@1" "$tmp/synthetic-d10.ini@1"
fi

# stdin: the CSV; prints: configurations, failed %, optimum, quantiles of t/opt, within 5 %.
summarise() {
  awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "valid") v = i; next }
           { n++; if ($v == 1) print $(v + 1); else failed++ }
           END { printf "%d %d\n", n, failed > "/dev/stderr" }' 2>"$tmp/counts" |
    sort -g >"$tmp/times"
  read -r n failed <"$tmp/counts"
  awk -v n="$n" -v failed="$failed" '
    { t[NR] = $1 }
    function q(p,   h, i) { h = (NR - 1) * p; i = int(h); return (t[i + 1] + (h - i) * (t[i + 2 > NR ? NR : i + 2] - t[i + 1])) / t[1] }
    END {
      for (i = 1; i <= NR; i++) within += t[i] <= 1.05 * t[1]
      printf "%9d %7.2f%% %12.6g %6.3f %6.3f %6.3f %6.3f %6.3f %8.3f%% %6d\n", n, 100 * failed / n,
             t[1], q(0.10), q(0.25), q(0.50), q(0.75), q(0.90), 100 * within / NR, within }' "$tmp/times"
}

printf '%-26s %9s %8s %12s %6s %6s %6s %6s %6s %9s %6s\n' landscape configs failed optimum_ms \
  q10 q25 q50 q75 q90 within5 n5
for spec in "$@"; do
  job=${spec%@*}
  instance=1
  [ "$spec" != "$job" ] && instance=${spec##*@}
  name=$(basename "$job" .ini)
  [ "$instance" != 1 ] || [[ $name == synthetic* ]] && name="$name/i$instance"
  "$build/mfbo-landscape" "$job" --csv --instance "$instance" >"$tmp/csv"
  printf '%-26s %s\n' "$name" "$(summarise <"$tmp/csv")"
done
echo "(q: quantiles of true time / optimum over valid configurations; within5, n5: share and"
echo " number of valid configurations within 5% of the optimum; command:"
echo " bash bench/landscape_stats.sh $build${given:+ $given})"
