/* space.c: discrete spaces of typed parameters: building them, enumerating and indexing
 * configurations, sampling, Helion's neighbours and the numeric encoding for models. */
#include "mfbo/space.h"

#include "core/codeset.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>

mfbo_space *mfbo_space_alloc(void) { return calloc(1, sizeof(mfbo_space)); }

static void param_free(mfbo_param *p) {
  if (p->labels)
    for (int i = 0; i < p->n_values; i++) free(p->labels[i]);
  free(p->labels);
  free(p->values);
}

void mfbo_space_free(mfbo_space *s) {
  if (!s) return;
  for (int j = 0; j < s->n_params; j++) param_free(&s->params[j]);
  free(s->params);
  free(s->members);
  free(s);
}

int mfbo_space_find_param(const mfbo_space *s, const char *name) {
  for (int j = 0; j < s->n_params; j++)
    if (strcmp(s->params[j].name, name) == 0) return j;
  return -1;
}

/* Appends a parameter whose values the caller fills in; NULL on error. */
static mfbo_param *add_param(mfbo_space *s, const char *name, mfbo_param_kind kind, int n,
                             mfbo_error *err) {
  if (strlen(name) >= MFBO_NAME_MAX || mfbo_space_find_param(s, name) >= 0 || n < 1) {
    mfbo_error_set(err, 0, "parameter '%s': bad or duplicate name, or no values", name);
    return NULL;
  }
  mfbo_param *params = realloc(s->params, (size_t)(s->n_params + 1) * sizeof *params);
  if (!params) return NULL;
  s->params = params;
  mfbo_param *p = &params[s->n_params];
  memset(p, 0, sizeof *p);
  snprintf(p->name, sizeof p->name, "%s", name);
  p->kind = kind;
  p->n_values = n;
  p->values = calloc((size_t)n, sizeof *p->values);
  if (!p->values) return NULL;
  s->n_params++;
  return p;
}

static int set_default(mfbo_param *p, double def, mfbo_error *err) {
  for (int i = 0; i < p->n_values; i++)
    if (p->values[i] == def) {
      p->default_index = i;
      return 0;
    }
  mfbo_error_set(err, 0, "parameter '%s': default %g is not one of its values", p->name, def);
  return -1;
}

static int is_pow2(long x) { return x > 0 && (x & (x - 1)) == 0; }

int mfbo_space_add_pow2(mfbo_space *s, const char *name, long lo, long hi, long def,
                        mfbo_error *err) {
  if (!is_pow2(lo) || !is_pow2(hi) || lo > hi) {
    mfbo_error_set(err, 0, "parameter '%s': %ld-%ld is not a range of powers of two", name,
                   lo, hi);
    return -1;
  }
  int n = 0;
  for (long x = lo; x <= hi; x *= 2) n++;
  mfbo_param *p = add_param(s, name, MFBO_PARAM_POW2, n, err);
  if (!p) return -1;
  for (int i = 0; i < n; i++) p->values[i] = (double)(lo << i);
  return set_default(p, (double)def, err);
}

int mfbo_space_add_int(mfbo_space *s, const char *name, long lo, long hi, long def,
                       mfbo_error *err) {
  if (lo > hi || hi - lo >= 1 << 20) {
    mfbo_error_set(err, 0, "parameter '%s': bad integer range %ld-%ld", name, lo, hi);
    return -1;
  }
  mfbo_param *p = add_param(s, name, MFBO_PARAM_INT, (int)(hi - lo + 1), err);
  if (!p) return -1;
  for (int i = 0; i < p->n_values; i++) p->values[i] = (double)(lo + i);
  return set_default(p, (double)def, err);
}

int mfbo_space_add_enum(mfbo_space *s, const char *name, int n, const double *values,
                        const char *const *labels, int default_index, mfbo_error *err) {
  if (default_index < 0 || default_index >= n) {
    mfbo_error_set(err, 0, "parameter '%s': default choice out of range", name);
    return -1;
  }
  mfbo_param *p = add_param(s, name, MFBO_PARAM_ENUM, n, err);
  if (!p) return -1;
  memcpy(p->values, values, (size_t)n * sizeof *values);
  p->default_index = default_index;
  if (labels) {
    p->labels = calloc((size_t)n, sizeof *p->labels);
    if (!p->labels) return -1;
    for (int i = 0; i < n; i++)
      if (!(p->labels[i] = strdup(labels[i]))) return -1;
  }
  return 0;
}

int mfbo_space_add_bool(mfbo_space *s, const char *name, int def, mfbo_error *err) {
  mfbo_param *p = add_param(s, name, MFBO_PARAM_BOOL, 2, err);
  if (!p) return -1;
  p->values[0] = 0;
  p->values[1] = 1;
  p->default_index = def ? 1 : 0;
  return 0;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

int mfbo_space_restrict(mfbo_space *s, const uint64_t *codes, size_t n, mfbo_error *err) {
  if (n == 0) {
    mfbo_error_set(err, 0, "a restricted space needs at least one member");
    return -1;
  }
  uint64_t *m = malloc(n * sizeof *m);
  if (!m) return -1;
  memcpy(m, codes, n * sizeof *m);
  qsort(m, n, sizeof *m, cmp_u64);
  size_t k = 1;
  for (size_t i = 1; i < n; i++)
    if (m[i] != m[k - 1]) m[k++] = m[i];
  free(s->members);
  s->members = m;
  s->n_members = k;
  return 0;
}

uint64_t mfbo_space_cartesian_size(const mfbo_space *s) {
  uint64_t n = 1;
  for (int j = 0; j < s->n_params; j++) {
    uint64_t v = (uint64_t)s->params[j].n_values;
    if (n > UINT64_MAX / v) return UINT64_MAX;
    n *= v;
  }
  return n;
}

uint64_t mfbo_space_size(const mfbo_space *s) {
  return s->members ? (uint64_t)s->n_members : mfbo_space_cartesian_size(s);
}

uint64_t mfbo_space_code(const mfbo_space *s, const int *cfg) {
  uint64_t code = 0;
  for (int j = 0; j < s->n_params; j++)
    code = code * (uint64_t)s->params[j].n_values + (uint64_t)cfg[j];
  return code;
}

void mfbo_space_decode(const mfbo_space *s, uint64_t code, int *cfg) {
  for (int j = s->n_params - 1; j >= 0; j--) {
    uint64_t n = (uint64_t)s->params[j].n_values;
    cfg[j] = (int)(code % n);
    code /= n;
  }
}

void mfbo_space_point(const mfbo_space *s, uint64_t k, int *cfg) {
  mfbo_space_decode(s, s->members ? s->members[k] : k, cfg);
}

int64_t mfbo_space_index(const mfbo_space *s, const int *cfg) {
  for (int j = 0; j < s->n_params; j++)
    if (cfg[j] < 0 || cfg[j] >= s->params[j].n_values) return -1;
  uint64_t code = mfbo_space_code(s, cfg);
  if (!s->members) return (int64_t)code;
  const uint64_t *hit = bsearch(&code, s->members, s->n_members, sizeof code, cmp_u64);
  return hit ? (int64_t)(hit - s->members) : -1;
}

int mfbo_space_contains(const mfbo_space *s, const int *cfg) {
  return mfbo_space_index(s, cfg) >= 0;
}

void mfbo_space_default(const mfbo_space *s, int *cfg) {
  for (int j = 0; j < s->n_params; j++) cfg[j] = s->params[j].default_index;
}

/* A uniform index below n, for n up to 2^64 - 1 (GSL's MT19937 gives 32 bits a draw). */
static uint64_t uniform_u64(gsl_rng *rng, uint64_t n) {
  if (n <= 0xffffffffu) return (uint64_t)gsl_rng_uniform_int(rng, (unsigned long)n);
  uint64_t limit = UINT64_MAX - UINT64_MAX % n, x;
  do {
    x = ((uint64_t)gsl_rng_get(rng) << 32) | (uint64_t)gsl_rng_get(rng);
  } while (x >= limit);
  return x % n;
}

void mfbo_space_random(const mfbo_space *s, gsl_rng *rng, int *cfg) {
  if (s->members) {
    mfbo_space_point(s, uniform_u64(rng, s->n_members), cfg);
    return;
  }
  for (int j = 0; j < s->n_params; j++)
    cfg[j] = (int)gsl_rng_uniform_int(rng, (unsigned long)s->params[j].n_values);
}

/* Rejection sampling with a set of the indices drawn, for spaces too large to list. */
static size_t sample_sparse(const mfbo_space *s, gsl_rng *rng, size_t k, uint64_t *out) {
  mfbo_codeset drawn;
  mfbo_codeset_init(&drawn);
  uint64_t size = mfbo_space_size(s);
  size_t n = 0;
  while (n < k) {
    uint64_t x = uniform_u64(rng, size);
    int added = mfbo_codeset_add(&drawn, x);
    if (added < 0) break;
    if (added) out[n++] = x;
  }
  mfbo_codeset_free(&drawn);
  return n;
}

size_t mfbo_space_sample_distinct(const mfbo_space *s, gsl_rng *rng, size_t k, uint64_t *out) {
  uint64_t size = mfbo_space_size(s);
  if (size > MFBO_SPACE_ENUMERABLE || (uint64_t)k * 64 < size)
    return sample_sparse(s, rng, k < size ? k : (size_t)size, out);
  size_t n = (size_t)size;
  uint64_t *all = malloc(n * sizeof *all);
  if (!all) return 0;
  for (size_t i = 0; i < n; i++) all[i] = i;
  gsl_ran_shuffle(rng, all, n, sizeof *all);
  size_t m = k < n ? k : n;
  memcpy(out, all, m * sizeof *out);
  free(all);
  return m;
}

int mfbo_space_max_neighbours(const mfbo_space *s) {
  int n = 0;
  for (int j = 0; j < s->n_params; j++) {
    const mfbo_param *p = &s->params[j];
    n += p->kind == MFBO_PARAM_ENUM ? p->n_values - 1 : 2;
  }
  return n;
}

/* Writes cfg with parameter j set to v into out if it is a member; returns 1 if written. */
static int emit(const mfbo_space *s, const int *cfg, int j, int v, int *out) {
  memcpy(out, cfg, (size_t)s->n_params * sizeof *cfg);
  out[j] = v;
  return mfbo_space_contains(s, out);
}

int mfbo_space_neighbours(const mfbo_space *s, const int *cfg, int *out, int max) {
  int n = 0;
  for (int j = 0; j < s->n_params && n < max; j++) {
    const mfbo_param *p = &s->params[j];
    int *slot;
    if (p->kind == MFBO_PARAM_ENUM) {
      for (int v = 0; v < p->n_values && n < max; v++) {
        slot = out + (size_t)n * s->n_params;
        if (v != cfg[j]) n += emit(s, cfg, j, v, slot);
      }
    } else if (p->kind == MFBO_PARAM_BOOL) {
      n += emit(s, cfg, j, 1 - cfg[j], out + (size_t)n * s->n_params);
    } else {
      if (cfg[j] > 0) n += emit(s, cfg, j, cfg[j] - 1, out + (size_t)n * s->n_params);
      if (cfg[j] + 1 < p->n_values && n < max)
        n += emit(s, cfg, j, cfg[j] + 1, out + (size_t)n * s->n_params);
    }
  }
  return n;
}

int mfbo_space_encoded_dim(const mfbo_space *s) {
  int d = 0;
  for (int j = 0; j < s->n_params; j++)
    d += s->params[j].kind == MFBO_PARAM_ENUM ? s->params[j].n_values : 1;
  return d;
}

void mfbo_space_encode(const mfbo_space *s, const int *cfg, double *x) {
  int d = 0;
  for (int j = 0; j < s->n_params; j++) {
    const mfbo_param *p = &s->params[j];
    switch (p->kind) {
    case MFBO_PARAM_POW2: x[d++] = log2(p->values[cfg[j]]); break;
    case MFBO_PARAM_INT:
    case MFBO_PARAM_BOOL: x[d++] = p->values[cfg[j]]; break;
    case MFBO_PARAM_ENUM:
      for (int v = 0; v < p->n_values; v++) x[d++] = v == cfg[j] ? 1.0 : 0.0;
      break;
    }
  }
}

double mfbo_space_value(const mfbo_space *s, const int *cfg, int j) {
  return s->params[j].values[cfg[j]];
}

void mfbo_space_format_value(const mfbo_space *s, int j, int index, char *buf, size_t len) {
  const mfbo_param *p = &s->params[j];
  if (p->labels) {
    snprintf(buf, len, "%s", p->labels[index]);
    return;
  }
  /* the shortest text that reads back as the same number: 0.1, not 0.10000000000000001 */
  for (int digits = 15; digits <= 17; digits++) {
    snprintf(buf, len, "%.*g", digits, p->values[index]);
    if (strtod(buf, NULL) == p->values[index]) return;
  }
}

void mfbo_space_format(const mfbo_space *s, const int *cfg, char *buf, size_t len) {
  size_t at = 0;
  buf[0] = '\0';
  for (int j = 0; j < s->n_params && at < len; j++) {
    char v[128];
    mfbo_space_format_value(s, j, cfg[j], v, sizeof v);
    at += (size_t)snprintf(buf + at, len - at, "%s%s=%s", j ? ", " : "", s->params[j].name, v);
  }
}

/* Parses "lo-hi" (both integers). */
static int parse_range(const char *text, long *lo, long *hi) {
  char buf[128];
  snprintf(buf, sizeof buf, "%s", text);
  char *dash = strchr(buf + (buf[0] == '-'), '-');
  if (!dash) return -1;
  *dash = '\0';
  return mfbo_parse_long(buf, lo) || mfbo_parse_long(dash + 1, hi) ? -1 : 0;
}

/* Parses "a, b, c" into at most max numbers; returns the count or -1. */
static int parse_number_list(const char *text, double *out, int max) {
  char buf[512];
  snprintf(buf, sizeof buf, "%s", text);
  int n = 0;
  for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
       tok = strtok_r(NULL, ",", &save)) {
    while (*tok == ' ' || *tok == '\t') tok++;
    char *end = tok + strlen(tok);
    while (end > tok && (end[-1] == ' ' || end[-1] == '\t')) *--end = '\0';
    if (n == max || mfbo_parse_double(tok, &out[n]) != 0) return -1;
    n++;
  }
  return n;
}

/* Replaces parameter j's values, keeping its kind, name and (if still valid) default. */
static int override_param(mfbo_space *s, int j, const mfbo_setting *it, mfbo_error *err) {
  mfbo_param old = s->params[j];
  double old_default = old.values[old.default_index];
  mfbo_space tmp = {0};
  int rc = -1;
  if (old.kind == MFBO_PARAM_POW2 || old.kind == MFBO_PARAM_INT) {
    long lo, hi;
    if (parse_range(it->value, &lo, &hi) == 0)
      rc = old.kind == MFBO_PARAM_POW2 ? mfbo_space_add_pow2(&tmp, old.name, lo, hi, lo, err)
                                       : mfbo_space_add_int(&tmp, old.name, lo, hi, lo, err);
  } else if (old.kind == MFBO_PARAM_ENUM && !old.labels) {
    double v[256];
    int n = parse_number_list(it->value, v, 256);
    if (n > 0) rc = mfbo_space_add_enum(&tmp, old.name, n, v, NULL, 0, err);
  }
  if (rc != 0) {
    mfbo_error_set(err, it->line, "%s = '%s': expected %s", it->key, it->value,
                   old.kind == MFBO_PARAM_ENUM   ? "a list of numbers like 2, 3, 4"
                   : old.kind == MFBO_PARAM_POW2 ? "a range of powers of two like 16-512"
                                                 : "an integer range like 1-8");
    if (tmp.params) param_free(&tmp.params[0]);
    free(tmp.params);
    return -1;
  }
  mfbo_param *p = &tmp.params[0];
  p->default_index = p->n_values / 2;
  for (int i = 0; i < p->n_values; i++)
    if (p->values[i] == old_default) p->default_index = i;
  param_free(&s->params[j]);
  s->params[j] = *p;
  free(tmp.params);
  return 0;
}

int mfbo_space_override(mfbo_space *s, mfbo_settings *space_settings, mfbo_error *err) {
  for (int i = 0; i < space_settings->n; i++) {
    mfbo_setting *it = &space_settings->items[i];
    int j = mfbo_space_find_param(s, it->key);
    if (j < 0) {
      mfbo_error_set(err, it->line, "unknown parameter '%s' in [space]", it->key);
      return -1;
    }
    if (s->members) {
      mfbo_error_set(err, it->line, "[space] cannot change a tabular benchmark's space");
      return -1;
    }
    it->used = 1;
    if (override_param(s, j, it, err) != 0) return -1;
  }
  return 0;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

mfbo_param_kind mfbo_space_kind_of(const double *values, int n, int integers) {
  if (!integers || n < 2) return MFBO_PARAM_ENUM;
  double *s = malloc((size_t)n * sizeof *s);
  if (!s) return MFBO_PARAM_ENUM;
  memcpy(s, values, (size_t)n * sizeof *s);
  qsort(s, (size_t)n, sizeof *s, cmp_double);
  int pow2 = 1, range = 1;
  for (int i = 0; i < n; i++) {
    /* exact in a long and in a double, with room for the range's arithmetic */
    int integer = s[i] == floor(s[i]) && fabs(s[i]) <= 1e15;
    int p = integer && s[i] >= 1 && ((long)s[i] & ((long)s[i] - 1)) == 0;
    pow2 &= p && (i == 0 || s[i] == 2 * s[i - 1]);
    range &= integer && (i == 0 || s[i] == s[i - 1] + 1);
  }
  free(s);
  return pow2 ? MFBO_PARAM_POW2 : range ? MFBO_PARAM_INT : MFBO_PARAM_ENUM;
}
