# call 4 of issue 17 (the lead, after merging issue 15's loader changes: each landscape built
# once per rank, the optimum search shared among the ranks): the 800-task job on
# 1-16 ranks. Bundle: bash bench/device_bundle.sh build .devrun/s17b; run from the repository
# root there.
D=.devrun/s17b
export LD_LIBRARY_PATH=$PWD/$D/lib OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
sed -i "s#= \.\./data/#= $PWD/data/#" $D/jobs/*.ini
bash $D/bench/scaling.sh -b $D/bin $D/jobs/scaling-dedispersion-MI250X.ini 2>&1 | tee $OUT/scaling4.md
date
