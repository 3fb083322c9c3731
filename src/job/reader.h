/* reader.h: what the files of the job reader share (not installed): the parser's state
 * while one job text is read (reader.c), its sections turned into the job (sections.c),
 * the job validated (validate.c), loaded (job.c) or put in canonical form (canonical.c). */
#ifndef MFBO_JOB_READER_H
#define MFBO_JOB_READER_H

#include <stddef.h>

#include "mfbo/error.h"
#include "mfbo/job.h"
#include "mfbo/settings.h"

#define JOB_MAX_BYTES (1024L * 1024L)

typedef enum { SEC_NONE, SEC_SWEEP, SEC_BENCHMARK, SEC_SPACE, SEC_ALGORITHM } section_kind;

/* Everything the reader and the handler share while one text is parsed. */
typedef struct {
  mfbo_job *job;
  mfbo_error *err;
  int failed;
  int binary; /* the error is binary input: it outranks syntax errors on earlier lines */
  /* the reader's position */
  const char *text;
  size_t len, pos;
  int line;          /* the line just read: the one the handler is called for */
  int line_indented; /* it starts with white space */
  section_kind section;
  /* the line of each single section's header, 0 while absent */
  int sweep_line, benchmark_line, space_line;
  mfbo_settings sweep;      /* [sweep] */
  mfbo_settings bench_meta; /* [benchmark] type and instances */
  mfbo_settings *alg_meta;  /* [algorithm LABEL] type, one per algorithm */
} parser;

/* The parser of text (len bytes) into job, errors into err; free it with job_parser_free. */
void job_parser_init(parser *p, mfbo_job *job, mfbo_error *err, const char *text, size_t len);
void job_parser_free(parser *p);
/* Records the parse's error at line (0: none); returns -1. */
int job_fail(parser *p, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Reads the whole text into the parser's settings (libinih); -1 on an error (recorded). */
int job_parse_text(parser *p);

/* sections.c: the parsed sections into the job's fields and types. */
void job_basename_stem(const char *path, char *out, size_t size);
int job_check_sections(parser *p);
int job_finish_sweep(parser *p, const char *default_name);
int job_finish_benchmark(parser *p);
int job_finish_algorithms(parser *p);

/* validate.c: every instance and algorithm built once from the job's settings. */
int job_validate(mfbo_job *job, mfbo_error *err);

/* job.c: an empty job, errors about path. */
void job_start(const char *path, mfbo_job *job, mfbo_error *err);

#endif
