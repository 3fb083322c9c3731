#!/usr/bin/env bash
# test_install.sh SRC: what a new user does with a fresh clone (issue 15). Clones the
# repository's HEAD into an empty temporary directory (nothing beside it: no folder outside the repository),
# builds it in Release with the users' default options (warnings are not errors), installs
# it to a prefix, and checks the installation: the three programs; libmfbo with its public
# headers (and not the private ones); mfbo.pc and the CMake package, by building the example
# searcher (examples/) against them with pkg-config and with CMake and running it; the man
# pages, each rendered by `man -l`; an installed Kernel Tuner job run from another
# directory, and a job anywhere that names a data file by its bare name (found in the
# installed data directory); the live example (jobs/live-cpu.ini, examples/live-cpu) loaded and
# run from another directory. Committed files only: uncommitted changes are not in a clone.
# Exit 77 (skipped) only without git or a git checkout to clone.
set -u
src=$1
command -v git >/dev/null && git -C "$src" rev-parse --verify -q HEAD >/dev/null || {
  echo "SKIPPED: no git, or $src is not a git checkout" >&2
  exit 77
}
fail=0
check() { if eval "$2"; then echo "ok: $1"; else echo "FAILED: $1" >&2; fail=1; fi; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/clone" "$tmp/elsewhere"
repo=$tmp/clone/mfbo-sweep
prefix=$tmp/prefix
log=$tmp/log
export MFBO_WERROR=OFF # a user's build, even under .ci/run
git clone -q --no-hardlinks "$src" "$repo"; check "git clone" "[ $? -eq 0 ]"
check "nothing beside the clone" "[ \"\$(ls -A $tmp/clone)\" = mfbo-sweep ]"
cmake -S "$repo" -B "$tmp/build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
  -DCMAKE_INSTALL_PREFIX="$prefix" >"$log" 2>&1
check "configure (Release)" "[ $? -eq 0 ]" || cat "$log" >&2
cmake --build "$tmp/build" -j2 >"$log" 2>&1; rc=$?
check "build (Release)" "[ $rc -eq 0 ]"
[ $rc -eq 0 ] || { tail -40 "$log" >&2; exit 1; }
cmake --install "$tmp/build" --prefix "$prefix" >"$log" 2>&1
check "install" "[ $? -eq 0 ]" || cat "$log" >&2

# What is installed, and what is not.
for f in bin/mfbo-sweep bin/mfbo-analyze bin/mfbo-landscape lib/libmfbo.a lib/pkgconfig/mfbo.pc \
         lib/cmake/mfbo/mfboConfig.cmake lib/cmake/mfbo/mfboConfigVersion.cmake \
         include/mfbo/space.h include/mfbo/benchmark.h include/mfbo/searcher.h include/mfbo/run.h \
         share/man/man1/mfbo-sweep.1 share/man/man1/mfbo-analyze.1 share/man/man1/mfbo-landscape.1 \
         share/man/man5/mfbo-job.5 share/mfbo/jobs/kt-pnpoly-RTX3090.ini share/mfbo/jobs/seed-quick.ini \
         share/mfbo/data/README.md share/mfbo/data/pnpoly_RTX3090.json.gz \
         share/mfbo/data/convolution_milo_A100.json.gz share/mfbo/data/dedispersion_milo_MI250X.json.gz \
         share/mfbo/data/triton_matmul_H100.json.gz share/mfbo/data/triton_softmax_H100.json.gz \
         share/mfbo/data/triton_attention_H100.json.gz \
         share/mfbo/examples/greedy.c share/mfbo/examples/CMakeLists.txt \
         share/mfbo/examples/greedy_plugin.c share/mfbo/examples/greedy.ini include/mfbo/plugin.h \
         share/mfbo/jobs/external-template.ini; do
  check "installed: $f" "[ -f $prefix/$f ]"
done
for f in share/mfbo/adapters/optuna_tpe.py share/mfbo/adapters/random_template.py; do
  check "installed, executable: $f" "[ -x $prefix/$f ]"
done
# The installed headers are the API and only the API (CMakeLists.txt), and each compiles on
# its own against the installed headers alone.
api="benchmark.h error.h job.h plugin.h run.h searcher.h settings.h space.h"
check "installed headers: exactly the API" \
  "[ \"\$(ls $prefix/include/mfbo | tr '\\n' ' ')\" = \"$api \" ] && [ -z \"\$(ls $prefix/include | grep -v '^mfbo\$')\" ]"
for h in $api; do
  check "compiles alone: mfbo/$h" \
    "echo '#include <mfbo/$h>' | cc -std=c11 -fsyntax-only -Werror -I$prefix/include \$(pkg-config --cflags gsl) -x c -"
done
check "--version" "$prefix/bin/mfbo-sweep --version >/dev/null"

# The man pages render, without warnings.
if command -v man >/dev/null; then
  for page in man1/mfbo-sweep.1 man1/mfbo-analyze.1 man1/mfbo-landscape.1 man5/mfbo-job.5; do
    MANWIDTH=80 man -l "$prefix/share/man/$page" >"$tmp/page" 2>"$tmp/err"
    check "man -l $page" "[ $? -eq 0 ] && [ ! -s $tmp/err ] && grep -q '^NAME' $tmp/page && [ \$(wc -l <$tmp/page) -gt 20 ]"
    cat "$tmp/err" >&2
  done
else
  echo "FAILED: man is not installed (scripts/install-deps.sh installs man-db)" >&2
  fail=1
fi

# The example searcher, built outside the tree against the installed package.
cp -r "$prefix/share/mfbo/examples" "$tmp/ex-pc"
make -s -C "$tmp/ex-pc" PKG_CONFIG_PATH="$prefix/lib/pkgconfig" >"$log" 2>&1
check "examples with pkg-config: build" "[ $? -eq 0 ]" || cat "$log" >&2
(cd "$tmp/elsewhere" && "$tmp/ex-pc/run_greedy" >"$tmp/ex.out" 2>"$tmp/err"); rc=$?
check "examples with pkg-config: run" "[ $rc -eq 0 ] && [ \$(grep -c '^greedy ' $tmp/ex.out) -eq 9 ]"
check "... the greedy searcher finds instance 1's optimum" "grep -q '^greedy  *1  *1  *[0-9]*  *[0-9.]*  *1.998048  *0.0000' $tmp/ex.out"
cmake -S "$repo/examples" -B "$tmp/ex-cmake" -DCMAKE_PREFIX_PATH="$prefix" >"$log" 2>&1 &&
  cmake --build "$tmp/ex-cmake" >>"$log" 2>&1
check "examples with CMake (find_package(mfbo)): build" "[ $? -eq 0 ]" || cat "$log" >&2
"$tmp/ex-cmake/run_greedy" >"$tmp/ex2.out" 2>"$tmp/err"
check "examples with CMake: run, the same output" "[ $? -eq 0 ] && cmp -s $tmp/ex.out $tmp/ex2.out"

# The example searcher as a plugin (libgreedy.so, loaded by the installed mfbo-sweep from
# greedy.ini beside it), from another directory: its runs are the library run loop's.
(cd "$tmp/elsewhere" && "$prefix/bin/mfbo-sweep" "$tmp/ex-pc/greedy.ini" -o greedy.h5 --quiet 2>"$tmp/err")
check "the plugin through the installed mfbo-sweep (pkg-config build)" "[ $? -eq 0 ] && [ -f $tmp/elsewhere/greedy.h5 ]" || cat "$tmp/err" >&2
/usr/bin/python3 - "$tmp/elsewhere/greedy.h5" >"$tmp/plugin.out" <<'PY'
import sys, h5py
for r in h5py.File(sys.argv[1])["runs"]:
    if r["algorithm"] == b"greedy" and r["seed"] <= 3:
        print("%-8s  %8d  %4d  %5d  %6.2f  %12.6f  %6.4f" % ("greedy", r["instance"], r["seed"],
              r["n_evals"], r["cost_s"], r["incumbent_true_ms"], r["regret"]))
PY
check "... the same runs as run_greedy's (9 of them)" "grep '^greedy ' $tmp/ex.out | cmp -s - $tmp/plugin.out && [ \$(wc -l <$tmp/plugin.out) -eq 9 ]"
(cd "$tmp/elsewhere" && "$prefix/bin/mfbo-sweep" "$tmp/ex-cmake/greedy.ini" -o greedy2.h5 --quiet 2>"$tmp/err")
check "the plugin built with CMake: the same results" "[ $? -eq 0 ] && /usr/bin/python3 $repo/tests/sweep/same_results.py $tmp/elsewhere/greedy.h5 $tmp/elsewhere/greedy2.h5" || cat "$tmp/err" >&2
sed 's/^plugin = .*/plugin = libmissing.so/' "$tmp/ex-pc/greedy.ini" >"$tmp/ex-pc/missing.ini"
"$prefix/bin/mfbo-sweep" "$tmp/ex-pc/missing.ini" -o "$tmp/missing.h5" --quiet 2>"$tmp/err"
check "a plugin that is not there: exit 2, FILE:LINE, nothing written" "[ $? -eq 2 ] && grep -q 'missing.ini:[0-9]*: .*plugin libmissing.so: not found' $tmp/err && [ ! -e $tmp/missing.h5 ]" || cat "$tmp/err" >&2
printf 'int x;\n' >"$tmp/notplugin.c" && cc -shared -fPIC -o "$tmp/ex-pc/libnot.so" "$tmp/notplugin.c"
sed 's/^plugin = .*/plugin = libnot.so/' "$tmp/ex-pc/greedy.ini" >"$tmp/ex-pc/not.ini"
"$prefix/bin/mfbo-sweep" "$tmp/ex-pc/not.ini" -o "$tmp/not.h5" --quiet 2>"$tmp/err"
check "a shared object that is no plugin: exit 2, saying so" "[ $? -eq 2 ] && grep -q 'not an mfbo plugin' $tmp/err" || cat "$tmp/err" >&2

# An installed Kernel Tuner job, from another directory: its data is found beside it.
cd "$tmp/elsewhere" || exit 1
"$prefix/bin/mfbo-landscape" "$prefix/share/mfbo/jobs/kt-pnpoly-RTX3090.ini" >"$tmp/s" 2>"$tmp/err"
check "installed kt job: mfbo-landscape" "[ $? -eq 0 ] && grep -q '^valid: 3774 of 4092\$' $tmp/s" || cat "$tmp/err" >&2
"$prefix/bin/mfbo-sweep" "$prefix/share/mfbo/jobs/kt-pnpoly-RTX3090.ini" -o pnpoly.h5 --quiet 2>"$tmp/err"
check "installed kt job: mfbo-sweep" "[ $? -eq 0 ] && [ -f pnpoly.h5 ]" || cat "$tmp/err" >&2
"$prefix/bin/mfbo-analyze" pnpoly.h5 -q >"$tmp/s" 2>"$tmp/err"
check "installed kt job: mfbo-analyze" "[ $? -eq 0 ] && grep -q 'The seed.s table' $tmp/s && [ -f pnpoly-analysis/convergence-cost.png ]" || cat "$tmp/err" >&2
# An installed job with an external searcher: its command (../adapters/...) is found beside it.
"$prefix/bin/mfbo-sweep" "$prefix/share/mfbo/jobs/external-template.ini" -o template.h5 --quiet 2>"$tmp/err"
check "installed external job: mfbo-sweep" "[ $? -eq 0 ] && [ -f template.h5 ]" || cat "$tmp/err" >&2
# A job anywhere may name an installed data file by its name alone.
printf '[sweep]\nseeds = 1-2\nbudget_evals = 10\n[benchmark]\ntype = kerneltuner\nfile = convolution_milo_A100.json.gz\n[algorithm random]\n' >bare.ini
"$prefix/bin/mfbo-landscape" bare.ini >"$tmp/s" 2>"$tmp/err"
check "a bare data file name: the installed data directory" "[ $? -eq 0 ] && grep -q '^valid: 4201 of 4362\$' $tmp/s" || cat "$tmp/err" >&2
# The live example (type command): the installed job loads from elsewhere without running
# anything; a tiny live job runs the installed run.sh (compiles matmul.c in a temporary dir).
"$prefix/bin/mfbo-landscape" "$prefix/share/mfbo/jobs/live-cpu.ini" >"$tmp/s" 2>"$tmp/err"
check "installed live job: mfbo-landscape" "[ $? -eq 0 ] && grep -q '^space: 864 configurations' $tmp/s" || cat "$tmp/err" >&2
printf '[sweep]\nseeds = 1\nbudget_evals = 2\n[benchmark]\ntype = command\ncommand = sh %s\nparam.BLOCK_I = 32\nparam.BLOCK_J = 32\nparam.BLOCK_K = 32, 64\nparam.UNROLL = 1\nfinal_reps = 2\n[algorithm random]\n' \
  "$prefix/share/mfbo/examples/live-cpu/run.sh" >live.ini
"$prefix/bin/mfbo-sweep" live.ini -o live.h5 --quiet 2>"$tmp/err"
check "installed live example: mfbo-sweep" "[ $? -eq 0 ] && [ -f live.h5 ]" || cat "$tmp/err" >&2
exit $fail
