# call 3 of issue 17, commit ce30b1f against 6f9a194 (its mfbo-sweep built into .devrun/s17/old), one machine
D=.devrun/s17
export LD_LIBRARY_PATH=$PWD/$D/lib OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
sed -i "s#= \.\./data/#= $PWD/data/#" $D/jobs/*.ini
now() { date +%s.%N; }
run() { # label bin n job out
  t0=$(now); mpirun --oversubscribe --bind-to none -n $3 $2 $4 -o $5 --force -q $6 2>&1 | tail -1
  echo "$1 n=$3 $(basename $4) wall $(awk -v a=$t0 -v b=$(now) 'BEGIN{printf "%.2f", b-a}')"
}
sed "s/^seeds *=.*/seeds = 1-100000/" $D/jobs/zero-cost-tasks.ini > /tmp/z.ini
J=$D/jobs/scaling-dedispersion-MI250X.ini
{ for rep in 1 2; do
  for v in old new; do b=$D/bin/mfbo-sweep; t=--timing; [ $v = old ] && { b=$D/old/mfbo-sweep; t=; }
    run $v $b 16 /tmp/z.ini /tmp/z-$v.h5 $t; run $v $b 64 /tmp/z.ini /tmp/z-$v.h5 $t
    run $v $b 16 $J /tmp/d16-$v.h5 $t
  done; done
  run old $D/old/mfbo-sweep 1 $J /tmp/d1-old.h5; run new $D/bin/mfbo-sweep 1 $J /tmp/d1-new.h5 --timing
  $D/bin/bench/results_digest /tmp/d*-*.h5 /tmp/z-*.h5; } 2>&1 | tee $OUT/side.txt
sed "s/^seeds *=.*/seeds = 1-1000/" $J > $D/jobs/scaling-dedispersion-MI250X-s1000.ini
bash $D/bench/scaling.sh -b $D/bin -n "1 16" $D/jobs/scaling-dedispersion-MI250X-s1000.ini 2>&1 | tee $OUT/big3.md
date
