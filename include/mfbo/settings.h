/* settings.h: the key = value pairs of one job-file section, with their line numbers.
 * Benchmarks and searchers read their settings through the typed getters, which mark a
 * key as used and report bad values with the line; whatever is left unused afterwards is
 * an unknown key (mfbo_settings_check_unused). */
#ifndef MFBO_SETTINGS_H
#define MFBO_SETTINGS_H

#include "mfbo/error.h"

typedef struct {
  char *key;
  char *value;
  int line;
  int used;
} mfbo_setting;

typedef struct {
  mfbo_setting *items;
  int n, cap;
  int line; /* the line of the section header, 0 if none */
} mfbo_settings;

void mfbo_settings_init(mfbo_settings *s);
void mfbo_settings_free(mfbo_settings *s);
int mfbo_settings_copy(mfbo_settings *dst, const mfbo_settings *src);
/* Returns -1 (and sets err) if the key is already there. */
int mfbo_settings_add(mfbo_settings *s, const char *key, const char *value, int line,
                      mfbo_error *err);
/* The setting, marked as used; NULL if absent. */
mfbo_setting *mfbo_settings_take(mfbo_settings *s, const char *key);

/* The getters leave *out untouched when the key is absent (so it keeps its default),
 * and return -1 with err set when the value is not a number in [lo, hi]. */
int mfbo_settings_get_long(mfbo_settings *s, const char *key, long lo, long hi, long *out,
                           mfbo_error *err);
int mfbo_settings_get_int(mfbo_settings *s, const char *key, int lo, int hi, int *out,
                          mfbo_error *err);
int mfbo_settings_get_double(mfbo_settings *s, const char *key, double lo, double hi,
                             double *out, mfbo_error *err);
/* One of the NULL-terminated choices; *out is its index. */
int mfbo_settings_get_choice(mfbo_settings *s, const char *key, const char *const *choices,
                             int *out, mfbo_error *err);
/* Every key not taken so far is an error: "unknown key 'x' in [what]". */
int mfbo_settings_check_unused(const mfbo_settings *s, const char *what, mfbo_error *err);
/* Marks every key unused again (a section is read once per run). */
void mfbo_settings_reset(mfbo_settings *s);
/* "k1=v1\nk2=v2\n..." sorted by key: what a run's random stream is derived from. */
char *mfbo_settings_canonical(const mfbo_settings *s);

/* Strict number parsing: the whole string must be the number. */
int mfbo_parse_long(const char *text, long *out);
int mfbo_parse_double(const char *text, double *out);

#endif
