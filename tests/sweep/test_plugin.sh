#!/usr/bin/env bash
# test_plugin.sh BIN SRC: searcher plugins (issue 15; include/mfbo/plugin.h). The example
# searcher (examples/greedy.c) built as a plugin against the source tree's headers runs
# through mfbo-sweep on 1 and 2 ranks with the same results; a plugin of another interface
# version, a type the plugin lacks, and a plugin that is not there are refused at load
# (exit 2, FILE:LINE, nothing written).
set -u
bin=$1; src=$2
. "$src/tests/sweep/lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export OMPI_MCA_btl_vader_backing_directory=$tmp OMPI_MCA_orte_tmpdir_base=$tmp
cc=${CC:-cc}
cp "$src/examples/greedy.c" "$src/examples/greedy.h" "$src/examples/greedy_plugin.c" "$src/examples/greedy.ini" "$tmp/"
gsl_cflags=$(pkg-config --cflags gsl 2>/dev/null)
$cc -std=c11 -fPIC -shared -I"$src/include" $gsl_cflags -o "$tmp/libgreedy.so" "$tmp/greedy_plugin.c" "$tmp/greedy.c"
check "the example plugin builds" "[ $? -eq 0 ]"
sed -i 's/^seeds = .*/seeds = 1-2/' "$tmp/greedy.ini"
cd "$tmp" || exit 1
"$bin/mfbo-sweep" greedy.ini -o one.h5 --quiet
check "1 rank: exit 0" "[ $? -eq 0 ]"
check "... greedy's runs are in the file (6: 3 instances x 2 seeds)" \
  "[ \"\$(/usr/bin/python3 -c \"import h5py; r=h5py.File('one.h5')['runs']; print(sum(r['algorithm_type'] == b'greedy'))\")\" = 6 ]"
timeout -k 5 120 mpirun -n 2 "$bin/mfbo-sweep" greedy.ini -o two.h5 --quiet
check "2 ranks: exit 0, the same results" "[ $? -eq 0 ] && same_results one.h5 two.h5"

# another interface version
printf '#include <mfbo/plugin.h>\nconst int mfbo_plugin_abi = MFBO_PLUGIN_ABI + 1;\nextern const mfbo_searcher_type greedy_searcher;\nconst mfbo_searcher_type *const mfbo_plugin_searchers[] = {&greedy_searcher, NULL};\n' >old.c
$cc -std=c11 -fPIC -shared -I"$src/include" $gsl_cflags -o libold.so old.c greedy.c
sed 's/^plugin = .*/plugin = libold.so/' greedy.ini >old.ini
"$bin/mfbo-sweep" old.ini -o old.h5 --quiet 2>err
check "a plugin of another interface version: exit 2, FILE:LINE, 'rebuild it', nothing written" \
  "[ $? -eq 2 ] && grep -q '^old.ini:[0-9]*: .*built against searcher interface .*rebuild it' err && [ ! -e old.h5 ] && [ ! -e old.h5.partial ]"
sed 's/^type = greedy/type = steepest/' greedy.ini >notype.ini
"$bin/mfbo-sweep" notype.ini -o notype.h5 --quiet 2>err
check "a type the plugin lacks: exit 2, naming those it has" \
  "[ $? -eq 2 ] && grep -q \"has no searcher type 'steepest' (it has: greedy)\" err"
sed 's/^plugin = .*/plugin = nowhere\/libgreedy.so/' greedy.ini >missing.ini
timeout -k 5 120 mpirun -n 2 "$bin/mfbo-sweep" missing.ini -o missing.h5 --quiet 2>err
check "a plugin that is not there, 2 ranks: exit 2, one message, no hang" \
  "[ $? -eq 2 ] && [ \$(grep -c 'plugin nowhere/libgreedy.so: not found' err) -eq 1 ] && [ ! -e missing.h5 ]"
exit $fail
