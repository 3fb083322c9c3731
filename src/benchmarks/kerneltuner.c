/* kerneltuner.c: the `kerneltuner` benchmark: a real, brute-forced GPU tuning space read
 * from a Kernel Tuner cache file (.json or .json.gz; see data/README.md).
 * The space is the set of configurations the file lists (restricted, not cartesian); the
 * true time of a configuration is its recorded `time`, a measurement at fidelity r is the
 * mean of r repetitions drawn with replacement from its recorded `times`, and the cost is
 * what the tuner recorded (formula in docs/job-format.md). Everything is read once, at
 * init, into arrays indexed by the space index: measuring does no string look-ups.
 * JSON is read with jansson and gzip with zlib; this file must not parse JSON by hand. */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "mfbo/benchmark.h"

#define KT_MAX_BYTES ((size_t)1 << 31) /* decompressed; gzread counts in unsigned int */

/* Per-configuration data, indexed by the space index k (0 <= k < n). */
typedef struct {
  size_t n;
  double *true_ms;     /* the recorded `time`; INFINITY for a failed configuration */
  double *fixed_ms;    /* cost that does not depend on the repetitions, ms */
  double *per_rep_ms;  /* cost of one timed repetition (time + overhead), ms; 0 if failed */
  size_t *times_start; /* first repetition of k in times_ms */
  int *times_n;        /* its number of recorded repetitions (0: measured exactly) */
  double *times_ms;    /* every recorded repetition, ms */
  int resample;        /* 1: noise from the recorded repetitions; 0: no noise */
} kt_state;

/* What a loader needs to report an error: the data file and the job line naming it. */
typedef struct {
  const char *path; /* as the job gives it (messages name it so) */
  int line;
  mfbo_error *err;
  const mfbo_settings *settings; /* where a relative path is looked for (settings->dir) */
} kt_ctx;

__attribute__((format(printf, 2, 3))) static int kt_fail(const kt_ctx *c, const char *fmt, ...) {
  char msg[sizeof c->err->msg];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  mfbo_error_set(c->err, c->line, "%s: %s", c->path, msg);
  return -1;
}

/* ---------------------------------------------------------------- reading the file */

/* The error of a failed gzread, as a message. */
static int read_error(const kt_ctx *c, gzFile f) {
  int code;
  const char *text = gzerror(f, &code);
  if (code == Z_BUF_ERROR)
    return kt_fail(c, "truncated gzip data (the file ends early: an interrupted copy?)");
  if (code == Z_DATA_ERROR) return kt_fail(c, "corrupt gzip data (%s)", text);
  if (code == Z_ERRNO) return kt_fail(c, "cannot read: %s", strerror(errno));
  return kt_fail(c, "cannot read: %s", text);
}

/* Reads every byte of f into a growing buffer; NULL (err set) on failure. */
static char *read_stream(const kt_ctx *c, gzFile f, size_t *len) {
  size_t cap = 1 << 20, n = 0;
  char *buf = malloc(cap);
  int got = 0;
  while (buf && (got = gzread(f, buf + n, (unsigned)(cap - n))) > 0) {
    n += (size_t)got;
    if (n < cap) continue;
    char *bigger = cap < KT_MAX_BYTES ? realloc(buf, 2 * cap) : NULL;
    if (!bigger) {
      kt_fail(c, cap < KT_MAX_BYTES ? "out of memory" : "larger than 2 GiB decompressed");
      free(buf);
      return NULL;
    }
    buf = bigger;
    cap *= 2;
  }
  int code = Z_OK;
  gzerror(f, &code); /* a truncated gzip stream can end with 0 bytes read and an error */
  if (!buf) {
    kt_fail(c, "out of memory");
  } else if (got < 0 || code != Z_OK) {
    read_error(c, f);
    free(buf);
    buf = NULL;
  }
  *len = n;
  return buf;
}

/* The whole file, decompressed if it is gzip (zlib reads plain files as they are). */
static char *read_all(const kt_ctx *c, size_t *len, int *gzipped) {
  char path[4096], where[2 * 4096 + 8];
  int found = mfbo_settings_find_file(c->settings, c->path, path, sizeof path, where,
                                      sizeof where) == 0;
  errno = 0;
  gzFile f = gzopen(path, "rb");
  if (!f) {
    const char *why = errno ? strerror(errno) : "out of memory";
    if (found || c->path[0] == '/')
      kt_fail(c, "cannot open: %s", why);
    else
      kt_fail(c, "cannot open: %s (a relative path is looked for in the job file's directory, "
              "then in the installed data directory: %s)", why, where);
    return NULL;
  }
  gzbuffer(f, 1 << 17);
  char *buf = read_stream(c, f, len);
  *gzipped = !gzdirect(f);
  gzclose(f);
  return buf;
}

/* Parses the text; explains a truncated file (Kernel Tuner writes cache files as it goes). */
static json_t *parse_json(const kt_ctx *c, const char *text, size_t len, int gzipped) {
  json_error_t jerr;
  json_t *root = json_loadb(text, len, 0, &jerr);
  if (root) return root;
  size_t start = 0;
  while (start < len &&
         (text[start] == ' ' || text[start] == '\t' || text[start] == '\r' || text[start] == '\n'))
    start++;
  if (start == len) {
    kt_fail(c, "empty file: not a Kernel Tuner cache file");
  } else if (!gzipped && text[start] != '{') {
    kt_fail(c, "neither JSON nor gzip-compressed JSON (it starts with byte 0x%02x)",
            (unsigned char)text[start]);
  } else if (json_error_code(&jerr) == json_error_premature_end_of_input ||
             (size_t)jerr.position >= len) {
    kt_fail(c,
            "truncated (Kernel Tuner writes cache files incrementally; the file ends "
            "early, at line %d)",
            jerr.line);
  } else {
    kt_fail(c, "invalid JSON at line %d, column %d: %s", jerr.line, jerr.column, jerr.text);
  }
  return NULL;
}

static json_t *load_json(const kt_ctx *c) {
  size_t len;
  int gzipped;
  char *text = read_all(c, &len, &gzipped);
  if (!text) return NULL;
  json_t *root = parse_json(c, text, len, gzipped);
  free(text);
  return root;
}

/* ---------------------------------------------------------------- parameters */

/* One tuning parameter as listed: its JSON values and where each lands in the space. */
typedef struct {
  const char *name;
  json_t *list;  /* tune_params[name] */
  int *space_of; /* list position -> value index in the space */
  int n;
} kt_param;

static int same_value(json_t *a, json_t *b) {
  if (json_is_number(a) && json_is_number(b)) return json_number_value(a) == json_number_value(b);
  return json_equal(a, b);
}

/* Position of v in the parameter's list, or -1. */
static int find_value(const kt_param *p, json_t *v) {
  for (int i = 0; i < p->n; i++)
    if (same_value(json_array_get(p->list, (size_t)i), v)) return i;
  return -1;
}

static int cmp_ll(const void *a, const void *b) {
  long long x = *(const long long *)a, y = *(const long long *)b;
  return (x > y) - (x < y);
}

/* Kinds, in order of preference (mfbo_space_kind_of): powers of two with no gap, an integer
 * range with no gap, numbers (an enum of their values), anything else (an enum of labels).
 * sorted: the integer values in order, for the range's ends. */
typedef enum { KIND_POW2, KIND_INT, KIND_NUMBERS, KIND_LABELS } kt_kind;

static kt_kind classify(const kt_param *p, long long *sorted) {
  int ints = 1, numbers = 1;
  double *values = malloc((size_t)p->n * sizeof *values);
  if (!values) return KIND_LABELS;
  for (int i = 0; i < p->n; i++) {
    json_t *v = json_array_get(p->list, (size_t)i);
    ints &= json_is_integer(v);
    numbers &= json_is_number(v);
    values[i] = numbers ? json_number_value(v) : 0;
    if (ints) sorted[i] = (long long)json_integer_value(v);
  }
  mfbo_param_kind kind = numbers ? mfbo_space_kind_of(values, p->n, ints) : MFBO_PARAM_ENUM;
  free(values);
  if (!numbers) return KIND_LABELS;
  if (kind == MFBO_PARAM_ENUM) return KIND_NUMBERS;
  qsort(sorted, (size_t)p->n, sizeof *sorted, cmp_ll);
  return kind == MFBO_PARAM_POW2 ? KIND_POW2 : KIND_INT;
}

/* The text of a value in a label enum: strings as they are, anything else as JSON. */
static char *label_of(json_t *v) {
  if (json_is_string(v)) return strdup(json_string_value(v));
  return json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(17));
}

static int add_labels(const kt_ctx *c, mfbo_space *space, const kt_param *p) {
  char **labels = calloc((size_t)p->n, sizeof *labels);
  double *values = malloc((size_t)p->n * sizeof *values);
  int rc = labels && values ? 0 : kt_fail(c, "out of memory");
  for (int i = 0; rc == 0 && i < p->n; i++) {
    values[i] = i;
    if (!(labels[i] = label_of(json_array_get(p->list, (size_t)i))))
      rc = kt_fail(c, "out of memory");
  }
  if (rc == 0)
    rc = mfbo_space_add_enum(space, p->name, p->n, values, (const char *const *)labels, 0, c->err);
  for (int i = 0; labels && i < p->n; i++) free(labels[i]);
  free(labels);
  free(values);
  return rc;
}

static int add_numbers(mfbo_space *space, const kt_param *p, mfbo_error *err) {
  double *values = malloc((size_t)p->n * sizeof *values);
  if (!values) return -1;
  for (int i = 0; i < p->n; i++) values[i] = json_number_value(json_array_get(p->list, (size_t)i));
  int rc = mfbo_space_add_enum(space, p->name, p->n, values, NULL, 0, err);
  free(values);
  return rc;
}

/* Adds the parameter to the space with its inferred kind and maps list positions to it. */
static int add_param(const kt_ctx *c, mfbo_space *space, kt_param *p) {
  size_t n = p->n > 0 ? (size_t)p->n : 1; /* check_list saw n >= 1; the compiler does not */
  long long *sorted = malloc(n * sizeof *sorted);
  p->space_of = malloc(n * sizeof *p->space_of);
  if (!sorted || !p->space_of) {
    free(sorted);
    return kt_fail(c, "out of memory");
  }
  kt_kind kind = classify(p, sorted);
  int rc;
  if (kind == KIND_POW2 || kind == KIND_INT) {
    long lo = (long)sorted[0], hi = (long)sorted[p->n - 1];
    rc = kind == KIND_POW2 ? mfbo_space_add_pow2(space, p->name, lo, hi, lo, c->err)
                           : mfbo_space_add_int(space, p->name, lo, hi, lo, c->err);
  } else {
    rc = kind == KIND_LABELS ? add_labels(c, space, p) : add_numbers(space, p, c->err);
  }
  free(sorted);
  if (rc != 0) {
    char why[sizeof c->err->msg];
    snprintf(why, sizeof why, "%s", c->err->msg);
    return kt_fail(c, "tune_params: %s", why);
  }
  const mfbo_param *sp = &space->params[space->n_params - 1];
  for (int i = 0; i < p->n; i++) {
    p->space_of[i] = i;
    if (kind == KIND_POW2 || kind == KIND_INT)
      for (int v = 0; v < sp->n_values; v++)
        if (sp->values[v] == (double)json_integer_value(json_array_get(p->list, (size_t)i)))
          p->space_of[i] = v;
  }
  return 0;
}

/* Checks one tune_params list: a non-empty array of scalars without repeats. */
static int check_list(const kt_ctx *c, const kt_param *p) {
  if (!json_is_array(p->list) || p->n == 0)
    return kt_fail(c, "tune_params['%s'] is not a non-empty list of values", p->name);
  for (int i = 0; i < p->n; i++) {
    json_t *v = json_array_get(p->list, (size_t)i);
    if (json_is_object(v) || json_is_array(v))
      return kt_fail(c, "tune_params['%s'][%d] is not a number or a string", p->name, i);
    for (int k = 0; k < i; k++)
      if (same_value(json_array_get(p->list, (size_t)k), v))
        return kt_fail(c, "tune_params['%s'] lists a value twice (positions %d and %d)", p->name, k,
                       i);
  }
  return 0;
}

/* The parameters, from tune_params_keys (in order) and tune_params; *n_out of them are
 * allocated in *out (also on failure, for free_params). */
static int read_params(const kt_ctx *c, json_t *root, mfbo_space *space, kt_param **out,
                       int *n_out) {
  json_t *keys = json_object_get(root, "tune_params_keys");
  json_t *lists = json_object_get(root, "tune_params");
  if (!keys || !lists)
    return kt_fail(c, "missing key '%s' (not a Kernel Tuner cache file?)",
                   keys ? "tune_params" : "tune_params_keys");
  if (!json_is_array(keys) || json_array_size(keys) == 0 || !json_is_object(lists))
    return kt_fail(c, "tune_params_keys must be a non-empty list, tune_params an object");
  int n = (int)json_array_size(keys);
  kt_param *params = calloc((size_t)n, sizeof *params);
  if (!params) return kt_fail(c, "out of memory");
  *out = params;
  *n_out = n;
  for (int j = 0; j < n; j++) {
    kt_param *p = &params[j];
    p->name = json_string_value(json_array_get(keys, (size_t)j));
    if (!p->name) return kt_fail(c, "tune_params_keys[%d] is not a string", j);
    p->list = json_object_get(lists, p->name);
    if (!p->list) return kt_fail(c, "parameter '%s' is missing from tune_params", p->name);
    p->n = (int)json_array_size(p->list);
    if (check_list(c, p) != 0 || add_param(c, space, p) != 0) return -1;
  }
  if (mfbo_space_cartesian_size(space) == UINT64_MAX)
    return kt_fail(c, "too many combinations of parameter values to index (2^64 or more)");
  return 0;
}

static void free_params(kt_param *params, int n) {
  for (int j = 0; params && j < n; j++) free(params[j].space_of);
  free(params);
}

/* ---------------------------------------------------------------- entries */

/* One cache entry, as read; `code` is its configuration's cartesian code. */
typedef struct {
  const char *key;
  json_t *obj;
  uint64_t code;
} kt_entry;

static int by_code(const void *a, const void *b) {
  uint64_t x = ((const kt_entry *)a)->code, y = ((const kt_entry *)b)->code;
  return (x > y) - (x < y);
}

/* The configuration an entry's own parameter values name (the key text is not parsed). */
static int entry_code(const kt_ctx *c, const kt_param *params, const mfbo_space *space, kt_entry *e,
                      int *cfg) {
  if (!json_is_object(e->obj)) return kt_fail(c, "cache entry '%s' is not an object", e->key);
  for (int j = 0; j < space->n_params; j++) {
    json_t *v = json_object_get(e->obj, params[j].name);
    if (!v) return kt_fail(c, "cache entry '%s' has no value for '%s'", e->key, params[j].name);
    int pos = find_value(&params[j], v);
    if (pos < 0) {
      char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
      kt_fail(c, "cache entry '%s': %s = %s is not one of tune_params['%s']", e->key,
              params[j].name, text ? text : "?", params[j].name);
      free(text);
      return -1;
    }
    cfg[j] = params[j].space_of[pos];
  }
  e->code = mfbo_space_code(space, cfg);
  return 0;
}

/* The entries of `cache`, sorted by configuration code; duplicates are an error. */
static kt_entry *read_entries(const kt_ctx *c, json_t *root, const kt_param *params,
                              mfbo_space *space, size_t *n_out) {
  json_t *cache = json_object_get(root, "cache");
  if (!cache) {
    kt_fail(c, "missing key 'cache' (not a Kernel Tuner cache file?)");
    return NULL;
  }
  size_t n = json_is_object(cache) ? json_object_size(cache) : 0;
  if (n == 0) {
    kt_fail(c, json_is_object(cache) ? "the cache is empty: no configuration was measured"
                                     : "'cache' is not an object");
    return NULL;
  }
  kt_entry *entries = malloc(n * sizeof *entries);
  int *cfg = malloc((size_t)space->n_params * sizeof *cfg);
  size_t i = 0;
  const char *key;
  json_t *obj;
  int rc = entries && cfg ? 0 : kt_fail(c, "out of memory");
  json_object_foreach(cache, key, obj) {
    if (rc != 0) break;
    entries[i] = (kt_entry){.key = key, .obj = obj};
    rc = entry_code(c, params, space, &entries[i++], cfg);
  }
  free(cfg);
  if (rc == 0) qsort(entries, n, sizeof *entries, by_code);
  for (size_t k = 1; rc == 0 && k < n; k++)
    if (entries[k].code == entries[k - 1].code)
      rc = kt_fail(c, "cache entries '%s' and '%s' have the same parameter values",
                   entries[k - 1].key, entries[k].key);
  if (rc != 0) {
    free(entries);
    return NULL;
  }
  *n_out = n;
  return entries;
}

/* A recorded duration in ms: absent is 0; anything but a number >= 0 is an error. */
static int get_ms(const kt_ctx *c, const kt_entry *e, const char *field, double *out) {
  json_t *v = json_object_get(e->obj, field);
  *out = 0;
  if (!v) return 0;
  if (!json_is_number(v) || json_number_value(v) < 0)
    return kt_fail(c, "cache entry '%s': %s is not a number >= 0", e->key, field);
  *out = json_number_value(v);
  return 0;
}

/* Copies the recorded repetitions of a valid entry to times_ms[*used...]; sums them. */
static int get_times(const kt_ctx *c, const kt_entry *e, kt_state *st, size_t k, size_t *used,
                     double *sum_ms) {
  json_t *times = json_object_get(e->obj, "times");
  size_t n = json_array_size(times);
  if (times && !json_is_array(times))
    return kt_fail(c, "cache entry '%s': times is not a list", e->key);
  if (n > INT_MAX) return kt_fail(c, "cache entry '%s': too many times", e->key);
  st->times_start[k] = *used;
  st->times_n[k] = (int)n;
  *sum_ms = 0;
  for (size_t i = 0; i < n; i++) {
    json_t *v = json_array_get(times, i);
    if (!json_is_number(v) || json_number_value(v) < 0)
      return kt_fail(c, "cache entry '%s': times[%zu] is not a number >= 0", e->key, i);
    st->times_ms[*used + i] = json_number_value(v);
    *sum_ms += st->times_ms[*used + i];
  }
  *used += n;
  return 0;
}

/* The settings that change the cost model. */
typedef struct {
  double compile_scale, framework_scale;
} kt_cost_settings;

/* Fills the arrays at index k from entry e (see the cost formula in docs/job-format.md). */
static int read_entry(const kt_ctx *c, const kt_entry *e, const kt_cost_settings *cs, kt_state *st,
                      size_t k, size_t *used) {
  json_t *time = json_object_get(e->obj, "time");
  double compile_ms, bench_ms, framework_ms, verify_ms, sum_ms = 0;
  if (get_ms(c, e, "compile_time", &compile_ms) || get_ms(c, e, "benchmark_time", &bench_ms) ||
      get_ms(c, e, "framework_time", &framework_ms) ||
      get_ms(c, e, "verification_time", &verify_ms))
    return -1;
  st->fixed_ms[k] =
      cs->compile_scale * compile_ms + cs->framework_scale * (framework_ms + verify_ms);
  st->times_start[k] = *used;
  st->times_n[k] = 0;
  if (json_is_string(time)) { /* a failure: "CompilationFailedConfig", ... */
    st->true_ms[k] = INFINITY;
    st->per_rep_ms[k] = 0;
    st->fixed_ms[k] += bench_ms;
    return 0;
  }
  if (!json_is_number(time) || !(json_number_value(time) > 0))
    return kt_fail(c, "cache entry '%s': time is %s", e->key,
                   time ? "neither a number > 0 nor an error string" : "missing");
  st->true_ms[k] = json_number_value(time);
  if (get_times(c, e, st, k, used, &sum_ms) != 0) return -1;
  int n = st->times_n[k];
  double overhead_ms = n > 0 && bench_ms > sum_ms ? (bench_ms - sum_ms) / n : 0;
  st->per_rep_ms[k] = st->true_ms[k] + overhead_ms;
  return 0;
}

/* Room for n configurations and every repetition the entries list. */
static int alloc_arrays(kt_state *st, const kt_entry *entries, size_t n) {
  size_t total = 0;
  for (size_t k = 0; k < n; k++) total += json_array_size(json_object_get(entries[k].obj, "times"));
  st->n = n;
  st->times_ms = malloc((total + 1) * sizeof *st->times_ms);
  st->true_ms = malloc(n * sizeof *st->true_ms);
  st->fixed_ms = malloc(n * sizeof *st->fixed_ms);
  st->per_rep_ms = malloc(n * sizeof *st->per_rep_ms);
  st->times_start = malloc(n * sizeof *st->times_start);
  st->times_n = malloc(n * sizeof *st->times_n);
  return st->true_ms && st->fixed_ms && st->per_rep_ms && st->times_start && st->times_n &&
                 st->times_ms
             ? 0
             : -1;
}

/* ---------------------------------------------------------------- the default */

/* The default configuration: each parameter's median value (index (n-1)/2 in the space's
 * order) if that configuration is a valid member, else the valid member nearest to it
 * (fewest value-index steps summed over the parameters; ties to the lower index). */
static void set_default(mfbo_space *space, const kt_state *st) {
  int d = space->n_params;
  int *mid = malloc((size_t)d * sizeof *mid), *cfg = malloc((size_t)d * sizeof *cfg);
  if (!mid || !cfg) goto done;
  for (int j = 0; j < d; j++) mid[j] = (space->params[j].n_values - 1) / 2;
  long best = LONG_MAX;
  uint64_t best_k = 0;
  for (uint64_t k = 0; k < st->n && best > 0; k++) {
    if (!isfinite(st->true_ms[k])) continue;
    mfbo_space_point(space, k, cfg);
    long dist = 0;
    for (int j = 0; j < d; j++) dist += labs((long)cfg[j] - mid[j]);
    if (dist < best) {
      best = dist;
      best_k = k;
    }
  }
  mfbo_space_point(space, best_k, cfg);
  for (int j = 0; j < d; j++) space->params[j].default_index = cfg[j];
done:
  free(mid);
  free(cfg);
}

/* ---------------------------------------------------------------- the type */

static void kt_free(void *vstate) {
  kt_state *st = vstate;
  free(st->true_ms);
  free(st->fixed_ms);
  free(st->per_rep_ms);
  free(st->times_start);
  free(st->times_n);
  free(st->times_ms);
  memset(st, 0, sizeof *st);
}

/* Builds the space and the arrays from the parsed file. */
static int load_cache(const kt_ctx *c, json_t *root, const kt_cost_settings *cs, kt_state *st,
                      mfbo_space *space) {
  if (!json_is_object(root)) return kt_fail(c, "not a Kernel Tuner cache file (not an object)");
  kt_param *params = NULL;
  int n_params = 0;
  size_t n = 0, used = 0, valid = 0;
  kt_entry *entries = read_params(c, root, space, &params, &n_params) == 0
                          ? read_entries(c, root, params, space, &n)
                          : NULL;
  uint64_t *codes = entries ? malloc(n * sizeof *codes) : NULL;
  int rc = -1;
  if (entries && (!codes || alloc_arrays(st, entries, n) != 0)) {
    kt_fail(c, "out of memory");
  } else if (entries) {
    rc = 0;
    for (size_t k = 0; k < n && rc == 0; k++) {
      codes[k] = entries[k].code; /* sorted: entry k is member k of the space */
      rc = read_entry(c, &entries[k], cs, st, k, &used);
      valid += rc == 0 && isfinite(st->true_ms[k]);
    }
    if (rc == 0 && valid == 0) rc = kt_fail(c, "no valid entry: all %zu configurations failed", n);
    if (rc == 0) rc = mfbo_space_restrict(space, codes, n, c->err);
    if (rc == 0) set_default(space, st);
  }
  free(codes);
  free(entries);
  free_params(params, n_params);
  return rc;
}

static int kt_init(void *vstate, mfbo_settings *settings, int instance, mfbo_space *space,
                   mfbo_error *err) {
  (void)instance; /* a dataset is one landscape: every instance is the same */
  kt_state *st = vstate;
  kt_cost_settings cs = {.compile_scale = 1, .framework_scale = 0};
  static const char *const noise_choices[] = {"resample", "none", NULL};
  int noise = 0;
  mfbo_setting *file = mfbo_settings_take(settings, "file");
  if (mfbo_settings_get_double(settings, "compile_scale", 0, 1e6, &cs.compile_scale, err) ||
      mfbo_settings_get_double(settings, "framework_scale", 0, 1e6, &cs.framework_scale, err) ||
      mfbo_settings_get_choice(settings, "noise", noise_choices, &noise, err))
    return -1;
  st->resample = noise == 0;
  if (!file || !file->value[0]) {
    mfbo_error_set(err, settings->line,
                   "missing key 'file' in [benchmark] (a Kernel Tuner cache file, .json or "
                   ".json.gz)");
    return -1;
  }
  kt_ctx c = {.path = file->value, .line = file->line, .err = err, .settings = settings};
  json_t *root = load_json(&c);
  if (!root) return -1;
  int rc = load_cache(&c, root, &cs, st, space); /* on failure, kt_free cleans up */
  json_decref(root);
  return rc;
}

static double kt_true_ms(const void *vstate, const mfbo_space *space, const int *cfg) {
  const kt_state *st = vstate;
  int64_t k = mfbo_space_index(space, cfg);
  return k < 0 ? INFINITY : st->true_ms[k];
}

static double kt_measure_ms(const void *vstate, const mfbo_space *space, const int *cfg,
                            double true_ms, int reps, gsl_rng *noise) {
  const kt_state *st = vstate;
  int64_t k = mfbo_space_index(space, cfg);
  if (k < 0 || !isfinite(true_ms)) return INFINITY;
  int n = st->times_n[k];
  if (!st->resample || n == 0) return true_ms;
  const double *times = st->times_ms + st->times_start[k];
  double sum = 0;
  for (int r = 0; r < reps; r++) sum += times[gsl_rng_uniform_int(noise, (unsigned long)n)];
  return sum / reps;
}

static double kt_compile_s(const void *vstate, const mfbo_space *space, const int *cfg,
                           double true_ms) {
  (void)true_ms;
  const kt_state *st = vstate;
  int64_t k = mfbo_space_index(space, cfg);
  return k < 0 ? 0 : st->fixed_ms[k] / 1000.0;
}

static double kt_timing_s(const void *vstate, const mfbo_space *space, const int *cfg,
                          double true_ms, int reps) {
  (void)true_ms;
  const kt_state *st = vstate;
  int64_t k = mfbo_space_index(space, cfg);
  return k < 0 ? 0 : reps * st->per_rep_ms[k] / 1000.0;
}

const mfbo_benchmark_type mfbo_benchmark_kerneltuner = {
    .name = "kerneltuner",
    .summary = "a measured GPU tuning space from a Kernel Tuner cache file (file = PATH)",
    .state_size = sizeof(kt_state),
    .init = kt_init,
    .true_ms = kt_true_ms,
    .measure_ms = kt_measure_ms,
    .compile_s = kt_compile_s,
    .timing_s = kt_timing_s,
    .free = kt_free,
    .data_setting = "file",
};
