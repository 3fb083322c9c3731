/* fuzz_kerneltuner.c: the Kernel Tuner loader (src/benchmarks/kerneltuner.c): any bytes as a
 * cache file (JSON, or gzip-compressed JSON: recognised by content). An input starting with
 * 'G' is gzip-compressed here first (the rest of it), so the fuzzer reaches the JSON behind
 * valid gzip too; any other input is the file as it is. A loaded benchmark is evaluated on a
 * few of its configurations. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "fuzz.h"
#include "mfbo/benchmark.h"
#include "core/stream.h"

static void write_gzip(const char *path, const uint8_t *data, size_t size) {
  gzFile f = gzopen(path, "wb");
  if (!f || (size && gzwrite(f, data, (unsigned)size) != (int)size) || gzclose(f) != Z_OK) {
    perror(path);
    abort();
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > (1u << 20)) return 0;
  const char *path = fuzz_tmp_path("cache.json");
  if (size > 0 && data[0] == 'G')
    write_gzip(path, data + 1, size - 1);
  else
    fuzz_write_file(path, data, size);
  mfbo_settings settings, space;
  mfbo_settings_init(&settings);
  mfbo_settings_init(&space);
  mfbo_error err;
  mfbo_benchmark *b = NULL;
  if (mfbo_settings_add(&settings, "file", path, 1, &err) == 0)
    b = mfbo_benchmark_alloc(&mfbo_benchmark_kerneltuner, &settings, &space, 1, &err);
  if (b) {
    gsl_rng *noise = mfbo_stream_alloc(1, "fuzz");
    int *cfg = malloc((size_t)(b->space->n_params ? b->space->n_params : 1) * sizeof *cfg);
    uint64_t n = mfbo_space_size(b->space);
    for (uint64_t k = 0; cfg && noise && k < n && k < 8; k++) {
      mfbo_space_point(b->space, k, cfg);
      double true_ms, measured_ms, cost_s;
      mfbo_benchmark_evaluate(b, cfg, 1 + (int)k, noise, &true_ms, &measured_ms, &cost_s);
      if (isnan(true_ms) || !(cost_s >= 0)) __builtin_trap();
    }
    if (cfg) {
      mfbo_space_default(b->space, cfg); /* the default is a member */
      if (!mfbo_space_contains(b->space, cfg)) __builtin_trap();
    }
    free(cfg);
    if (noise) gsl_rng_free(noise);
    fuzz_report("kerneltuner", NULL);
    mfbo_benchmark_free(b);
  } else {
    fuzz_report("kerneltuner", &err);
    if (err.msg[0] == '\0') __builtin_trap();
  }
  mfbo_settings_free(&settings);
  mfbo_settings_free(&space);
  return 0;
}
