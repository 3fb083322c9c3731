/* optimum.h: the exhaustive search for each benchmark instance's optimum, shared among the
 * ranks of a sweep. */
#ifndef MFBO_SWEEP_OPTIMUM_H
#define MFBO_SWEEP_OPTIMUM_H

#include <mpi.h>

#include "mfbo/benchmark.h"

/* Every rank of comm calls it with the same n landscapes (built without their optimum:
 * mfbo_benchmark_build). Rank r of p times the r-th p-th of each enumerable space; the
 * parts are gathered, and every rank records the same optimum as one process searching
 * the whole space would (the lowest index wins a tie), whatever p is. Returns 0, or -1 on
 * every rank when one of them ran out of memory. */
int mfbo_sweep_find_optima(mfbo_benchmark *const *b, int n, MPI_Comm comm);

#endif
