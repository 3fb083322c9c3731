/* results.h: reading a complete results file of mfbo-sweep (docs/results-format.md) for
 * the analysis. The only HDF5 code of the analysis: the rest sees plain arrays. Opening
 * checks everything that makes a file unusable (not ours, a newer format, an incomplete
 * sweep, inconsistent tables) so that the analysis can trust what it gets. */
#ifndef MFBO_ANALYSIS_RESULTS_H
#define MFBO_ANALYSIS_RESULTS_H

#include <stddef.h>
#include <stdint.h>

#include "mfbo/error.h"

#define MFBO_RESULTS_FORMAT_VERSION 1 /* the newest format this reader knows */
#define MFBO_LABEL_MAX 64

/* One row of /runs. */
typedef struct {
  uint64_t task_id;
  char algorithm[MFBO_LABEL_MAX + 1];
  char algorithm_type[MFBO_LABEL_MAX + 1];
  int64_t seed;
  int32_t instance;
  int failed; /* status == failed */
  const char *message; /* "" if none; else malloc'ed (a run's message is rare) */
  int64_t n_evals;
  double cost_s;
  double incumbent_true_ms; /* +inf: no incumbent */
  double regret;            /* NaN: optimum unknown */
  uint64_t trace_start, trace_len;
  double *params; /* the final incumbent's parameter values (n_params), NaN if none */
} mfbo_run_row;

/* A benchmark parameter: its name and, for string enums, the text of each value. */
typedef struct {
  char *name;
  int n_values;
  double *values;
  char **labels; /* NULL unless a string enum */
} mfbo_result_param;

typedef struct {
  int32_t instance;
  double optimum_ms; /* NaN if unknown */
} mfbo_result_instance;

typedef struct {
  char *path;
  long format_version;
  char *program_version, *sweep_name, *job_path, *created_utc, *finished_utc;
  char *benchmark_name;
  uint64_t n_tasks;
  int n_params;
  mfbo_result_param *params;
  size_t n_instances;
  mfbo_result_instance *instances;
  size_t n_runs;
  mfbo_run_row *runs; /* in task_id order */
  uint64_t n_trace_rows;
  struct mfbo_results_h5 *h5; /* the open file (private) */
} mfbo_results;

/* How opening failed: the caller's exit code follows from it. */
typedef enum {
  MFBO_RESULTS_OK = 0,
  MFBO_RESULTS_BAD_INPUT, /* missing, not ours, newer, incomplete, inconsistent: exit 2 */
  MFBO_RESULTS_IO         /* out of memory, a read that failed midway: exit 1 */
} mfbo_results_status;

/* Opens and checks path; reads the root attributes, /benchmark and /runs. In this process:
 * HDF5 itself may crash or hang on a damaged file (tests/fuzz/README.md). */
mfbo_results_status mfbo_results_open(const char *path, mfbo_results *r, mfbo_error *err);

/* What mfbo-analyze reads of path, read in this process and let go: the file opened and
 * checked, every run's trace read and every incumbent's parameters put in text. Returns
 * mfbo_results_open's status (err set unless OK; a trace that cannot be read is not an
 * error here). The fuzz harness's entry point; mfbo_results_open_isolated runs it in a
 * child process. */
mfbo_results_status mfbo_results_read_through(const char *path, mfbo_error *err);

/* The seconds mfbo_results_open_isolated gives the child for a file of size_bytes. */
double mfbo_results_check_timeout_s(double size_bytes);

/* mfbo_results_open, after mfbo_results_read_through has read path in a child process
 * under a deadline (core/child.h): a file on which the child is killed by a signal, fails
 * (out of memory: HDF5 believed a damaged size) or overruns the deadline (an endless loop
 * in HDF5) is refused with BAD_INPUT, "damaged results file (...)", and this process never
 * reads it. What mfbo-analyze calls. */
mfbo_results_status mfbo_results_open_isolated(const char *path, mfbo_results *r,
                                               mfbo_error *err);
void mfbo_results_close(mfbo_results *r);

/* The columns of one run's /trace rows that the analysis uses, in evaluation order. */
typedef struct {
  size_t n, capacity;
  double *cum_cost_s;        /* cost of the run so far, this evaluation included */
  double *incumbent_true_ms; /* after this evaluation; +inf while there is none */
  double *true_ms;           /* of the evaluated configuration */
} mfbo_run_trace;

/* Reads the trace of r->runs[run] into t (grown as needed; zero it before first use).
 * Checks that the rows are that task's evaluations 1..n_evals. */
int mfbo_results_read_trace(const mfbo_results *r, size_t run, mfbo_run_trace *t,
                            mfbo_error *err);
void mfbo_run_trace_free(mfbo_run_trace *t);
/* 1 once mfbo_results_read_trace has failed on a damaged /trace (a chunk HDF5 cannot read,
 * a checksum that does not match, rows of another task): bad input (exit 2), not an I/O
 * failure. */
int mfbo_results_damaged(const mfbo_results *r);

/* The index of the instance number in r->instances, or -1. */
int mfbo_results_instance_index(const mfbo_results *r, int32_t instance);

/* The text of value v of parameter p: its label for string enums, else the number. */
void mfbo_results_value_text(const mfbo_results *r, int p, double v, char *buf, size_t size);

#endif
