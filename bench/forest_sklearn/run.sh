#!/usr/bin/env bash
# run.sh: a test-free check of src/model/forest.c against scikit-learn (python3-sklearn,
# Debian 12: 1.2.1): the same weighted training set (300 samples, 6 features, a noisy
# rule; gen.py), RandomForestClassifier(criterion="log_loss", n_estimators=100,
# random_state=42) as Helion's LFBO fits it, against our forest (drv.c); on 2000 test
# points it prints both AUCs and accuracies, how far our probabilities are from
# scikit-learn's, and, for scale, how far scikit-learn's are from its own with seed 7.
# Usage, from the repository root: bash bench/forest_sklearn/run.sh
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)/src
dir=$(mktemp -d)
cp "$(dirname "$0")"/{gen.py,drv.c,cmp.py} "$dir"
cd "$dir"
/usr/bin/python3 gen.py
gcc -O2 -I"$src" drv.c "$src/model/forest.c" -lgsl -lgslcblas -lm -o drv
./drv > ours.txt
/usr/bin/python3 cmp.py
rm -rf "$dir"
