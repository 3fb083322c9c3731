/* settings.c: a job-file section's key = value pairs, read through typed getters that
 * remember which keys were used, so that unknown keys are reported with their line. */
#include "mfbo/settings.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void mfbo_settings_init(mfbo_settings *s) { memset(s, 0, sizeof *s); }

void mfbo_settings_free(mfbo_settings *s) {
  for (int i = 0; i < s->n; i++) {
    free(s->items[i].key);
    free(s->items[i].value);
  }
  free(s->items);
  free(s->dir);
  memset(s, 0, sizeof *s);
}

static mfbo_setting *find(const mfbo_settings *s, const char *key) {
  for (int i = 0; i < s->n; i++)
    if (strcmp(s->items[i].key, key) == 0) return &s->items[i];
  return NULL;
}

int mfbo_settings_add(mfbo_settings *s, const char *key, const char *value, int line,
                      mfbo_error *err) {
  const mfbo_setting *old = find(s, key);
  if (old) {
    mfbo_error_set(err, line, "duplicate key '%s' (first given on line %d)", key, old->line);
    return -1;
  }
  if (s->n == s->cap) {
    int cap = s->cap ? 2 * s->cap : 8;
    mfbo_setting *items = realloc(s->items, (size_t)cap * sizeof *items);
    if (!items) {
      mfbo_error_set(err, line, "out of memory");
      return -1;
    }
    s->items = items;
    s->cap = cap;
  }
  mfbo_setting *it = &s->items[s->n];
  it->key = strdup(key);
  it->value = strdup(value);
  it->line = line;
  it->used = 0;
  if (!it->key || !it->value) {
    free(it->key);
    free(it->value);
    mfbo_error_set(err, line, "out of memory");
    return -1;
  }
  s->n++;
  return 0;
}

int mfbo_settings_copy(mfbo_settings *dst, const mfbo_settings *src) {
  mfbo_settings_init(dst);
  dst->line = src->line;
  if (src->dir && !(dst->dir = strdup(src->dir))) return -1;
  for (int i = 0; i < src->n; i++)
    if (mfbo_settings_add(dst, src->items[i].key, src->items[i].value, src->items[i].line,
                          NULL) != 0) {
      mfbo_settings_free(dst);
      return -1;
    }
  return 0;
}

mfbo_setting *mfbo_settings_take(mfbo_settings *s, const char *key) {
  mfbo_setting *it = find(s, key);
  if (it) it->used = 1;
  return it;
}

int mfbo_parse_long(const char *text, long *out) {
  char *end;
  errno = 0;
  long v = strtol(text, &end, 10);
  if (end == text || *end != '\0' || errno == ERANGE) return -1;
  *out = v;
  return 0;
}

int mfbo_parse_double(const char *text, double *out) {
  char *end;
  errno = 0;
  double v = strtod(text, &end);
  if (end == text || *end != '\0' || errno == ERANGE || !isfinite(v)) return -1;
  *out = v;
  return 0;
}

int mfbo_settings_get_long(mfbo_settings *s, const char *key, long lo, long hi, long *out,
                           mfbo_error *err) {
  const mfbo_setting *it = mfbo_settings_take(s, key);
  if (!it) return 0;
  long v;
  if (mfbo_parse_long(it->value, &v) != 0) {
    mfbo_error_set(err, it->line, "%s = '%s': not an integer", key, it->value);
    return -1;
  }
  if (v < lo || v > hi) {
    mfbo_error_set(err, it->line, "%s = %ld: must be between %ld and %ld", key, v, lo, hi);
    return -1;
  }
  *out = v;
  return 0;
}

int mfbo_settings_get_int(mfbo_settings *s, const char *key, int lo, int hi, int *out,
                          mfbo_error *err) {
  long v = *out;
  if (mfbo_settings_get_long(s, key, lo, hi, &v, err) != 0) return -1;
  *out = (int)v;
  return 0;
}

int mfbo_settings_get_double(mfbo_settings *s, const char *key, double lo, double hi,
                             double *out, mfbo_error *err) {
  const mfbo_setting *it = mfbo_settings_take(s, key);
  if (!it) return 0;
  double v;
  if (mfbo_parse_double(it->value, &v) != 0) {
    mfbo_error_set(err, it->line, "%s = '%s': not a number", key, it->value);
    return -1;
  }
  if (v < lo || v > hi) {
    mfbo_error_set(err, it->line, "%s = %g: must be between %g and %g", key, v, lo, hi);
    return -1;
  }
  *out = v;
  return 0;
}

int mfbo_settings_get_choice(mfbo_settings *s, const char *key, const char *const *choices,
                             int *out, mfbo_error *err) {
  const mfbo_setting *it = mfbo_settings_take(s, key);
  if (!it) return 0;
  char list[256] = "";
  for (int i = 0; choices[i]; i++) {
    if (strcmp(it->value, choices[i]) == 0) {
      *out = i;
      return 0;
    }
    size_t len = strlen(list);
    snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", choices[i]);
  }
  mfbo_error_set(err, it->line, "%s = '%s': must be one of %s", key, it->value, list);
  return -1;
}

int mfbo_settings_check_unused(const mfbo_settings *s, const char *what, mfbo_error *err) {
  for (int i = 0; i < s->n; i++)
    if (!s->items[i].used) {
      mfbo_error_set(err, s->items[i].line, "unknown key '%s' in [%s]", s->items[i].key, what);
      return -1;
    }
  return 0;
}

void mfbo_settings_reset(mfbo_settings *s) {
  for (int i = 0; i < s->n; i++) s->items[i].used = 0;
}

static int by_key(const void *a, const void *b) {
  return strcmp(((const mfbo_setting *)a)->key, ((const mfbo_setting *)b)->key);
}

char *mfbo_settings_canonical(const mfbo_settings *s) {
  mfbo_setting *sorted = malloc((size_t)(s->n ? s->n : 1) * sizeof *sorted);
  if (!sorted) return NULL;
  size_t len = 1;
  for (int i = 0; i < s->n; i++) {
    sorted[i] = s->items[i];
    len += strlen(s->items[i].key) + strlen(s->items[i].value) + 2;
  }
  qsort(sorted, (size_t)s->n, sizeof *sorted, by_key);
  char *text = malloc(len);
  if (text) {
    size_t at = 0;
    text[0] = '\0';
    for (int i = 0; i < s->n; i++)
      at += (size_t)snprintf(text + at, len - at, "%s=%s\n", sorted[i].key, sorted[i].value);
  }
  free(sorted);
  return text;
}

/* ---------------------------------------------------------------- data files */

#ifndef MFBO_DATADIR
#define MFBO_DATADIR "/usr/local/share/mfbo/data"
#endif

const char *mfbo_data_dir(void) { return MFBO_DATADIR; }

int mfbo_settings_set_dir_of(mfbo_settings *s, const char *path) {
  free(s->dir);
  s->dir = NULL;
  const char *slash = strrchr(path, '/');
  if (!slash || strncmp(path, "/dev/", 5) == 0 || strncmp(path, "/proc/", 6) == 0) return 0;
  size_t n = slash == path ? 1 : (size_t)(slash - path); /* "/x.ini" -> "/" */
  s->dir = strndup(path, n);
  return s->dir ? 0 : -1;
}

/* dir/name into out; 0 if it fits. */
static int join(char *out, size_t size, const char *dir, const char *name) {
  int n = dir ? snprintf(out, size, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", name)
              : snprintf(out, size, "%s", name);
  return n >= 0 && (size_t)n < size ? 0 : -1;
}

int mfbo_settings_find_file(const mfbo_settings *s, const char *name, char *out, size_t size,
                            char *where, size_t where_size) {
  struct stat st;
  if (where_size) where[0] = '\0';
  if (name[0] == '/') {
    snprintf(where, where_size, "%s", name);
    return join(out, size, NULL, name) == 0 && stat(out, &st) == 0 ? 0 : -1;
  }
  const char *dirs[2] = {s->dir ? s->dir : ".", mfbo_data_dir()};
  for (int i = 0; i < 2; i++)
    if (join(out, size, dirs[i], name) == 0 && stat(out, &st) == 0) return 0;
  snprintf(where, where_size, "%s and %s", dirs[0], dirs[1]);
  if (join(out, size, s->dir, name) != 0) snprintf(out, size, "%s", name);
  return -1;
}
