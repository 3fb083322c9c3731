/* optimum.c: each instance's optimum, searched by all ranks together (optimum.h). A space
 * of 10^7 configurations takes seconds per instance to enumerate; a study job has 10-20
 * instances, and every rank needs every optimum (a run's regret uses it). */
#include "optimum.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

int mfbo_sweep_find_optima(mfbo_benchmark *const *b, int n, MPI_Comm comm) {
  int rank, p;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &p);
  double *ms = malloc((size_t)n * sizeof *ms), *all_ms = malloc((size_t)n * p * sizeof *all_ms);
  int64_t *idx = malloc((size_t)n * sizeof *idx), *all_idx = malloc((size_t)n * p * sizeof *all_idx);
  int failed = !ms || !all_ms || !idx || !all_idx;
  for (int i = 0; i < n && !failed; i++) {
    ms[i] = INFINITY;
    idx[i] = -1;
    if (!mfbo_benchmark_enumerable(b[i])) continue;
    uint64_t size = mfbo_space_size(b[i]->space); /* <= 2^26: size * p fits in 64 bits */
    uint64_t begin = size * (uint64_t)rank / (uint64_t)p;
    uint64_t end = size * (uint64_t)(rank + 1) / (uint64_t)p;
    failed = mfbo_benchmark_scan(b[i], begin, end, &ms[i], &idx[i]) != 0;
  }
  int any_failed = 0;
  MPI_Allreduce(&failed, &any_failed, 1, MPI_INT, MPI_MAX, comm);
  if (!any_failed) {
    MPI_Allgather(ms, n, MPI_DOUBLE, all_ms, n, MPI_DOUBLE, comm);
    MPI_Allgather(idx, n, MPI_INT64_T, all_idx, n, MPI_INT64_T, comm);
    for (int i = 0; i < n; i++) {
      double best_ms = INFINITY;
      int64_t best_idx = -1;
      for (int r = 0; r < p; r++) /* parts in index order: strictly less keeps the lowest */
        if (all_ms[(size_t)r * n + i] < best_ms) {
          best_ms = all_ms[(size_t)r * n + i];
          best_idx = all_idx[(size_t)r * n + i];
        }
      mfbo_benchmark_set_optimum(b[i], best_ms, best_idx);
    }
  }
  free(ms);
  free(all_ms);
  free(idx);
  free(all_idx);
  return any_failed ? -1 : 0;
}
