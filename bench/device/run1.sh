# call 1 of issue 17 (commit 6f9a194 plus mfbo-sweep --timing, uncommitted then: "6f9a194-dirty"):
# environment, baseline scaling, the machine's ceiling, rank 0 with cheap tasks.
# Bundle: bash bench/device_bundle.sh build .devrun/s17; run from the repository root there.
D=.devrun/s17
export LD_LIBRARY_PATH=$PWD/$D/lib OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
sed -i "s#= \.\./data/#= $PWD/data/#" $D/jobs/*.ini
{ date; which mpirun; mpirun --version | head -1; ldconfig -p | grep -E 'libmpi.so|hdf5_serial.so'; lscpu | head -24; free -g; ldd $D/bin/mfbo-sweep | grep "not found"; cat /proc/loadavg; which bc awk; } 2>&1 | tee $OUT/env.txt
now() { date +%s.%N; }
z() { # zero-cost tasks: n ranks, seeds
  sed "s/^seeds *=.*/seeds = $2/" $D/jobs/zero-cost-tasks.ini > /tmp/z.ini
  t0=$(now); mpirun --oversubscribe --bind-to none -n $1 $D/bin/mfbo-sweep /tmp/z.ini -o /tmp/z.h5 --force -q --timing 2>&1 | tail -1
  echo "zero-cost n=$1 seeds=$2 wall $(awk -v a=$t0 -v b=$(now) 'BEGIN{print b-a}') file $(stat -c %s /tmp/z.h5)"
  $D/bin/bench/results_digest /tmp/z.h5
}
{ z 16 1-100000; z 64 1-100000; } 2>&1 | tee $OUT/zero.txt
bash $D/bench/scaling.sh -b $D/bin -n "1 8 16" -c 1-30 -x $D/jobs/scaling-dedispersion-MI250X.ini 2>&1 | tee $OUT/ceiling.md
bash $D/bench/scaling.sh -b $D/bin -o /tmp/sc $D/jobs/scaling-dedispersion-MI250X.ini 2>&1 | tee $OUT/scaling1.md
cp /tmp/sc/*n16.log $OUT/ 2>/dev/null; date
{ z 16 1-1000000; } 2>&1 | tee -a $OUT/zero.txt
