# call 2 of issue 17, commit ce30b1f (bundle: bench/device_bundle.sh, plus bench/load_time built as in bench/load_landscapes.sh)
D=.devrun/s17
export LD_LIBRARY_PATH=$PWD/$D/lib OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
sed -i "s#= \.\./data/#= $PWD/data/#" $D/jobs/*.ini
now() { date +%s.%N; }
z() { # zero-cost tasks: n ranks, seeds
  sed "s/^seeds *=.*/seeds = $2/" $D/jobs/zero-cost-tasks.ini > /tmp/z.ini
  t0=$(now); mpirun --oversubscribe --bind-to none -n $1 $D/bin/mfbo-sweep /tmp/z.ini -o /tmp/z.h5 --force -q --timing 2>&1 | tail -1
  echo "zero-cost n=$1 seeds=$2 wall $(awk -v a=$t0 -v b=$(now) 'BEGIN{print b-a}') file $(stat -c %s /tmp/z.h5)"
  $D/bin/bench/results_digest /tmp/z.h5
}
{ $D/bin/mfbo-sweep --version; z 16 1-100000; z 64 1-100000; z 16 1-1000000; } 2>&1 | tee $OUT/zero2.txt
for i in 1 2 3; do $D/load_time $D/jobs/scaling-dedispersion-MI250X.ini; done 2>&1 | tee $OUT/load.txt
{ time $D/bin/mfbo-sweep $D/jobs/scaling-dedispersion-MI250X.ini --dry-run >/dev/null; } 2>&1 | tee -a $OUT/load.txt
bash $D/bench/scaling.sh -b $D/bin -o /tmp/sc $D/jobs/scaling-dedispersion-MI250X.ini 2>&1 | tee $OUT/scaling2.md
bash $D/bench/scaling.sh -b $D/bin -n "1 16" -o /tmp/sr $D/jobs/study-real-dedispersion-MI250X.ini 2>&1 | tee $OUT/real2.md
date
