#!/usr/bin/python3
"""results_doc.py: writes docs/results.md from the CSVs of bench/results_doc.sh (issue 25
item 8, issue 23 item 4): one study, every searcher on every landscape at B/16, B/8, B/4,
B/2 and B (B = pattern's median cost on the landscape), every cell where mfbo's median is not
the lowest marked with the rank-sum p-value against the lowest (computed by
bench/mfbo_anytime with src/analysis/stats.c; nothing is recomputed here).
  /usr/bin/python3 bench/results_doc.py DIR > docs/results.md
DIR holds NAME.csv (mfbo_anytime --csv), NAME.runs.csv (--runs-csv) per landscape and
meta.txt (key=value lines written by bench/results_doc.sh: commit, command, sizes, cuts)."""
import argparse
import csv
import os

FRACTIONS = ["1/16", "1/8", "1/4", "1/2", "1"]
FRACTION_HEAD = ["B/16", "B/8", "B/4", "B/2", "B"]
REAL = [("kt-convolution-A100", "convolution, A100"),
        ("kt-dedispersion-MI250X", "dedispersion, MI250X"),
        ("kt-pnpoly-RTX3090", "pnpoly, RTX 3090"),
        ("kt-matmul-H100", "Triton matmul, H100"),
        ("kt-softmax-H100", "Triton softmax, H100"),
        ("kt-attention-H100", "Triton attention, H100")]
SYNTH = [(f"anytime-synthetic-d{d}", f"synthetic d{d}") for d in range(5, 16)]
SUBJECT = "mfbo"
# the columns used here (bench/mfbo_anytime --csv)
COLUMNS = ["searcher", "fraction", "regret_median", "regret_q25", "regret_q75", "lowest",
           "lowest_median", "p_vs_lowest", "reference", "runs", "cost_cap_s", "instances",
           "seeds", "evals_median", "wall_s_median", "failed"]
META = ["commit", "tree", "command", "start", "end", "machine", "load_start", "load_end",
        "workers", "total_s", "searchers_doc", "size_doc"]


class BadInput(Exception):
    """An input that cannot be read; the message names it."""


def read_meta(d):
    path = os.path.join(d, "meta.txt")
    meta = {}
    try:
        with open(path) as f:
            for line in f:
                if "=" in line:
                    k, v = line.rstrip("\n").split("=", 1)
                    meta.setdefault(k, []).append(v)
    except (OSError, UnicodeDecodeError) as e:
        raise BadInput(f"{path}: cannot be read ({e})") from None
    missing = [k for k in META if k not in meta]
    if missing:
        raise BadInput(f"{path}: no {missing[0]}=: not the meta.txt of bench/results_doc.sh")
    return {k: v if k in ("cut", "wall") else v[0] for k, v in meta.items()}


CACHE = {}


def read_landscape(d, name):
    """{searcher: {fraction: row}} in the CSV's searcher order, or None if absent."""
    path = os.path.join(d, name + ".csv")
    if path in CACHE:
        return CACHE[path]
    if not os.path.exists(path):
        return None
    out = {}
    try:
        with open(path, newline="") as f:
            reader = csv.DictReader(f)
            missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
            rows = list(reader)
        if missing:
            raise BadInput(f"{path}: no column {missing[0]}: not a CSV of bench/mfbo_anytime")
        for r in rows:
            out.setdefault(r["searcher"], {})[r["fraction"]] = r
        for s, fr in out.items():
            absent = [f for f in FRACTIONS if f not in fr]
            if absent:
                raise BadInput(f"{path}: no row of {s} at fraction {absent[0]}")
            for r in fr.values():
                for c in ("regret_median", "regret_q25", "regret_q75", "lowest_median",
                          "p_vs_lowest", "cost_cap_s", "evals_median", "wall_s_median"):
                    float(r[c])
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise BadInput(f"{path}: cannot be read ({e})") from None
    except (ValueError, TypeError) as e:
        raise BadInput(f"{path}: {e}") from None
    CACHE[path] = out
    return out


def pct(x):
    x = float(x)
    return "inf" if x == float("inf") else f"{100 * x:.2f}"


def pval(p):
    p = float(p)
    if p != p:
        return "n/a"
    return f"{p:.2g}" if p >= 1e-3 else f"{p:.1e}"


def not_lowest(r):
    """mfbo's row at a fraction: True when its median is above the lowest searcher's."""
    return float(r["regret_median"]) > float(r["lowest_median"])


def summary_table(d, names):
    lines = ["| landscape | runs | B (s) | " + " | ".join(f"{h}: mfbo / lowest" for h in FRACTION_HEAD)
             + " |", "|---|---|---|" + "---|" * len(FRACTIONS)]
    misses = []
    for name, title in names:
        L = read_landscape(d, name)
        if L is None or SUBJECT not in L:
            continue
        m = L[SUBJECT]
        first = m["1"]
        label = title + (" (ref: best found)" if first["reference"] != "optimum" else "")
        cells = []
        for f, h in zip(FRACTIONS, FRACTION_HEAD):
            r = m[f]
            if not_lowest(r):
                cells.append(f"{pct(r['regret_median'])} / {pct(r['lowest_median'])} "
                             f"({r['lowest']}) **not lowest, p = {pval(r['p_vs_lowest'])}**")
                misses.append((title, h, r))
            else:
                cells.append(f"{pct(r['regret_median'])} (lowest)")
        lines.append(f"| {label} | {first['runs']} | {float(first['cost_cap_s']):.0f} | "
                     + " | ".join(cells) + " |")
    return lines, misses


def landscape_table(d, name, title):
    L = read_landscape(d, name)
    if L is None:
        return []
    first = next(iter(L.values()))["1"]
    ref = ("the exhaustive optimum" if first["reference"] == "optimum" else
           "the fastest configuration any run evaluated (the space is too large to enumerate)")
    out = [f"### {title} (`{name}`)", "",
           f"{first['instances']} instance(s) x seeds {first['seeds']} (runs: per searcher); "
           f"B = {float(first['cost_cap_s']):.1f} s; regret against {ref}. Median regret "
           "% [25%, 75%]; **bold**: the lowest median at that budget (ties included); evals: "
           "median evaluations at B; wall: median wall seconds per run on this machine.", "",
           "| searcher | " + " | ".join(f"{h} = {float(first['cost_cap_s']) * eval(f):.1f} s"
                                      for f, h in zip(FRACTIONS, FRACTION_HEAD))
           + " | runs | evals | wall s/run | failed |",
           "|---|" + "---|" * len(FRACTIONS) + "---|---|---|---|"]
    for s, rows in L.items():
        cells = []
        for f in FRACTIONS:
            r = rows[f]
            c = f"{pct(r['regret_median'])} [{pct(r['regret_q25'])}, {pct(r['regret_q75'])}]"
            if r["lowest"] == s or float(r["regret_median"]) <= float(r["lowest_median"]):
                c = f"**{pct(r['regret_median'])}** [{pct(r['regret_q25'])}, {pct(r['regret_q75'])}]"
            cells.append(c)
        last = rows["1"]
        out.append(f"| {s} | " + " | ".join(cells) +
                   f" | {last['runs']} | {float(last['evals_median']):.0f} | "
                   f"{float(last['wall_s_median']):.2f} "
                   f"| {last['failed']} |")
    out.append("")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir", metavar="DIR", help="the output directory of bench/results_doc.sh "
                    "(docs/results/study)")
    d = ap.parse_args().dir
    try:  # everything read before anything is printed
        if not os.path.isdir(d):
            raise BadInput(f"{d}: " + ("not a directory" if os.path.exists(d) else
                                       "no such directory"))
        meta = read_meta(d)
        found = [n for n, _ in REAL + SYNTH if read_landscape(d, n) is not None]
        if not found:
            raise BadInput(f"{d}: no LANDSCAPE.csv of bench/mfbo_anytime "
                           f"(such as {REAL[0][0]}.csv)")
    except BadInput as e:
        ap.exit(2, f"{ap.prog}: {e}\n")
    write(d, meta)


def write(d, meta):
    real_lines, real_miss = summary_table(d, REAL)
    syn_lines, syn_miss = summary_table(d, SYNTH)
    misses = real_miss + syn_miss
    n_cells = sum(len(FRACTIONS) for names in (REAL, SYNTH) for n, _ in names
                  if (L := read_landscape(d, n)) is not None and SUBJECT in L)
    P = []
    w = P.append
    w("# Results: every searcher on every landscape, at every budget")
    w("")
    w("<!-- Generated by bench/results_doc.sh (bench/results_doc.py): do not edit by hand; "
      "rerun the command. -->")
    w("")
    w(f"**One study, one command, one commit.** Everything below was generated by")
    w("")
    w(f"    {meta['command']}")
    w("")
    w(f"at commit `{meta['commit']}` (the commit of the script and of the binaries it ran; "
      f"tree {meta['tree']}), {meta['start']} to {meta['end']}, on {meta['machine']} "
      f"(shared with other work: load average {meta['load_start']} at the start, "
      f"{meta['load_end']} at the end), {meta['workers']} worker processes, "
      f"{meta['total_s']} s of wall time. The CSVs are in "
      "[results/study/](results/study/): per landscape `NAME.csv` (the medians, quartiles, "
      "the lowest searcher and the rank-sum p-values), `NAME.runs.csv` (every run's regret at "
      "every budget: the sample behind them), `NAME.txt` (bench/mfbo_anytime's table) and "
      "`NAME.log`. Earlier studies (issue 9's sweeps, issue 13's and issue 16's updates) were "
      "measured with other versions of the searchers; they are in git history "
      "(`git log -p docs/results.md`), not here.")
    w("")
    w("## What was measured")
    w("")
    w("- **Landscapes**: the recorded GPU landscapes of `data/` (jobs/kt-*.ini: "
      "convolution A100, dedispersion MI250X, pnpoly RTX 3090, Triton matmul, softmax and "
      "attention on an H100, those of them this run has; a run's measurements are resampled recorded repetitions) and the synthetic "
      "family at dimensions 5-15 (jobs/anytime-synthetic-dN.ini; docs/landscapes.md).")
    w(f"- **Searchers**, all at their defaults: {meta['searchers_doc']}.")
    w("- **Budget**: per landscape, pattern runs at its defaults without a budget on every "
      "(instance, seed); B = the median of their costs. Then every searcher (pattern too) runs "
      "with `budget_cost_s = B` on every (instance, seed), and each run's regret is read from "
      "its trace at B/16, B/8, B/4, B/2 and B: the true time of the incumbent after the last "
      "evaluation whose cumulative cost is <= the cut, / the optimum - 1 (inf before the "
      "first evaluation). One reader for every searcher, the external ones included: "
      "`bench/mfbo_anytime` runs each through the same run loop (`mfbo_run`; TPE as "
      "`type = external`, docs/external-protocol.md) and reads the same trace.")
    w("- **Cost** = simulated seconds of compile + timed repetitions (docs/design.md); "
      "**regret** is against the exhaustive optimum, except synthetic d14 and d15 (too large "
      "to enumerate), where it is against the fastest configuration any run of the study "
      "evaluated on that instance.")
    w("- **Test**: where mfbo's median is not the lowest of all searchers, the cell gives the "
      "two-sided Wilcoxon-Mann-Whitney rank-sum p-value of mfbo's regrets against those of the "
      "searcher with the lowest median (ties: the lower 75% quantile), from "
      "src/analysis/stats.c (`mfbo_ranksum_test`: exact without ties and n <= 20, else the "
      "tie-corrected normal approximation with GSL's normal tail). Uncorrected for the number "
      f"of cells ({n_cells}).")
    w(f"- **Size**: {meta['size_doc']}")
    w("")
    w("## Cuts, and why")
    w("")
    for c in meta.get("cut", []):
        w(f"- {c}")
    w("")
    w("## Summary: mfbo against the lowest searcher at every budget")
    w("")
    w("Median regret % of mfbo / of the searcher with the lowest median (which one); "
      "\"(lowest)\": mfbo's median is the lowest (ties included). **not lowest**: another "
      "searcher's median is lower; p: the rank-sum test of the two samples.")
    w("")
    w("Real landscapes:")
    w("")
    P.extend(real_lines)
    w("")
    w("Synthetic family:")
    w("")
    P.extend(syn_lines)
    w("")
    w("## Where mfbo is not the lowest")
    w("")
    if not misses:
        w("Nowhere: mfbo's median is the lowest (or tied) in every cell.")
    else:
        sig = [m for m in misses if float(m[2]["p_vs_lowest"]) < 0.05]
        w(f"{len(misses)} of {n_cells} cells; in {len(sig)} of them the rank-sum p-value is "
          "below 0.05 (uncorrected).")
        w("")
        w("| landscape | budget | mfbo median % [25%, 75%] | lowest | its median % | rank-sum p |")
        w("|---|---|---|---|---|---|")
        for title, h, r in misses:
            w(f"| {title} | {h} | {pct(r['regret_median'])} [{pct(r['regret_q25'])}, "
              f"{pct(r['regret_q75'])}] | {r['lowest']} | {pct(r['lowest_median'])} | "
              f"{pval(r['p_vs_lowest'])} |")
    w("")
    w("## Every searcher, per landscape")
    w("")
    for name, title in REAL + SYNTH:
        P.extend(landscape_table(d, name, title))
    w("## Wall time per landscape")
    w("")
    w("| landscape | wall s (both passes, loading included) |")
    w("|---|---|")
    for line in meta.get("wall", []):
        n, t = line.split(" ", 1)
        w(f"| {n} | {t} |")
    w("")
    w("## What these results do not show")
    w("")
    w("- Real GPUs: the real landscapes replay recorded Kernel Tuner and Triton measurements "
      "(noise resampled from recorded repetitions, compile times as recorded); nothing here "
      "ran a kernel (live tuning: docs/live.md).")
    w("- Large samples: see Size and Cuts. Medians of a few runs (each table says how many) "
      "of bimodal outcomes (convolution) move by tens of points with the seeds; the p-values say what is "
      "resolved, and they are not corrected for the number of cells.")
    w("- Tuned searchers: every searcher runs at its defaults; mfbo's defaults were chosen on "
      "the seed benchmark, the real landscapes and tuning seeds outside this study's seeds "
      "(docs/mfbo.md), which favours mfbo on the real landscapes.")
    w("- Budgets other than pattern's median cost, the wall time a searcher itself takes "
      "(mfbo and TPE take seconds a run, the others milliseconds: the per-landscape tables), "
      "other Optuna samplers or versions (Debian 12's optuna 3.1).")
    print("\n".join(P))


if __name__ == "__main__":
    main()
