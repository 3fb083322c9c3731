/* fuzz_results.c: mfbo-analyze's results reader (src/analysis/results.c): any bytes as a
 * results file. They are written to a file and opened as mfbo-analyze opens it; a file that
 * opens has every run's trace read and every parameter value of every run written as text.
 * Opening must end in results or an error with a message. (HDF5 itself is not
 * instrumented: the fuzzer steers by the reader's coverage.) */
#include <stdio.h>
#include <string.h>

#include "fuzz.h"
#include "results.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *path = fuzz_tmp_path("results.h5");
  fuzz_write_file(path, data, size);
  mfbo_results r;
  mfbo_error err;
  mfbo_error_clear(&err);
  if (mfbo_results_open(path, &r, &err) != MFBO_RESULTS_OK) {
    fuzz_report("results", &err);
    if (err.msg[0] == '\0') __builtin_trap();
    return 0;
  }
  fuzz_report("results", NULL);
  mfbo_run_trace t;
  memset(&t, 0, sizeof t);
  for (size_t i = 0; i < r.n_runs; i++) {
    if (mfbo_results_read_trace(&r, i, &t, &err) != 0) continue;
    char buf[256];
    for (int p = 0; p < r.n_params; p++)
      mfbo_results_value_text(&r, p, r.runs[i].params[p], buf, sizeof buf);
    (void)mfbo_results_instance_index(&r, r.runs[i].instance);
  }
  mfbo_run_trace_free(&t);
  mfbo_results_close(&r);
  return 0;
}
