/* canonical.c: a job's canonical form (what it means, without comments, order or spelling),
 * its overrides, and what differs between two of them (include/mfbo/job.h). */
#include "reader.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
  job_start("job", &job, err);
  *out = NULL;
  parser p;
  job_parser_init(&p, &job, err, text, len);
  int rc = -1;
  if (len > (size_t)JOB_MAX_BYTES)
    job_fail(&p, 0, "job too large (%zu bytes, at most 1 MiB)", len);
  else if (job_parse_text(&p) == 0 && (!seeds || set_value(&p.sweep, "seeds", seeds, err) == 0) &&
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
        job_fail(&p, 0, "out of memory");
      }
    } else {
      *out = b.s;
      rc = 0;
    }
  }
  job_parser_free(&p);
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
