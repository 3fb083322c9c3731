/* reader.c: the job file's reader. libinih does the parsing; a tiny line reader around it
 * counts lines (so every error names FILE:LINE), refuses binary input and overlong lines, and
 * sees section headers (so empty sections exist and long labels are not truncated by inih);
 * the handler routes each key to its section's settings. */
#include "reader.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "mfbo/plugin.h"

int job_fail(parser *p, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

int job_fail(parser *p, int line, const char *fmt, ...) {
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
  if (n == 0) return job_fail(p, p->line, "missing label: write [algorithm LABEL]");
  if (n >= MFBO_NAME_MAX)
    return job_fail(p, p->line, "algorithm label '%s' is too long (at most %d characters)", label,
                MFBO_NAME_MAX - 1);
  for (size_t i = 0; i < n; i++) {
    int c = (unsigned char)label[i];
    if (!isalnum(c) && !strchr("_.+-", c))
      return job_fail(p, p->line, "bad algorithm label '%s': use letters, digits and _ . + -",
                  label);
  }
  return 0;
}

static int open_algorithm(parser *p, const char *label) {
  mfbo_job *job = p->job;
  if (check_label(p, label) != 0) return -1;
  for (int i = 0; i < job->n_algorithms; i++)
    if (strcmp(job->algorithms[i].label, label) == 0)
      return job_fail(p, p->line, "duplicate section [algorithm %s] (first on line %d)", label,
                  job->algorithms[i].line);
  size_t n = (size_t)job->n_algorithms + 1;
  mfbo_job_algorithm *algs = realloc(job->algorithms, n * sizeof *algs);
  if (algs) job->algorithms = algs;
  mfbo_settings *meta = realloc(p->alg_meta, n * sizeof *meta);
  if (meta) p->alg_meta = meta;
  if (!algs || !meta) return job_fail(p, p->line, "out of memory");
  mfbo_job_algorithm *a = &algs[n - 1];
  memset(a, 0, sizeof *a);
  memcpy(a->label, label, strlen(label) + 1); /* check_label bounded its length */
  mfbo_settings_init(&a->settings);
  a->settings.line = p->line;
  /* a path in a setting (an external searcher's command) is relative to the job file */
  if (job->benchmark.dir && !(a->settings.dir = strdup(job->benchmark.dir)))
    return job_fail(p, p->line, "out of memory");
  a->line = p->line;
  mfbo_settings_init(&meta[n - 1]);
  job->n_algorithms = (int)n;
  p->section = SEC_ALGORITHM;
  return 0;
}

/* [sweep], [benchmark] and [space] may each appear once. */
static int open_single(parser *p, section_kind kind, const char *name, int *seen,
                       mfbo_settings *settings) {
  if (*seen) return job_fail(p, p->line, "duplicate section [%s] (first on line %d)", name, *seen);
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
  return job_fail(p, p->line,
              "unknown section [%s] (expected [sweep], [benchmark], [space] or "
              "[algorithm LABEL])",
              name);
}

/* ---------------------------------------------------------------- reader */

static int indented_line(parser *p) {
  /* inih would take the line as a continuation of the previous value */
  return job_fail(p, p->line,
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
  if (n >= sizeof name) return job_fail(p, p->line, "section name too long");
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
      return job_fail(p, p->line, "binary input (byte 0x%02x): not a job file", c);
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
    job_fail(p, p->line, "line too long (%zu characters, at most %d)", len, num - 2);
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
    job_fail(p, p->line,
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
  job_fail(p, p->line, "key '%s' before any [section]", key);
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
    job_fail(p, p->line, "missing key before '='");
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
    job_fail(p, line, "section header without closing ']'");
  else
    job_fail(p, line, "syntax error: expected 'key = value', '[section]' or a comment");
}

int job_parse_text(parser *p) {
  int rc = ini_parse_stream(read_line, p, on_key, p);
  /* inih keeps going after a syntax error; it reports the first error's line */
  if (rc > 0 && !p->binary && (!p->failed || rc < p->err->line)) syntax_error(p, rc);
  if (rc < 0 && !p->failed) job_fail(p, 0, "out of memory");
  return p->failed ? -1 : 0;
}


void job_parser_init(parser *p, mfbo_job *job, mfbo_error *err, const char *text, size_t len) {
  memset(p, 0, sizeof *p);
  p->job = job;
  p->err = err;
  p->text = text;
  p->len = len;
  mfbo_settings_init(&p->sweep);
  mfbo_settings_init(&p->bench_meta);
}

void job_parser_free(parser *p) {
  mfbo_settings_free(&p->sweep);
  mfbo_settings_free(&p->bench_meta);
  for (int i = 0; i < p->job->n_algorithms; i++) mfbo_settings_free(&p->alg_meta[i]);
  free(p->alg_meta);
  p->alg_meta = NULL;
}
