/* job.c: loads a job file (INI) into a validated mfbo_job. libinih does the parsing; a
 * tiny line reader around it counts lines (so every error names FILE:LINE), refuses
 * binary input and overlong lines, and sees section headers (so empty sections exist).
 * Validation is by construction: every benchmark instance and every algorithm is built
 * once here with the job's settings, so a bad setting fails now, not halfway through a
 * sweep. This file must not run anything or write anything. */
#include "mfbo/job.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "mfbo/stream.h"

#define JOB_MAX_BYTES (1024L * 1024L)
/* The most values a seed or instance list may expand to. */
#define JOB_MAX_LIST 1000000L

typedef enum { SEC_NONE, SEC_SWEEP, SEC_BENCHMARK, SEC_SPACE, SEC_ALGORITHM } section_kind;

/* Everything the reader and the handler share while one text is parsed. */
typedef struct {
  mfbo_job *job;
  mfbo_error *err;
  int failed;
  /* the reader's view */
  const char *text;
  size_t len, pos;
  int line;          /* the line just read: the one the handler is called for */
  int line_indented; /* it starts with white space */
  /* the current section */
  section_kind section;
  int keys_in_section; /* inih treats an indented line after a key as a continuation */
  /* sections seen (line of the header, 0 if absent) */
  int sweep_line, benchmark_line, space_line;
  mfbo_settings sweep;       /* [sweep] */
  mfbo_settings bench_meta;  /* [benchmark] type and instances */
  mfbo_settings *alg_meta;   /* [algorithm LABEL] type, one per algorithm */
} parser;

static int fail(parser *p, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Records the first error of the parse; returns -1. */
static int fail(parser *p, int line, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(p->err->msg, sizeof p->err->msg, fmt, ap);
  va_end(ap);
  p->err->line = line;
  p->failed = 1;
  return -1;
}

/* ---------------------------------------------------------------- sections */

static int is_label_char(int c) {
  return isalnum(c) || c == '_' || c == '.' || c == '+' || c == '-';
}

static int check_label(parser *p, const char *label) {
  size_t n = strlen(label);
  if (n == 0) return fail(p, p->line, "missing label: write [algorithm LABEL]");
  if (n >= MFBO_NAME_MAX)
    return fail(p, p->line, "algorithm label '%s' is too long (at most 63 characters)", label);
  for (size_t i = 0; i < n; i++)
    if (!is_label_char((unsigned char)label[i]))
      return fail(p, p->line,
                  "bad algorithm label '%s': use letters, digits and _ . + - only", label);
  return 0;
}

static int open_algorithm(parser *p, const char *label) {
  if (check_label(p, label) != 0) return -1;
  mfbo_job *job = p->job;
  for (int i = 0; i < job->n_algorithms; i++)
    if (strcmp(job->algorithms[i].label, label) == 0) {
      return fail(p, p->line, "duplicate section [algorithm %s] (first on line %d)", label,
                  job->algorithms[i].line);
  size_t n = (size_t)job->n_algorithms + 1;
  mfbo_job_algorithm *algs = realloc(job->algorithms, n * sizeof *algs);
  if (algs) job->algorithms = algs;
  mfbo_settings *meta = realloc(p->alg_meta, n * sizeof *meta);
  if (meta) p->alg_meta = meta;
  if (!algs || !meta) return fail(p, p->line, "out of memory");
  mfbo_job_algorithm *a = &algs[n - 1];
  memset(a, 0, sizeof *a);
  snprintf(a->label, sizeof a->label, "%s", label);
  mfbo_settings_init(&a->settings);
  a->settings.line = p->line;
  a->line = p->line;
  mfbo_settings_init(&meta[n - 1]);
  job->n_algorithms = (int)n;
  return 0;
}

/* A [sweep], [benchmark] or [space] header: each may appear once. */
static int open_single(parser *p, section_kind kind, int *seen, const char *name) {
  if (*seen) return fail(p, p->line, "duplicate section [%s] (first on line %d)", name, *seen);
  *seen = p->line;
  p->section = kind;
  return 0;
}

/* Called by the reader for every "[...]" line; name is what lies between the brackets. */
static int open_section(parser *p, const char *name) {
  p->keys_in_section = 0;
  if (strcmp(name, "sweep") == 0) {
    p->sweep.line = p->line;
    return open_single(p, SEC_SWEEP, &p->sweep_line, name);
  }
  if (strcmp(name, "benchmark") == 0) {
    p->job->benchmark.line = p->line;
    return open_single(p, SEC_BENCHMARK, &p->benchmark_line, name);
  }
  if (strcmp(name, "space") == 0) {
    p->job->space.line = p->line;
    return open_single(p, SEC_SPACE, &p->space_line, name);
  }
  if (strncmp(name, "algorithm", 9) == 0 && (name[9] == '\0' || isspace((unsigned char)name[9]))) {
    const char *label = name + 9;
    while (isspace((unsigned char)*label)) label++;
    p->section = SEC_ALGORITHM;
    return open_algorithm(p, label);
  }
  return fail(p, p->line,
              "unknown section [%s] (expected [sweep], [benchmark], [space] or "
              "[algorithm LABEL])",
              name);
}

/* ---------------------------------------------------------------- reader */

/* If the line (len bytes) is a section header, opens that section. inih reports a header
 * without ']' as a syntax error, so such a line is left to it. */
static int notice_header(parser *p, const char *s, size_t len) {
  if (p->line == 1 && len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) s += 3, len -= 3;
  size_t i = 0;
  while (i < len && isspace((unsigned char)s[i])) i++;
  if (i == len || s[i] != '[') return 0;
  const char *close = memchr(s + i, ']', len - i);
  if (!close) return 0;
  char name[INI_MAX_LINE];
  size_t n = (size_t)(close - (s + i + 1));
  memcpy(name, s + i + 1, n);
  name[n] = '\0';
  return open_section(p, name);
}

/* An ini_reader (fgets-like) over the text in memory, one line per call. */
static char *read_line(char *str, int num, void *stream) {
  parser *p = stream;
  if (p->failed || p->pos >= p->len) return NULL;
  const char *s = p->text + p->pos;
  const char *nl = memchr(s, '\n', p->len - p->pos);
  size_t len = nl ? (size_t)(nl - s) : p->len - p->pos;
  p->pos += len + (nl ? 1 : 0);
  p->line++;
  if (len > 0 && s[len - 1] == '\r') len--;
  if (len + 2 > (size_t)num) {
    mfbo_error_set(p->err, p->line, "line too long (%zu characters, at most %d)", len,
                   num - 2);
    p->failed = 1;
    return NULL;
  }
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x20 && c != '\t' && c != '\r' && c != '\f' && c != '\v') {
      mfbo_error_set(p->err, p->line, "binary input (byte 0x%02x): not a job file", c);
      p->failed = 1;
      return NULL;
    }
  }
  p->line_indented = len > 0 && isspace((unsigned char)s[0]);
  if (notice_header(p, s, len) != 0) return NULL;
  memcpy(str, s, len);
  str[len] = '\n';
  str[len + 1] = '\0';
  return str;
}

/* ---------------------------------------------------------------- handler */

static const char *const sweep_keys[] = {"name", "seeds", "output", "budget_evals",
                                         "budget_cost_s", NULL};

static int is_sweep_key(const char *key) {
  for (int i = 0; sweep_keys[i]; i++)
    if (strcmp(key, sweep_keys[i]) == 0) return 1;
  return 0;
}

static int add(parser *p, mfbo_settings *s, const char *key, const char *value) {
  if (mfbo_settings_add(s, key, value, p->line, p->err) != 0) p->failed = 1;
  return p->failed ? -1 : 0;
}

/* The settings a key of the current section goes into (NULL after an error). */
static mfbo_settings *target(parser *p, const char *key) {
  mfbo_job *job = p->job;
  int is_type = strcmp(key, "type") == 0;
  switch (p->section) {
  case SEC_SWEEP:
    if (!is_sweep_key(key)) {
      fail(p, p->line,
           "unknown key '%s' in [sweep] (known: name, seeds, output, budget_evals, "
           "budget_cost_s)",
           key);
      return NULL;
    }
    return &p->sweep;
  case SEC_BENCHMARK:
    return is_type || strcmp(key, "instances") == 0 ? &p->bench_meta : &job->benchmark;
  case SEC_SPACE:
    return &job->space;
  case SEC_ALGORITHM: {
    int i = job->n_algorithms - 1;
    return is_type ? &p->alg_meta[i] : &job->algorithms[i].settings;
  }
  case SEC_NONE:
    break;
  }
  fail(p, p->line, "key '%s' before any [section]", key);
  return NULL;
}

/* inih's handler: called once per key = value, right after the reader read its line. */
static int on_key(void *user, const char *section, const char *key, const char *value) {
  (void)section; /* inih truncates long section names; the reader's view is used instead */
  parser *p = user;
  if (p->failed) return 0;
  if (p->line_indented && p->keys_in_section > 0) {
    fail(p, p->line,
         "indented line: continuation lines are not supported (remove the indentation)%s",
         "");
    return 0;
  }
  p->keys_in_section++;
  if (key[0] == '\0') {
    fail(p, p->line, "missing key before '='%s", "");
    return 0;
  }
  mfbo_settings *s = target(p, key);
  return s && add(p, s, key, value) == 0;
}

/* inih returned a syntax error at this line: say what the line should have been. */
static void syntax_error(parser *p, int line) {
  const char *s = p->text;
  for (int i = 1; i < line && s; i++) {
    s = strchr(s, '\n');
    if (s) s++;
  }
  while (s && (*s == ' ' || *s == '\t')) s++;
  if (s && *s == '[')
    mfbo_error_set(p->err, line, "section header without closing ']'");
  else
    mfbo_error_set(p->err, line, "syntax error: expected 'key = value', '[section]' or a "
                                 "comment (';' or '#')");
  p->failed = 1;
}

static int parse_text(parser *p) {
  int rc = ini_parse_stream(read_line, p, on_key, p);
  if (rc > 0 && (!p->failed || rc < p->err->line)) syntax_error(p, rc);
  else if (rc < 0 && !p->failed) fail(p, 0, "out of memory%s", "");
  return p->failed ? -1 : 0;
}

/* ---------------------------------------------------------------- lists */

static int by_value(const void *a, const void *b) {
  long x = *(const long *)a, y = *(const long *)b;
  return (x > y) - (x < y);
}

/* One item "A" or "A-B" (white space allowed around the numbers); end is one past it. */
static int parse_item(const char *s, const char *end, long *a, long *b) {
  char buf[64];
  while (s < end && isspace((unsigned char)*s)) s++;
  while (end > s && isspace((unsigned char)end[-1])) end--;
  if (s == end || (size_t)(end - s) >= sizeof buf) return -1;
  memcpy(buf, s, (size_t)(end - s));
  buf[end - s] = '\0';
  /* the range dash is the first '-' after the first digit */
  char *dash = buf + 1 + strcspn(buf + 1, "-");
  if (!isdigit((unsigned char)buf[buf[0] == '-' || buf[0] == '+']) ) return -1;
  if (*dash == '\0') {
    if (mfbo_parse_long(buf, a) != 0) return -1;
    *b = *a;
    return 0;
  }
  *dash = '\0';
  char *first_end = dash;
  while (first_end > buf && isspace((unsigned char)first_end[-1])) *--first_end = '\0';
  char *second = dash + 1;
  while (isspace((unsigned char)*second)) second++;
  if (!isdigit((unsigned char)second[*second == '-' || *second == '+'])) return -1;
  return mfbo_parse_long(buf, a) == 0 && mfbo_parse_long(second, b) == 0 ? 0 : -1;
}

static int append_range(long a, long b, long **vals, size_t *n, size_t *cap) {
  size_t count = (size_t)((unsigned long)b - (unsigned long)a) + 1;
  if (*n + count > (size_t)JOB_MAX_LIST) return -1;
  if (*n + count > *cap) {
    size_t c = (*n + count) * 2;
    long *v = realloc(*vals, c * sizeof *v);
    if (!v) return -2;
    *vals = v;
    *cap = c;
  }
  for (long x = a;; x++) {
    (*vals)[(*n)++] = x;
    if (x == b) break;
  }
  return 0;
}

static int list_error(long *vals, mfbo_error *err) {
  free(vals);
  (void)err;
  return -1;
}

int mfbo_parse_int_list(const char *text, long lo, long hi, long **out, int *n,
                        mfbo_error *err, int line) {
  long *vals = NULL;
  size_t count = 0, cap = 0;
  *out = NULL;
  *n = 0;
  const char *s = text;
  while (isspace((unsigned char)*s)) s++;
  if (*s == '\0') {
    mfbo_error_set(err, line, "empty list: give numbers or ranges like 1-30, 42");
    return -1;
  }
  for (;;) {
    const char *comma = strchr(s, ',');
    const char *end = comma ? comma : s + strlen(s);
    long a, b;
    int len = (int)(end - s);
    if (parse_item(s, end, &a, &b) != 0) {
      mfbo_error_set(err, line, "bad list item '%.*s': expected a number or a range like 1-30",
                     len, s);
      return list_error(vals, err);
    }
    if (a < lo || a > hi || b < lo || b > hi) {
      mfbo_error_set(err, line, "'%.*s': values must be between %ld and %ld", len, s, lo, hi);
      return list_error(vals, err);
    }
    if (b < a) {
      mfbo_error_set(err, line, "empty range %ld-%ld (the first number must not exceed the "
                                "second)", a, b);
      return list_error(vals, err);
    }
    int rc = append_range(a, b, &vals, &count, &cap);
    if (rc != 0) {
      if (rc == -1)
        mfbo_error_set(err, line, "list too long (more than %ld values)", JOB_MAX_LIST);
      else
        mfbo_error_set(err, line, "out of memory");
      return list_error(vals, err);
    }
    if (!comma) break;
    s = comma + 1;
  }
  qsort(vals, count, sizeof *vals, by_value);
  size_t m = 0;
  for (size_t i = 0; i < count; i++)
    if (m == 0 || vals[i] != vals[m - 1]) vals[m++] = vals[i];
  *out = vals;
  *n = (int)m;
  return 0;
}

/* ---------------------------------------------------------------- [sweep] */

/* "dir/name.ini" -> "name" */
static void basename_stem(const char *path, char *out, size_t size) {
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  size_t len = strlen(base);
  const char *dot = strrchr(base, '.');
  if (dot && dot != base) len = (size_t)(dot - base);
  snprintf(out, size, "%.*s", (int)len, base);
}

static int copy_string(parser *p, const mfbo_setting *it, char *dst, size_t size) {
  if (it->value[0] == '\0') {
    mfbo_error_set(p->err, it->line, "%s is empty", it->key);
    return -1;
  }
  if (strlen(it->value) >= size) {
    mfbo_error_set(p->err, it->line, "%s is too long (at most %zu characters)", it->key,
                   size - 1);
    return -1;
  }
  snprintf(dst, size, "%s", it->value);
  return 0;
}

static int finish_sweep(parser *p, const char *default_name) {
  mfbo_job *job = p->job;
  mfbo_settings *s = &p->sweep;
  const mfbo_setting *it = mfbo_settings_take(s, "name");
  if (it) {
    if (copy_string(p, it, job->name, sizeof job->name) != 0) return -1;
  } else {
    basename_stem(default_name, job->name, sizeof job->name);
  }
  it = mfbo_settings_take(s, "output");
  if (it) {
    if (copy_string(p, it, job->output, sizeof job->output) != 0) return -1;
  } else if ((size_t)snprintf(job->output, sizeof job->output, "%s.h5", job->name) >=
             sizeof job->output) {
    mfbo_error_set(p->err, p->sweep_line, "output name too long");
    return -1;
  }
  it = mfbo_settings_take(s, "seeds");
  if (!it) {
    mfbo_error_set(p->err, p->sweep_line, "missing key 'seeds' in [sweep] (e.g. seeds = 1-30)");
    return -1;
  }
  if (mfbo_parse_int_list(it->value, 0, LONG_MAX, &job->seeds, &job->n_seeds, p->err,
                          it->line) != 0)
    return -1;
  if (mfbo_settings_get_long(s, "budget_evals", 0, LONG_MAX, &job->budget.max_evals, p->err) ||
      mfbo_settings_get_double(s, "budget_cost_s", 0, DBL_MAX, &job->budget.max_cost_s,
                               p->err))
    return -1;
  return 0;
}

/* ---------------------------------------------------------------- [benchmark], types */

static void list_names(char *buf, size_t size, int benchmarks) {
  size_t at = 0;
  buf[0] = '\0';
  for (int i = 0;; i++) {
    const char *name = benchmarks ? (mfbo_benchmark_types[i] ? mfbo_benchmark_types[i]->name
                                                              : NULL)
                                  : (mfbo_searcher_types[i] ? mfbo_searcher_types[i]->name
                                                            : NULL);
    if (!name || at >= size) break;
    at += (size_t)snprintf(buf + at, size - at, "%s%s", i ? ", " : "", name);
  }
}

static int finish_benchmark(parser *p) {
  mfbo_job *job = p->job;
  const mfbo_setting *it = mfbo_settings_take(&p->bench_meta, "type");
  if (!it) {
    mfbo_error_set(p->err, p->benchmark_line, "missing key 'type' in [benchmark]");
    return -1;
  }
  job->benchmark_type = mfbo_benchmark_type_find(it->value);
  if (!job->benchmark_type) {
    char known[256];
    list_names(known, sizeof known, 1);
    mfbo_error_set(p->err, it->line, "unknown benchmark type '%s' (known: %s)", it->value,
                   known);
    return -1;
  }
  it = mfbo_settings_take(&p->bench_meta, "instances");
  long *vals = NULL;
  int n = 0;
  if (mfbo_parse_int_list(it ? it->value : "1", 1, INT_MAX, &vals, &n, p->err,
                          it ? it->line : p->benchmark_line) != 0)
    return -1;
  job->instances = malloc((size_t)n * sizeof *job->instances);
  if (!job->instances) {
    free(vals);
    mfbo_error_set(p->err, 0, "out of memory");
    return -1;
  }
  for (int i = 0; i < n; i++) job->instances[i] = (int)vals[i];
  job->n_instances = n;
  free(vals);
  return 0;
}

static int finish_algorithms(parser *p) {
  mfbo_job *job = p->job;
  for (int i = 0; i < job->n_algorithms; i++) {
    mfbo_job_algorithm *a = &job->algorithms[i];
    const mfbo_setting *it = mfbo_settings_take(&p->alg_meta[i], "type");
    const char *name = it ? it->value : a->label;
    a->type = mfbo_searcher_type_find(name);
    if (!a->type) {
      char known[256];
      list_names(known, sizeof known, 0);
      mfbo_error_set(p->err, it ? it->line : a->line, "unknown algorithm type '%s' (known: %s)",
                     name, known);
      return -1;
    }
  }
  return 0;
}

static int check_sections(parser *p) {
  if (!p->sweep_line) return fail(p, 0, "missing section [sweep]%s", "");
  if (!p->benchmark_line) return fail(p, 0, "missing section [benchmark]%s", "");
  if (p->job->n_algorithms == 0)
    return fail(p, 0, "no [algorithm LABEL] section: the job has nothing to run%s", "");
  return 0;
}

/* ---------------------------------------------------------------- validation */

/* Builds one benchmark instance from copies of the job's settings. */
static mfbo_benchmark *build_benchmark(const mfbo_job *job, int instance, mfbo_error *err) {
  mfbo_settings bench, space;
  mfbo_benchmark *b = NULL;
  if (mfbo_settings_copy(&bench, &job->benchmark) != 0) {
    mfbo_error_set(err, 0, "out of memory");
    return NULL;
  }
  if (mfbo_settings_copy(&space, &job->space) != 0) {
    mfbo_error_set(err, 0, "out of memory");
  } else {
    b = mfbo_benchmark_alloc(job->benchmark_type, &bench, &space, instance, err);
    mfbo_settings_free(&space);
  }
  mfbo_settings_free(&bench);
  return b;
}

/* Starts the algorithm's search once on the space, as a run will, and frees it. */
static int validate_algorithm(const mfbo_job_algorithm *a, const mfbo_space *space,
                              mfbo_error *err) {
  mfbo_settings settings;
  if (mfbo_settings_copy(&settings, &a->settings) != 0) {
    mfbo_error_set(err, 0, "out of memory");
    return -1;
  }
  void *state = calloc(1, a->type->state_size ? a->type->state_size : 1);
  gsl_rng *rng = mfbo_stream_alloc(0, "validate");
  int rc = -1;
  if (!state || !rng) {
    mfbo_error_set(err, 0, "out of memory");
  } else {
    char what[MFBO_NAME_MAX + 16];
    snprintf(what, sizeof what, "algorithm %s", a->label);
    rc = a->type->init(state, space, &settings, rng, err);
    if (rc == 0) rc = mfbo_settings_check_unused(&settings, what, err);
    a->type->free(state); /* like mfbo_run: also after a failed init */
  }
  if (rng) gsl_rng_free(rng);
  free(state);
  mfbo_settings_free(&settings);
  return rc;
}

static int validate(const mfbo_job *job, mfbo_error *err) {
  for (int i = 1; i < job->n_instances; i++) {
    mfbo_benchmark *b = build_benchmark(job, job->instances[i], err);
    if (!b) return -1;
    mfbo_benchmark_free(b);
  }
  /* instance 0 last, and kept: the algorithms are started on its space */
  mfbo_benchmark *b = build_benchmark(job, job->instances[0], err);
  if (!b) return -1;
  int rc = 0;
  for (int i = 0; i < job->n_algorithms && rc == 0; i++)
    rc = validate_algorithm(&job->algorithms[i], b->space, err);
  mfbo_benchmark_free(b);
  return rc;
}

/* ---------------------------------------------------------------- loading */

static int load(const char *path, const char *default_name, char *text, size_t len,
                mfbo_job *job, mfbo_error *err) {
  parser p;
  memset(&p, 0, sizeof p);
  p.job = job;
  p.err = err;
  p.text = text;
  p.len = len;
  mfbo_settings_init(&p.sweep);
  mfbo_settings_init(&p.bench_meta);
  job->text = text;
  job->path = strdup(path);
  int rc = -1;
  if (!job->path)
    mfbo_error_set(err, 0, "out of memory");
  else if (len > (size_t)JOB_MAX_BYTES)
    mfbo_error_set(err, 0, "job too large (%zu bytes, at most 1 MiB)", len);
  else if (parse_text(&p) == 0 && check_sections(&p) == 0 && finish_sweep(&p, default_name) == 0 &&
           finish_benchmark(&p) == 0 && finish_algorithms(&p) == 0)
    rc = validate(job, err);
  mfbo_settings_free(&p.sweep);
  mfbo_settings_free(&p.bench_meta);
  for (int i = 0; i < job->n_algorithms; i++) mfbo_settings_free(&p.alg_meta[i]);
  free(p.alg_meta);
  if (rc != 0) {
    if (err && err->file[0] == '\0') snprintf(err->file, sizeof err->file, "%s", path);
    mfbo_job_free(job);
  }
  return rc;
}

static void start(const char *path, mfbo_job *job, mfbo_error *err) {
  memset(job, 0, sizeof *job);
  mfbo_settings_init(&job->benchmark);
  mfbo_settings_init(&job->space);
  mfbo_error_clear(err);
  if (err) snprintf(err->file, sizeof err->file, "%s", path);
}

int mfbo_job_load_text(const char *name, const char *text, mfbo_job *job, mfbo_error *err) {
  start(name, job, err);
  char *copy = strdup(text);
  if (!copy) {
    mfbo_error_set(err, 0, "out of memory");
    return -1;
  }
  return load(name, name, copy, strlen(copy), job, err);
}

/* Reads a whole file (at most JOB_MAX_BYTES); *text is NUL-terminated. */
static int read_file(const char *path, char **text, size_t *len, mfbo_error *err) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    mfbo_error_set(err, 0, "cannot open: %s", strerror(errno));
    return -1;
  }
  char *buf = malloc((size_t)JOB_MAX_BYTES + 2);
  size_t n = buf ? fread(buf, 1, (size_t)JOB_MAX_BYTES + 1, f) : 0;
  int read_errno = errno;
  int bad = !buf || ferror(f);
  fclose(f);
  if (!buf) {
    mfbo_error_set(err, 0, "out of memory");
  } else if (bad) {
    mfbo_error_set(err, 0, "cannot read: %s", strerror(read_errno));
  } else if (n > (size_t)JOB_MAX_BYTES) {
    mfbo_error_set(err, 0, "file too large (more than 1 MiB): not a job file");
  } else {
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return 0;
  }
  free(buf);
  return -1;
}

int mfbo_job_load_file(const char *path, mfbo_job *job, mfbo_error *err) {
  start(path, job, err);
  char *text = NULL;
  size_t len = 0;
  if (read_file(path, &text, &len, err) != 0) return -1;
  return load(path, path, text, len, job, err);
}

void mfbo_job_free(mfbo_job *job) {
  if (!job) return;
  free(job->path);
  free(job->text);
  free(job->seeds);
  free(job->instances);
  mfbo_settings_free(&job->benchmark);
  mfbo_settings_free(&job->space);
  for (int i = 0; i < job->n_algorithms; i++) mfbo_settings_free(&job->algorithms[i].settings);
  free(job->algorithms);
  memset(job, 0, sizeof *job);
}
