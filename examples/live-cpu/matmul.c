/* matmul.c: the kernel of the live-cpu example: C = A x B for N x N doubles, blocked
 * (tiles BLOCK_I x BLOCK_J, depth BLOCK_K) with the innermost loop unrolled UNROLL times.
 * The tiling parameters are compile-time constants (cc -DBLOCK_I=32 ...), as a GPU kernel's
 * are; run.sh compiles it once per configuration (worker.py: once per configuration in a
 * persistent worker, as a shared library timed in process). It times itself: `matmul REPS` runs one
 * untimed warm-up, then REPS timed repetitions (clock_gettime, CLOCK_MONOTONIC), and prints
 * one `time_ms=...` line per repetition, the form the `command` benchmark reads
 * (docs/live.md).
 * Invalid configurations, as a GPU kernel whose tiles exceed shared memory has them: a rule
 * stands in for that limit (the loops do not copy tiles): A and B tiles of more than 128 KiB
 * together fail at once, with why on stderr and exit status 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef N
#define N 256
#endif
#ifndef BLOCK_I
#define BLOCK_I 32
#endif
#ifndef BLOCK_J
#define BLOCK_J 32
#endif
#ifndef BLOCK_K
#define BLOCK_K 32
#endif
#ifndef UNROLL
#define UNROLL 1
#endif
#define TILE_LIMIT_BYTES 131072 /* the stand-in for a shared-memory limit */

static double A[N][N], B[N][N], C[N][N];

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return 1e3 * (double)t.tv_sec + 1e-6 * (double)t.tv_nsec;
}

static void matmul(void) {
  memset(C, 0, sizeof C);
  for (int i0 = 0; i0 < N; i0 += BLOCK_I)
    for (int k0 = 0; k0 < N; k0 += BLOCK_K)
      for (int j0 = 0; j0 < N; j0 += BLOCK_J)
        for (int i = i0; i < i0 + BLOCK_I && i < N; i++)
          for (int k = k0; k < k0 + BLOCK_K && k < N; k++) {
            double a = A[i][k];
            int j = j0, end = j0 + BLOCK_J < N ? j0 + BLOCK_J : N;
            for (; j + UNROLL <= end; j += UNROLL)
              for (int u = 0; u < UNROLL; u++) C[i][j + u] += a * B[k][j + u];
            for (; j < end; j++) C[i][j] += a * B[k][j];
          }
}

/* Times REPS repetitions (after one untimed warm-up) into times_ms; 1 (why on stderr) for an
 * invalid configuration or a wrong result. The entry point of the worker (worker.py), which
 * builds this file as a shared library (cc -shared -fPIC -DMFBO_LIBRARY ...). */
int matmul_time(int reps, double *times_ms) {
  if ((BLOCK_I * BLOCK_K + BLOCK_K * BLOCK_J) * (int)sizeof(double) > TILE_LIMIT_BYTES) {
    fprintf(stderr, "matmul: tiles of %d x %d and %d x %d doubles exceed the %d-byte tile limit\n",
            BLOCK_I, BLOCK_K, BLOCK_K, BLOCK_J, TILE_LIMIT_BYTES);
    return 1;
  }
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      A[i][j] = (double)((i * 7 + j * 3) % 17) / 17.0;
      B[i][j] = (double)((i * 5 + j * 11) % 13) / 13.0;
    }
  matmul(); /* warm-up: caches, page faults */
  double check = C[N / 2][N / 3];
  for (int r = 0; r < reps; r++) {
    double start = now_ms();
    matmul();
    times_ms[r] = now_ms() - start;
  }
  if (C[N / 2][N / 3] != check) {
    fprintf(stderr, "matmul: results differ between repetitions\n");
    return 1;
  }
  return 0;
}

#ifndef MFBO_LIBRARY
int main(int argc, char **argv) {
  int reps = argc > 1 ? atoi(argv[1]) : 1;
  if (reps < 1) {
    fprintf(stderr, "usage: matmul REPS (REPS >= 1)\n");
    return 2;
  }
  double *times_ms = malloc((size_t)reps * sizeof *times_ms);
  if (!times_ms) return 1;
  int rc = matmul_time(reps, times_ms);
  for (int r = 0; rc == 0 && r < reps; r++) printf("time_ms=%.6f\n", times_ms[r]);
  free(times_ms);
  return rc;
}
#endif
