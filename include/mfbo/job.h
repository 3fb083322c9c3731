/* job.h: a validated job file (INI, parsed with libinih). Loading checks everything a run
 * will need: sections, keys, values, the benchmark and every algorithm's settings, so that
 * a bad job fails at once with FILE:LINE and nothing is written.
 * Public (installed, include/mfbo): for an embedding program that loads a job file and runs its
 * tasks. */
#ifndef MFBO_JOB_H
#define MFBO_JOB_H

#include "mfbo/benchmark.h"
#include "mfbo/error.h"
#include "mfbo/run.h"
#include "mfbo/searcher.h"
#include "mfbo/settings.h"

typedef struct {
  char label[MFBO_NAME_MAX];
  const mfbo_searcher_type *type;
  mfbo_settings settings; /* without "type" */
  int line;
  char *plugin;           /* the shared object the type came from (NULL: built in) */
} mfbo_job_algorithm;

typedef struct {
  char *path;    /* the file it came from ("(built-in default)" for the default) */
  char *text;    /* the whole job text, stored in results files */
  char name[128];
  char output[1024];
  long *seeds;
  int n_seeds;
  int *instances;
  int n_instances;
  mfbo_budget budget;
  const mfbo_benchmark_type *benchmark_type;
  mfbo_benchmark **benchmarks; /* one landscape per instance, built once by the loader;
                               * optimum not searched yet (mfbo_benchmark_find_optimum) */
  mfbo_settings benchmark;  /* [benchmark] without type and instances */
  mfbo_settings space;      /* [space] */
  mfbo_job_algorithm *algorithms;
  int n_algorithms;
} mfbo_job;

/* The built-in default job: the seed's convergence analysis. */
extern const char mfbo_default_job_text[];

int mfbo_job_load_file(const char *path, mfbo_job *job, mfbo_error *err);
int mfbo_job_load_text(const char *name, const char *text, mfbo_job *job, mfbo_error *err);
/* The two halves of mfbo_job_load_file, for a program whose one process reads the file and
 * hands the text to others (MPI: stdin and node-local files reach rank 0 only): reads the
 * file (at most 1 MiB) into *text (malloc'ed, NUL-terminated, len bytes before the NUL);
 * then loads len bytes of text as the job file at path (its name gives the default sweep
 * name, as with mfbo_job_load_file). */
int mfbo_job_read_file(const char *path, char **text, size_t *len, mfbo_error *err);
int mfbo_job_load_file_text(const char *path, const char *text, size_t len, mfbo_job *job,
                            mfbo_error *err);
void mfbo_job_free(mfbo_job *job);

/* The canonical form of a job's text (len bytes): what the job means, without comments,
 * white space, the order of keys in a section or of [sweep], [benchmark] and [space]:
 * "[sweep]\n", "[benchmark]\n", "[space]\n" (left out when empty) and every
 * "[algorithm LABEL]\n" in the job's order (task ids follow it), each followed by its keys
 * sorted, one "key = value\n" each; seeds and instances as sorted ranges ("1-10, 42").
 * Only the syntax is checked (a job written by an older version may name settings that are
 * gone). *out is malloc'ed. */
int mfbo_job_canonical(const char *text, size_t len, char **out, mfbo_error *err);
/* The canonical form of a job's text with [sweep] seeds and/or [benchmark] instances
 * replaced (NULL: kept), as a program's --seeds and --instances do: one job file serves
 * many sweeps, and the text stored in the results file is the job that ran. The values
 * are checked as lists ("1-30, 42"); a bad one sets err naming --seeds or --instances. */
int mfbo_job_override(const char *text, size_t len, const char *seeds, const char *instances,
                      char **out, mfbo_error *err);
/* What differs between two canonical forms, for a person ("[sweep] seeds: 1-10 in
 * THEN_NAME, 1-20 now; ...", THEN_NAME e.g. "the journal"), malloc'ed; NULL when they are
 * the same. */
char *mfbo_job_canonical_diff(const char *then, const char *now, const char *then_name);
/* Is the job text then_text (then_len bytes, stored in THEN_NAME, e.g. "the journal") the
 * same job as now_text (NUL-terminated)? 1 yes (the same text, or the same canonical form);
 * 0 no, with what differs in msg. */
int mfbo_job_same(const char *then_text, size_t then_len, const char *now_text,
                  const char *then_name, char *msg, size_t size);

/* Parses "1-30, 42" into a sorted list of distinct integers in [lo, hi]. */
int mfbo_parse_int_list(const char *text, long lo, long hi, long **out, int *n, mfbo_error *err,
                        int line);

#endif
