/* fuzz_results.c: mfbo-analyze's results reader (src/analysis/results.c): any bytes as a
 * results file. They are written to a file and read in this process as mfbo-analyze's
 * child reads it first (mfbo_results_read_through: opened as mfbo-analyze opens it; a file
 * that opens has every run's trace read and every parameter value of every run written as
 * text). Opening must end in results or an error with a message. (HDF5 itself is not
 * instrumented: the fuzzer steers by the reader's coverage. mfbo-analyze reads in a child
 * process first, which libFuzzer could not follow: this harness does not.) */
#include <stdio.h>
#include <string.h>

#include "fuzz.h"
#include "results.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *path = fuzz_tmp_path("results.h5");
  fuzz_write_file(path, data, size);
  mfbo_error err;
  mfbo_error_clear(&err);
  if (mfbo_results_read_through(path, &err) != MFBO_RESULTS_OK) {
    fuzz_report("results", &err);
    if (err.msg[0] == '\0') __builtin_trap();
    return 0;
  }
  fuzz_report("results", NULL);
  return 0;
}
