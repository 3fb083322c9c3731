#!/usr/bin/env bash
# Writes the seed corpora (tests/fuzz/corpus/NAME) from the repository's own files:
#   bash tests/fuzz/make_corpus.sh BUILD_DIR
# job: the test jobs and the small shipped ones; kerneltuner: the first entries of each file
# in data/ (as JSON, and gzip-compressed), and a few hand-made caches; journal and results:
# the journals and the results file of fuzz_journal's job (BUILD_DIR/tests/fuzz/fuzz_make_corpus).
set -euo pipefail
cd "$(dirname "$0")/../.."
build=$(cd "$1" && pwd)
c=tests/fuzz/corpus
rm -rf $c && mkdir -p $c/job $c/kerneltuner $c/journal $c/results
cp tests/jobs/*.ini tests/sweep/small.ini tests/sweep/f.ini $c/job/
for j in seed-quick seed-full synthetic-family synthetic-family-d5 kt-pnpoly-RTX3090; do
  cp jobs/$j.ini $c/job/shipped-$j.ini
done
python3 - "$c/kerneltuner" <<'PY'
import gzip, json, sys, pathlib
out = pathlib.Path(sys.argv[1])
for src in sorted(pathlib.Path("data").glob("*.json*")):
    raw = gzip.open(src).read() if src.name.endswith(".gz") else src.read_bytes()
    doc = json.loads(raw)
    keys = list(doc["cache"])[:12]
    doc["cache"] = {k: doc["cache"][k] for k in keys}
    text = json.dumps(doc, indent=1).encode()
    stem = src.name.split(".")[0]
    (out / f"{stem}.json").write_bytes(text)
    (out / f"{stem}.json.gz").write_bytes(gzip.compress(text, mtime=0))
    (out / f"{stem}-G.txt").write_bytes(b"G" + json.dumps(doc).encode())  # compressed by the harness
    (out / f"{stem}-truncated.json").write_bytes(text[: len(text) * 2 // 3])
small = {"tune_params_keys": ["a", "b"], "tune_params": {"a": [1, 2, 4], "b": ["x", "y"]},
         "cache": {"1,x": {"a": 1, "b": "x", "time": 1.5, "times": [1.4, 1.6], "compile_time": 100},
                   "2,x": {"a": 2, "b": "x", "time": "CompilationFailedConfig"},
                   "4,y": {"a": 4, "b": "y", "time": 0.5, "benchmark_time": 2.0, "times": [0.5]}}}
(out / "small.json").write_bytes(json.dumps(small).encode())
(out / "empty-cache.json").write_bytes(b'{"tune_params_keys": [], "tune_params": {}, "cache": {}}')
PY
"$build/tests/fuzz/fuzz_make_corpus" $c/journal $c/results
du -sh $c/*
