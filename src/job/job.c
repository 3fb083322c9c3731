/* job.c: loads a job file (INI) into a validated mfbo_job. libinih does the parsing; a
 * tiny line reader around it counts lines (so every error names FILE:LINE), refuses
 * binary input and overlong lines, and sees section headers (so empty sections exist and
 * long labels are not truncated by inih). Validation is by construction: every benchmark
 * instance and every algorithm is built once here from the job's settings, so a bad
 * setting fails now, not halfway through a sweep. Nothing here runs or writes anything. */
#include "mfbo/job.h"
#include "mfbo/plugin.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
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

static int fail(parser *p, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Records the parse's error; returns -1. */
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

static int check_label(parser *p, const char *label) {
  size_t n = strlen(label);
  if (n == 0) return fail(p, p->line, "missing label: write [algorithm LABEL]");
  if (n >= MFBO_NAME_MAX)
    return fail(p, p->line, "algorithm label '%s' is too long (at most %d characters)", label,
                MFBO_NAME_MAX - 1);
  for (size_t i = 0; i < n; i++) {
    int c = (unsigned char)label[i];
    if (!isalnum(c) && !strchr("_.+-", c))
      return fail(p, p->line, "bad algorithm label '%s': use letters, digits and _ . + -",
                  label);
  }
  return 0;
}

static int open_algorithm(parser *p, const char *label) {
  mfbo_job *job = p->job;
  if (check_label(p, label) != 0) return -1;
  for (int i = 0; i < job->n_algorithms; i++)
    if (strcmp(job->algorithms[i].label, label) == 0)
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
  memcpy(a->label, label, strlen(label) + 1); /* check_label bounded its length */
  mfbo_settings_init(&a->settings);
  a->settings.line = p->line;
  /* a path in a setting (an external searcher's command) is relative to the job file */
  if (job->benchmark.dir && !(a->settings.dir = strdup(job->benchmark.dir)))
    return fail(p, p->line, "out of memory");
  a->line = p->line;
  mfbo_settings_init(&meta[n - 1]);
  job->n_algorithms = (int)n;
  p->section = SEC_ALGORITHM;
  return 0;
}

/* [sweep], [benchmark] and [space] may each appear once. */
static int open_single(parser *p, section_kind kind, const char *name, int *seen,
                       mfbo_settings *settings) {
  if (*seen) return fail(p, p->line, "duplicate section [%s] (first on line %d)", name, *seen);
  *seen = p->line;
  settings->line = p->line;
  p->section = kind;
  return 0;
}

/* Called by the reader for every "[...]" line; name is what lies between the brackets
 * (exactly what inih takes as the section name, before it truncates it). */
static int open_section(parser *p, const char *name) {
  if (strcmp(name, "sweep") == 0)
    return open_single(p, SEC_SWEEP, name, &p->sweep_line, &p->sweep);
  if (strcmp(name, "benchmark") == 0)
    return open_single(p, SEC_BENCHMARK, name, &p->benchmark_line, &p->job->benchmark);
  if (strcmp(name, "space") == 0)
    return open_single(p, SEC_SPACE, name, &p->space_line, &p->job->space);
  if (strncmp(name, "algorithm", 9) == 0 && (name[9] == '\0' || isspace((unsigned char)name[9]))) {
    const char *label = name + 9;
    while (isspace((unsigned char)*label)) label++;
    return open_algorithm(p, label);
  }
  return fail(p, p->line,
              "unknown section [%s] (expected [sweep], [benchmark], [space] or "
              "[algorithm LABEL])",
              name);
}

/* ---------------------------------------------------------------- reader */

static int indented_line(parser *p) {
  /* inih would take the line as a continuation of the previous value */
  return fail(p, p->line,
              "indented line: keys and [section] headers must start in the first column");
}

/* If the line (len bytes) is a section header, opens that section. A header without ']'
 * is left to inih, which reports it as a syntax error at this line. */
static int notice_header(parser *p, const char *s, size_t len) {
  if (p->line == 1 && len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) s += 3, len -= 3;
  size_t i = 0;
  while (i < len && isspace((unsigned char)s[i])) i++;
  if (i == len || s[i] != '[') return 0;
  if (p->line_indented) return indented_line(p);
  const char *close = memchr(s + i, ']', len - i);
  if (!close) return 0;
  char name[INI_MAX_LINE];
  size_t n = (size_t)(close - (s + i + 1));
  if (n >= sizeof name) return fail(p, p->line, "section name too long");
  memcpy(name, s + i + 1, n);
  name[n] = '\0';
  return open_section(p, name);
}

/* Checks the line's bytes: text only. */
static int check_bytes(parser *p, const char *s, size_t len) {
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x20 && c != '\t' && c != '\r' && c != '\f' && c != '\v') {
      p->binary = 1;
      return fail(p, p->line, "binary input (byte 0x%02x): not a job file", c);
    }
  }
  return 0;
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
    fail(p, p->line, "line too long (%zu characters, at most %d)", len, num - 2);
    return NULL;
  }
  p->line_indented = len > 0 && isspace((unsigned char)s[0]);
  if (check_bytes(p, s, len) != 0 || notice_header(p, s, len) != 0) return NULL;
  memcpy(str, s, len);
  str[len] = '\n';
  str[len + 1] = '\0';
  return str;
}

/* ---------------------------------------------------------------- handler */

static int is_sweep_key(const char *key) {
  static const char *const keys[] = {"name", "seeds", "output", "budget_evals", "budget_cost_s",
                                     NULL};
  for (int i = 0; keys[i]; i++)
    if (strcmp(key, keys[i]) == 0) return 1;
  return 0;
}

/* The settings a key of the current section goes into (NULL after an error). */
static mfbo_settings *target(parser *p, const char *key) {
  mfbo_job *job = p->job;
  int is_type = strcmp(key, "type") == 0;
  switch (p->section) {
  case SEC_SWEEP:
    if (is_sweep_key(key)) return &p->sweep;
    fail(p, p->line,
         "unknown key '%s' in [sweep] (known: name, seeds, output, budget_evals, "
         "budget_cost_s)",
         key);
    return NULL;
  case SEC_BENCHMARK:
    return is_type || strcmp(key, "instances") == 0 ? &p->bench_meta : &job->benchmark;
  case SEC_SPACE:
    return &job->space;
  case SEC_ALGORITHM:
    return is_type || strcmp(key, "plugin") == 0 ? &p->alg_meta[job->n_algorithms - 1]
                                                 : &job->algorithms[job->n_algorithms - 1].settings;
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
  mfbo_settings *s = NULL;
  if (p->line_indented)
    indented_line(p);
  else if (key[0] == '\0')
    fail(p, p->line, "missing key before '='");
  else
    s = target(p, key);
  if (s && mfbo_settings_add(s, key, value, p->line, p->err) != 0) p->failed = 1;
  return !p->failed;
}

/* inih found a syntax error at this line: say what the line should have been. */
static void syntax_error(parser *p, int line) {
  const char *s = p->text;
  for (int i = 1; i < line && s; i++) {
    s = strchr(s, '\n');
    if (s) s++;
  }
  while (s && isspace((unsigned char)*s)) s++;
  if (s && *s == '[')
    fail(p, line, "section header without closing ']'");
  else
    fail(p, line, "syntax error: expected 'key = value', '[section]' or a comment");
}

static int parse_text(parser *p) {
  int rc = ini_parse_stream(read_line, p, on_key, p);
  /* inih keeps going after a syntax error; it reports the first error's line */
  if (rc > 0 && !p->binary && (!p->failed || rc < p->err->line)) syntax_error(p, rc);
  if (rc < 0 && !p->failed) fail(p, 0, "out of memory");
  return p->failed ? -1 : 0;
}

/* ---------------------------------------------------------------- lists */

static int by_value(const void *a, const void *b) {
  long x = *(const long *)a, y = *(const long *)b;
  return (x > y) - (x < y);
}

/* A decimal integer at *s (after white space); advances *s past it. */
static int scan_long(const char **s, long *v) {
  const char *t = *s;
  while (isspace((unsigned char)*t)) t++;
  const char *digits = t + (*t == '-' || *t == '+');
  if (!isdigit((unsigned char)*digits)) return -1;
  char *end;
  errno = 0;
  *v = strtol(t, &end, 10);
  if (errno == ERANGE) return -1;
  *s = end;
  return 0;
}

/* One item "A" or "A-B" of a list, ending at ',' or the end of the text. */
static int parse_item(const char *s, long *a, long *b) {
  if (scan_long(&s, a) != 0) return -1;
  while (isspace((unsigned char)*s)) s++;
  *b = *a;
  if (*s == '-') {
    s++;
    if (scan_long(&s, b) != 0) return -1;
    while (isspace((unsigned char)*s)) s++;
  }
  return *s == ',' || *s == '\0' ? 0 : -1;
}

/* Appends a..b (a <= b); -1 when the list would grow past JOB_MAX_LIST. */
static int append_range(long a, long b, long **vals, size_t *n, size_t *cap) {
  unsigned long count = (unsigned long)b - (unsigned long)a + 1;
  if (count > (unsigned long)JOB_MAX_LIST - *n) return -1;
  if (*n + count > *cap) {
    size_t c = 2 * (*n + count);
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

/* Checks one item and appends its values; err set on failure. */
static int add_item(const char *s, long lo, long hi, long **vals, size_t *n, size_t *cap,
                    mfbo_error *err, int line) {
  int len = (int)strcspn(s, ",");
  while (len > 0 && isspace((unsigned char)*s)) s++, len--;
  while (len > 0 && isspace((unsigned char)s[len - 1])) len--;
  long a, b;
  if (parse_item(s, &a, &b) != 0) {
    mfbo_error_set(err, line, "bad list item '%.*s': expected a number or a range like 1-30",
                   len, s);
    return -1;
  }
  if (a < lo || a > hi || b < lo || b > hi) {
    if (hi == LONG_MAX)
      mfbo_error_set(err, line, "'%.*s': values must be >= %ld", len, s, lo);
    else
      mfbo_error_set(err, line, "'%.*s': values must be between %ld and %ld", len, s, lo, hi);
    return -1;
  }
  if (b < a) {
    mfbo_error_set(err, line, "empty range '%.*s' (write the smaller number first)", len, s);
    return -1;
  }
  int rc = append_range(a, b, vals, n, cap);
  if (rc == -1) mfbo_error_set(err, line, "list too long (more than %ld values)", JOB_MAX_LIST);
  if (rc == -2) mfbo_error_set(err, line, "out of memory");
  return rc == 0 ? 0 : -1;
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
    if (add_item(s, lo, hi, &vals, &count, &cap, err, line) != 0) {
      free(vals);
      return -1;
    }
    s = strchr(s, ',');
    if (!s) break;
    s++;
  }
  qsort(vals, count, sizeof *vals, by_value);
  size_t m = 0;
  for (size_t i = 0; i < count; i++)
    if (m == 0 || vals[i] != vals[m - 1]) vals[m++] = vals[i];
  *out = vals;
  *n = (int)m;
  return 0;
}

/* A list-valued setting; the message is prefixed with the key. */
static int parse_list_setting(parser *p, const mfbo_setting *it, long lo, long hi, long **out,
                              int *n) {
  if (mfbo_parse_int_list(it->value, lo, hi, out, n, p->err, it->line) == 0) return 0;
  char msg[sizeof p->err->msg];
  snprintf(msg, sizeof msg, "%s", p->err->msg);
  return fail(p, it->line, "%s: %s", it->key, msg);
}

/* ---------------------------------------------------------------- [sweep] */

/* "dir/name.ini" -> "name" */
static void basename_stem(const char *path, char *out, size_t size) {
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  const char *dot = strrchr(base, '.');
  int len = (int)(dot && dot != base ? (size_t)(dot - base) : strlen(base));
  snprintf(out, size, "%.*s", len, base);
}

static int copy_value(parser *p, const mfbo_setting *it, char *dst, size_t size) {
  if (it->value[0] == '\0') return fail(p, it->line, "%s is empty", it->key);
  if (strlen(it->value) >= size)
    return fail(p, it->line, "%s is too long (at most %zu characters)", it->key, size - 1);
  snprintf(dst, size, "%s", it->value);
  return 0;
}

static int finish_sweep(parser *p, const char *default_name) {
  mfbo_job *job = p->job;
  mfbo_settings *s = &p->sweep;
  const mfbo_setting *it = mfbo_settings_take(s, "name");
  if (it && copy_value(p, it, job->name, sizeof job->name) != 0) return -1;
  if (!it) snprintf(job->name, sizeof job->name, "%s", default_name);
  if (job->name[0] == '\0') return fail(p, p->sweep_line, "the job needs a name (name = ...)");
  it = mfbo_settings_take(s, "output");
  if (it && copy_value(p, it, job->output, sizeof job->output) != 0) return -1;
  if (!it) snprintf(job->output, sizeof job->output, "%s.h5", job->name);
  it = mfbo_settings_take(s, "seeds");
  if (!it) return fail(p, p->sweep_line, "missing key 'seeds' in [sweep] (e.g. seeds = 1-30)");
  if (parse_list_setting(p, it, 0, LONG_MAX, &job->seeds, &job->n_seeds) != 0) return -1;
  mfbo_budget *b = &job->budget;
  it = mfbo_settings_take(s, "budget_evals");
  if (it && (mfbo_parse_long(it->value, &b->max_evals) != 0 || b->max_evals < 0))
    return fail(p, it->line, "budget_evals = '%s': expected an integer >= 0 (0: no limit)",
                it->value);
  it = mfbo_settings_take(s, "budget_cost_s");
  if (it && (mfbo_parse_double(it->value, &b->max_cost_s) != 0 || b->max_cost_s < 0))
    return fail(p, it->line, "budget_cost_s = '%s': expected seconds >= 0 (0: no limit)",
                it->value);
  return 0;
}

/* ---------------------------------------------------------------- types */

static void benchmark_names(char *buf, size_t size) {
  size_t at = 0;
  buf[0] = '\0';
  for (int i = 0; mfbo_benchmark_types[i] && at < size; i++)
    at += (size_t)snprintf(buf + at, size - at, "%s%s", i ? ", " : "",
                           mfbo_benchmark_types[i]->name);
}

static void searcher_names(char *buf, size_t size) {
  size_t at = 0;
  buf[0] = '\0';
  for (int i = 0; mfbo_searcher_types[i] && at < size; i++)
    at += (size_t)snprintf(buf + at, size - at, "%s%s", i ? ", " : "",
                           mfbo_searcher_types[i]->name);
}

static int finish_benchmark(parser *p) {
  mfbo_job *job = p->job;
  char known[256];
  const mfbo_setting *it = mfbo_settings_take(&p->bench_meta, "type");
  if (!it) return fail(p, p->benchmark_line, "missing key 'type' in [benchmark]");
  job->benchmark_type = mfbo_benchmark_type_find(it->value);
  if (!job->benchmark_type) {
    benchmark_names(known, sizeof known);
    return fail(p, it->line, "unknown benchmark type '%s' (known: %s)", it->value, known);
  }
  mfbo_setting one = {"instances", "1", p->benchmark_line, 1};
  it = mfbo_settings_take(&p->bench_meta, "instances");
  long *vals = NULL;
  int n = 0;
  if (parse_list_setting(p, it ? it : &one, 1, INT_MAX, &vals, &n) != 0) return -1;
  job->instances = malloc((size_t)n * sizeof *job->instances);
  if (!job->instances) {
    free(vals);
    return fail(p, 0, "out of memory");
  }
  for (int i = 0; i < n; i++) job->instances[i] = (int)vals[i];
  job->n_instances = n;
  free(vals);
  return 0;
}

/* The type called name from the plugin the setting names (relative to the job's directory). */
static int load_plugin(parser *p, mfbo_job_algorithm *a, const mfbo_setting *plugin,
                       const char *name) {
  char path[4096], where[1024], msg[sizeof p->err->msg];
  if (plugin->value[0] == '\0') return fail(p, plugin->line, "plugin is empty");
  if (mfbo_settings_find_file(&p->job->benchmark, plugin->value, path, sizeof path, where,
                              sizeof where) != 0)
    return fail(p, plugin->line, "plugin %s: not found (looked in %s)", plugin->value, where);
  a->type = mfbo_plugin_searcher(path, name, msg, sizeof msg);
  return a->type ? 0 : fail(p, plugin->line, "%s", msg);
}

static int finish_algorithms(parser *p) {
  mfbo_job *job = p->job;
  char known[256];
  for (int i = 0; i < job->n_algorithms; i++) {
    mfbo_job_algorithm *a = &job->algorithms[i];
    const mfbo_setting *it = mfbo_settings_take(&p->alg_meta[i], "type");
    const char *name = it ? it->value : a->label;
    const mfbo_setting *plugin = mfbo_settings_take(&p->alg_meta[i], "plugin");
    if (plugin) {
      if (load_plugin(p, a, plugin, name) != 0) return -1;
      continue;
    }
    a->type = mfbo_searcher_type_find(name);
    if (!a->type) {
      searcher_names(known, sizeof known);
      return fail(p, it ? it->line : a->line, "unknown algorithm type '%s' (known: %s)", name,
                  known);
    }
  }
  return 0;
}

static int check_sections(parser *p) {
  if (!p->sweep_line) return fail(p, 0, "missing section [sweep]");
  if (!p->benchmark_line) return fail(p, 0, "missing section [benchmark]");
  if (p->job->n_algorithms == 0)
    return fail(p, 0, "no [algorithm LABEL] section: the job has nothing to run");
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
    b = mfbo_benchmark_build(job->benchmark_type, &bench, &space, instance, err);
    mfbo_settings_free(&space);
  }
  mfbo_settings_free(&bench);
  return b;
}

/* A search that would not stop by itself before the run loop's limit, in a job without a
 * budget, cannot finish: every run would fail after 10 million evaluations (and about 1 GB
 * per rank). Refused here, at the algorithm's header. */
static int check_finishes(const mfbo_job_algorithm *a, const void *state,
                          const mfbo_space *space, const mfbo_budget *budget, mfbo_error *err) {
  if (budget->max_evals > 0 || budget->max_cost_s > 0 || !a->type->max_evals) return 0;
  if (a->type->max_evals(state, MFBO_RUN_HARD_MAX_EVALS) >= 0) return 0;
  mfbo_error_set(err, a->line,
                 "[algorithm %s] (%s) cannot finish: without a budget it would make more than "
                 "%ld evaluations per run on this space of %" PRIu64 " configurations, the "
                 "most a run may make (every run would fail); set budget_evals or "
                 "budget_cost_s in [sweep]%s",
                 a->label, a->type->name, MFBO_RUN_HARD_MAX_EVALS, mfbo_space_size(space),
                 strcmp(a->type->name, "hyperband") == 0 ? ", or max_iterations"
                 : strcmp(a->type->name, "sh") == 0      ? ", or a smaller n_configs"
                 : strcmp(a->type->name, "random") == 0  ? ", or a smaller count"
                                                         : "");
  return -1;
}

/* Starts the algorithm's search once on the space, as a run will, checks that it can finish
 * within the job's budget, and frees it. */
static int validate_algorithm(const mfbo_job_algorithm *a, const mfbo_space *space,
                              const mfbo_budget *budget, mfbo_error *err) {
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
    if (rc == 0) rc = check_finishes(a, state, space, budget, err);
    a->type->free(state); /* as in mfbo_run: also after a failed init */
  }
  if (rng) gsl_rng_free(rng);
  free(state);
  mfbo_settings_free(&settings);
  return rc;
}

/* Builds every instance's landscape, once: the job keeps them for the runs. Then starts each
 * algorithm on the first instance's space. */
static int validate(mfbo_job *job, mfbo_error *err) {
  job->benchmarks = calloc((size_t)job->n_instances, sizeof *job->benchmarks);
  if (!job->benchmarks) {
    mfbo_error_set(err, 0, "out of memory");
    return -1;
  }
  for (int i = 0; i < job->n_instances; i++)
    if (!(job->benchmarks[i] = build_benchmark(job, job->instances[i], err))) return -1;
  int rc = 0;
  for (int i = 0; i < job->n_algorithms && rc == 0; i++)
    rc = validate_algorithm(&job->algorithms[i], job->benchmarks[0]->space, &job->budget, err);
  return rc;
}

/* ---------------------------------------------------------------- loading */

/* Parses and validates text (len bytes, owned by the job from now on). */
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
    fail(&p, 0, "out of memory");
  else if (len > (size_t)JOB_MAX_BYTES)
    fail(&p, 0, "job too large (%zu bytes, at most 1 MiB)", len);
  else if (parse_text(&p) == 0 && check_sections(&p) == 0 && finish_sweep(&p, default_name) == 0 &&
           finish_benchmark(&p) == 0 && finish_algorithms(&p) == 0)
    rc = validate(job, err);
  mfbo_settings_free(&p.sweep);
  mfbo_settings_free(&p.bench_meta);
  for (int i = 0; i < job->n_algorithms; i++) mfbo_settings_free(&p.alg_meta[i]);
  free(p.alg_meta);
  if (rc != 0) {
    /* errors from the core keep the file name; one about another file brings its own */
    if (err->file[0] == '\0') snprintf(err->file, sizeof err->file, "%s", path);
    mfbo_job_free(job);
  }
  return rc;
}

static void start(const char *path, mfbo_job *job, mfbo_error *err) {
  memset(job, 0, sizeof *job);
  mfbo_settings_init(&job->benchmark);
  mfbo_settings_init(&job->space);
  mfbo_error_clear(err);
  snprintf(err->file, sizeof err->file, "%s", path);
}

int mfbo_job_load_text(const char *name, const char *text, mfbo_job *job, mfbo_error *err) {
  mfbo_error local;
  if (!err) err = &local;
  start(name, job, err);
  char *copy = strdup(text);
  if (!copy) {
    mfbo_error_set(err, 0, "out of memory");
    return -1;
  }
  return load(name, name, copy, strlen(copy), job, err);
}

/* Reads a whole file of at most JOB_MAX_BYTES into *text (NUL-terminated). */
static int read_file(const char *path, char **text, size_t *len, mfbo_error *err) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    mfbo_error_set(err, 0, "cannot open: %s", strerror(errno));
    return -1;
  }
  char *buf = malloc((size_t)JOB_MAX_BYTES + 2);
  size_t n = buf ? fread(buf, 1, (size_t)JOB_MAX_BYTES + 1, f) : 0;
  int read_errno = errno;
  int failed = !buf || ferror(f);
  fclose(f);
  if (!buf)
    mfbo_error_set(err, 0, "out of memory");
  else if (failed)
    mfbo_error_set(err, 0, "cannot read: %s", strerror(read_errno));
  else if (n > (size_t)JOB_MAX_BYTES)
    mfbo_error_set(err, 0, "file too large (more than 1 MiB): not a job file");
  if (!buf || failed || n > (size_t)JOB_MAX_BYTES) {
    free(buf);
    return -1;
  }
  buf[n] = '\0';
  *text = buf;
  *len = n;
  return 0;
}

int mfbo_job_load_file(const char *path, mfbo_job *job, mfbo_error *err) {
  mfbo_error local;
  if (!err) err = &local;
  start(path, job, err);
  char *text = NULL;
  size_t len = 0;
  if (read_file(path, &text, &len, err) != 0) return -1;
  /* a data file named by the job is looked for in the job file's directory first */
  if (mfbo_settings_set_dir_of(&job->benchmark, path) != 0) {
    free(text);
    mfbo_error_set(err, 0, "out of memory");
    return -1;
  }
  char stem[sizeof job->name];
  basename_stem(path, stem, sizeof stem);
  return load(path, stem, text, len, job, err);
}

int mfbo_job_read_file(const char *path, char **text, size_t *len, mfbo_error *err) {
  mfbo_error local;
  if (!err) err = &local;
  mfbo_error_clear(err);
  snprintf(err->file, sizeof err->file, "%s", path);
  *text = NULL;
  *len = 0;
  return read_file(path, text, len, err);
}

int mfbo_job_load_file_text(const char *path, const char *text, size_t len, mfbo_job *job,
                            mfbo_error *err) {
  mfbo_error local;
  if (!err) err = &local;
  start(path, job, err);
  char *copy = malloc(len + 1);
  if (!copy || mfbo_settings_set_dir_of(&job->benchmark, path) != 0) {
    free(copy);
    mfbo_settings_free(&job->benchmark);
    mfbo_error_set(err, 0, "out of memory");
    return -1;
  }
  memcpy(copy, text, len);
  copy[len] = '\0';
  char stem[sizeof job->name];
  basename_stem(path, stem, sizeof stem);
  return load(path, stem, copy, len, job, err);
}

void mfbo_job_free(mfbo_job *job) {
  if (!job) return;
  free(job->path);
  free(job->text);
  free(job->seeds);
  for (int i = 0; job->benchmarks && i < job->n_instances; i++)
    mfbo_benchmark_free(job->benchmarks[i]);
  free(job->benchmarks);
  free(job->instances);
  mfbo_settings_free(&job->benchmark);
  mfbo_settings_free(&job->space);
  for (int i = 0; i < job->n_algorithms; i++) mfbo_settings_free(&job->algorithms[i].settings);
  free(job->algorithms);
  memset(job, 0, sizeof *job);
}

/* ---------------------------------------------------------------- canonical form */

/* A growing string; on out of memory it stays NULL. */
typedef struct {
  char *s;
  size_t len, cap;
  int failed;
} strbuf;

static void sb_add(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_add(strbuf *b, const char *fmt, ...) {
  if (b->failed) return;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) {
    b->failed = 1;
    return;
  }
  if (b->len + (size_t)n + 1 > b->cap) {
    size_t cap = 2 * (b->len + (size_t)n + 1);
    char *s = realloc(b->s, cap);
    if (!s) {
      b->failed = 1;
      return;
    }
    b->s = s;
    b->cap = cap;
  }
  va_start(ap, fmt);
  vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

static int by_setting_key(const void *a, const void *b) {
  return strcmp((*(const mfbo_setting *const *)a)->key, (*(const mfbo_setting *const *)b)->key);
}

/* A list value as its sorted ranges ("3, 1-2" -> "1-3"); the value itself if it is no list. */
static void add_list(strbuf *b, const char *value) {
  long *v;
  int n;
  mfbo_error ignored;
  if (mfbo_parse_int_list(value, LONG_MIN, LONG_MAX, &v, &n, &ignored, 0) != 0) {
    sb_add(b, "%s", value);
    return;
  }
  for (int i = 0; i < n;) {
    int j = i;
    while (j + 1 < n && v[j + 1] == v[j] + 1) j++;
    if (j > i)
      sb_add(b, "%s%ld-%ld", i ? ", " : "", v[i], v[j]);
    else
      sb_add(b, "%s%ld", i ? ", " : "", v[i]);
    i = j + 1;
  }
  free(v);
}

/* "[header]\n" then the keys of a and b (either may be NULL), sorted, one "key = value" a
 * line; lists normalised. An empty [space] is left out (it is the same as none). */
static void add_section(strbuf *b, const char *header, const mfbo_settings *x,
                        const mfbo_settings *y, int skip_empty) {
  int n = (x ? x->n : 0) + (y ? y->n : 0);
  if (n == 0 && skip_empty) return;
  const mfbo_setting **all = malloc((size_t)(n ? n : 1) * sizeof *all);
  if (!all) {
    b->failed = 1;
    return;
  }
  int k = 0;
  for (int i = 0; x && i < x->n; i++) all[k++] = &x->items[i];
  for (int i = 0; y && i < y->n; i++) all[k++] = &y->items[i];
  qsort(all, (size_t)n, sizeof *all, by_setting_key);
  sb_add(b, "[%s]\n", header);
  for (int i = 0; i < n; i++) {
    sb_add(b, "%s = ", all[i]->key);
    if (strcmp(all[i]->key, "seeds") == 0 || strcmp(all[i]->key, "instances") == 0)
      add_list(b, all[i]->value);
    else
      sb_add(b, "%s", all[i]->value);
    sb_add(b, "\n");
  }
  free(all);
}

/* Replaces key's value in s, or adds the key. */
static int set_value(mfbo_settings *s, const char *key, const char *value, mfbo_error *err) {
  mfbo_setting *it = mfbo_settings_take(s, key);
  if (!it) return mfbo_settings_add(s, key, value, 0, err);
  char *v = strdup(value);
  if (!v) {
    mfbo_error_set(err, 0, "out of memory");
    return -1;
  }
  free(it->value);
  it->value = v;
  it->used = 0;
  return 0;
}

/* The canonical form of text, with [sweep] seeds and [benchmark] instances replaced by the
 * given values (NULL: as in the text). */
static int canonical(const char *text, size_t len, const char *seeds, const char *instances,
                     char **out, mfbo_error *err) {
  mfbo_job job;
  start("job", &job, err);
  *out = NULL;
  parser p;
  memset(&p, 0, sizeof p);
  p.job = &job;
  p.err = err;
  p.text = text;
  p.len = len;
  mfbo_settings_init(&p.sweep);
  mfbo_settings_init(&p.bench_meta);
  int rc = -1;
  if (len > (size_t)JOB_MAX_BYTES)
    fail(&p, 0, "job too large (%zu bytes, at most 1 MiB)", len);
  else if (parse_text(&p) == 0 && (!seeds || set_value(&p.sweep, "seeds", seeds, err) == 0) &&
           (!instances || set_value(&p.bench_meta, "instances", instances, err) == 0)) {
    strbuf b = {0};
    add_section(&b, "sweep", &p.sweep, NULL, 0);
    add_section(&b, "benchmark", &p.bench_meta, &job.benchmark, 0);
    add_section(&b, "space", &job.space, NULL, 1);
    for (int i = 0; i < job.n_algorithms; i++) {
      char header[MFBO_NAME_MAX + 16];
      snprintf(header, sizeof header, "algorithm %s", job.algorithms[i].label);
      add_section(&b, header, &p.alg_meta[i], &job.algorithms[i].settings, 0);
    }
    if (b.failed || !b.s) {
      free(b.s);
      if (!b.failed && !b.s && (b.s = strdup(""))) {
        *out = b.s;
        rc = 0;
      } else {
        fail(&p, 0, "out of memory");
      }
    } else {
      *out = b.s;
      rc = 0;
    }
  }
  mfbo_settings_free(&p.sweep);
  mfbo_settings_free(&p.bench_meta);
  for (int i = 0; i < job.n_algorithms; i++) mfbo_settings_free(&p.alg_meta[i]);
  free(p.alg_meta);
  mfbo_settings_free(&job.benchmark);
  mfbo_settings_free(&job.space);
  for (int i = 0; i < job.n_algorithms; i++) mfbo_settings_free(&job.algorithms[i].settings);
  free(job.algorithms);
  return rc;
}

int mfbo_job_canonical(const char *text, size_t len, char **out, mfbo_error *err) {
  mfbo_error local;
  return canonical(text, len, NULL, NULL, out, err ? err : &local);
}

int mfbo_job_override(const char *text, size_t len, const char *seeds, const char *instances,
                      char **out, mfbo_error *err) {
  mfbo_error local;
  if (!err) err = &local;
  long *v = NULL;
  int n;
  const char *bad = NULL;
  if (seeds && mfbo_parse_int_list(seeds, 0, LONG_MAX, &v, &n, err, 0) != 0)
    bad = "--seeds";
  free(v);
  v = NULL;
  if (!bad && instances && mfbo_parse_int_list(instances, 1, INT_MAX, &v, &n, err, 0) != 0)
    bad = "--instances";
  free(v);
  if (bad) {
    char msg[sizeof err->msg];
    snprintf(msg, sizeof msg, "%s", err->msg);
    mfbo_error_set(err, 0, "%s: %s", bad, msg);
    return -1;
  }
  return canonical(text, len, seeds, instances, out, err);
}

/* One line of a canonical form: in section sec (its header without brackets), key = value;
 * a section header has key NULL. */
typedef struct {
  const char *sec;
  size_t sec_len;
  const char *key, *value;
  size_t key_len, value_len;
} canon_line;

/* Splits a canonical form (modified: no copies) into lines; *n of them. */
static canon_line *canon_lines(const char *text, int *n) {
  int cap = 16;
  canon_line *v = malloc((size_t)cap * sizeof *v);
  const char *sec = "", *s = text;
  size_t sec_len = 0;
  *n = 0;
  while (v && *s) {
    const char *nl = strchr(s, '\n');
    size_t len = nl ? (size_t)(nl - s) : strlen(s);
    if (*n == cap) {
      canon_line *w = realloc(v, (size_t)(cap *= 2) * sizeof *v);
      if (!w) {
        free(v);
        return NULL;
      }
      v = w;
    }
    canon_line *l = &v[(*n)++];
    memset(l, 0, sizeof *l);
    if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
      sec = s + 1;
      sec_len = len - 2;
    } else {
      const char *eq = memchr(s, '=', len);
      l->key = s;
      l->key_len = eq && eq > s ? (size_t)(eq - 1 - s) : len;
      l->value = eq ? eq + (eq + 1 < s + len && eq[1] == ' ' ? 2 : 1) : s + len;
      l->value_len = (size_t)(s + len - l->value);
    }
    l->sec = sec;
    l->sec_len = sec_len;
    s += len + (nl ? 1 : 0);
  }
  return v;
}

static int same_span(const char *a, size_t la, const char *b, size_t lb) {
  return la == lb && memcmp(a, b, la) == 0;
}

/* The line of sec (and key; NULL: its header) in v, or NULL. */
static const canon_line *find_line(const canon_line *v, int n, const canon_line *like,
                                   int header) {
  for (int i = 0; i < n; i++) {
    if (!same_span(v[i].sec, v[i].sec_len, like->sec, like->sec_len)) continue;
    if (header ? !v[i].key : v[i].key && same_span(v[i].key, v[i].key_len, like->key, like->key_len))
      return &v[i];
  }
  return NULL;
}

/* Appends what differs at line l of one side (the other side: w, m); then_first: l is on the
 * "then" side. */
static void diff_line(strbuf *b, int *count, const canon_line *l, const canon_line *w, int m,
                      int then_first, const char *then_name) {
  if (!l->key && (find_line(w, m, l, 1) || !then_first)) return; /* same, or reported */
  if (l->key && !find_line(w, m, l, 1)) return; /* its whole section is reported */
  const canon_line *o = l->key ? find_line(w, m, l, 0) : NULL;
  if (l->key && o && (!then_first || same_span(l->value, l->value_len, o->value, o->value_len)))
    return; /* the same, or reported from the "then" side */
  if (++*count > 6) return;
  sb_add(b, "%s", *count > 1 ? "; " : "");
  if (!l->key) {
    sb_add(b, "[%.*s] %s, not in the job now", (int)l->sec_len, l->sec,
           then_first ? then_name : "");
    return;
  }
  const canon_line *then = then_first ? l : o, *now = then_first ? o : l;
  sb_add(b, "[%.*s] %.*s: ", (int)l->sec_len, l->sec, (int)l->key_len, l->key);
  if (then)
    sb_add(b, "%.*s %s, ", (int)then->value_len, then->value, then_name);
  else
    sb_add(b, "not set %s, ", then_name);
  if (now)
    sb_add(b, "%.*s now", (int)now->value_len, now->value);
  else
    sb_add(b, "not set now");
}

/* The algorithm labels of v in order, "a, b, c". */
static void add_algorithm_order(strbuf *b, const canon_line *v, int n) {
  int k = 0;
  for (int i = 0; i < n; i++)
    if (!v[i].key && v[i].sec_len > 10 && memcmp(v[i].sec, "algorithm ", 10) == 0)
      sb_add(b, "%s%.*s", k++ ? ", " : "", (int)v[i].sec_len - 10, v[i].sec + 10);
}

char *mfbo_job_canonical_diff(const char *then, const char *now, const char *then_name) {
  int n, m, count = 0;
  canon_line *v = canon_lines(then, &n), *w = canon_lines(now, &m);
  strbuf b = {0};
  char side[128];
  snprintf(side, sizeof side, "in %s", then_name);
  if (!v || !w) b.failed = 1;
  for (int i = 0; !b.failed && i < n; i++) diff_line(&b, &count, &v[i], w, m, 1, side);
  for (int i = 0; !b.failed && i < m; i++) {
    if (!w[i].key && !find_line(v, n, &w[i], 1)) {
      if (++count <= 6)
        sb_add(&b, "%s[%.*s] not %s, in the job now", count > 1 ? "; " : "", (int)w[i].sec_len,
               w[i].sec, side);
      continue;
    }
    if (w[i].key && !find_line(v, n, &w[i], 0)) diff_line(&b, &count, &w[i], v, n, 0, side);
  }
  if (count == 0 && !b.failed) { /* the same sections and keys: the algorithms' order */
    strbuf x = {0}, y = {0};
    add_algorithm_order(&x, v, n);
    add_algorithm_order(&y, w, m);
    if (x.s && y.s && strcmp(x.s, y.s) != 0) {
      sb_add(&b, "the order of the algorithms (task ids follow it): %s %s, %s now", x.s, side,
             y.s);
      count++;
    }
    free(x.s);
    free(y.s);
  }
  if (count > 6) sb_add(&b, "; and %d more", count - 6);
  free(v);
  free(w);
  if (b.failed) {
    free(b.s);
    return strdup("out of memory");
  }
  return b.s; /* NULL: no difference */
}

int mfbo_job_same(const char *then_text, size_t then_len, const char *now_text,
                  const char *then_name, char *msg, size_t size) {
  if (then_len == strlen(now_text) && memcmp(then_text, now_text, then_len) == 0) return 1;
  char *then = NULL, *now = NULL;
  mfbo_error err;
  int rc = 0;
  if (mfbo_job_canonical(then_text, then_len, &then, &err) != 0) {
    snprintf(msg, size, "the job text in %s is not a job file this program reads (line %d: %s)",
             then_name, err.line, err.msg);
  } else if (mfbo_job_canonical(now_text, strlen(now_text), &now, &err) != 0) {
    snprintf(msg, size, "the job cannot be read (line %d: %s)", err.line, err.msg);
  } else {
    char *diff = strcmp(then, now) == 0 ? NULL : mfbo_job_canonical_diff(then, now, then_name);
    rc = diff ? 0 : 1;
    if (diff) snprintf(msg, size, "%s", diff);
    free(diff);
  }
  free(then);
  free(now);
  return rc;
}
