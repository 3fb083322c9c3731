/* default_job.c: the built-in default job, run by `mfbo-sweep` without a JOB argument:
 * the seed benchmark's convergence analysis over 30 seeds and instances 1-5 (instance 1 is
 * the seed's landscape, whose default configuration is its optimum; instances 2-5 move the
 * optimum away from the default, so the searchers' convergence can be told apart). It is parsed like any job file
 * (mfbo_job_load_text) and stored verbatim in the results file. */
#include "mfbo/job.h"

const char mfbo_default_job_text[] =
    "; The built-in default job of mfbo-sweep: the seed benchmark's convergence analysis.\n"
    "[sweep]\n"
    "name = seed-convergence\n"
    "seeds = 1-30\n"
    "output = seed-convergence.h5\n"
    "\n"
    "[benchmark]\n"
    "type = seed\n"
    "instances = 1-5\n"
    "\n"
    "[algorithm random]\n"
    "\n"
    "[algorithm pattern]\n"
    "\n"
    "[algorithm mfbo]\n";
