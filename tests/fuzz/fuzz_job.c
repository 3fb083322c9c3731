/* fuzz_job.c: the job loader (src/job/job.c): any bytes as a job file. Loading must end in
 * a job or in an error with a message, never a crash, a leak or undefined behaviour. The
 * same bytes go through --resume's comparison (the canonical form, and what differs from a
 * fixed job), which must accept a job as the same as itself. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "mfbo/job.h"

static const char fixed[] = "[sweep]\nseeds = 1-10\n[benchmark]\ntype = seed\n"
                            "[algorithm random]\n[algorithm pattern]\npreset = quick\n";

static void canonical(const uint8_t *data, size_t size) {
  char *canon = NULL, msg[800];
  mfbo_error err;
  if (mfbo_job_canonical((const char *)data, size, &canon, &err) != 0) return;
  /* a canonical form does not differ from itself. (It is not always a fixed point: a value
   * that starts with ';', "seeds =;x", reads back as an empty value after "seeds = ";
   * regressions/job/value-starting-with-semicolon.ini. Only texts are ever compared.) */
  char *diff = mfbo_job_canonical_diff(canon, canon, "the journal");
  if (diff) __builtin_trap();
  (void)mfbo_job_same(canon, strlen(canon), fixed, "the journal", msg, sizeof msg);
  (void)mfbo_job_same(fixed, strlen(fixed), canon, "the journal", msg, sizeof msg);
  free(canon);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mfbo_job job;
  mfbo_error err;
  canonical(data, size);
  if (mfbo_job_load_file_text("fuzz.ini", (const char *)data, size, &job, &err) == 0) {
    /* a loaded job is whole: its lists and algorithms are there */
    if (job.n_seeds < 1 || job.n_instances < 1 || job.n_algorithms < 1 || !job.text) __builtin_trap();
    fuzz_report("job", NULL);
    mfbo_job_free(&job);
  } else {
    fuzz_report("job", &err);
    if (err.msg[0] == '\0') __builtin_trap(); /* an error without a message */
  }
  return 0;
}
