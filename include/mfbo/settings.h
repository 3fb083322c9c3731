/* settings.h: the key = value pairs of one job-file section, with their line numbers.
 * Benchmarks and searchers read their settings through the typed getters, which mark a
 * key as used and report bad values with the line; whatever is left unused afterwards is
 * an unknown key (mfbo_settings_check_unused).
 * Public (installed, include/mfbo): a searcher or benchmark reads its job-file section
 * through it. */
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
  char *dir; /* where a relative path in a value is looked for first (the job file's own
              * directory); NULL: the current directory. Not part of the canonical text. */
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

/* Sets s->dir to the directory part of path ("jobs/kt.ini" -> "jobs"; NULL for a path
 * without '/' and for special files under /dev/ or /proc/, such as /dev/stdin, which are
 * resolved against the current directory). -1: out of memory. */
int mfbo_settings_set_dir_of(mfbo_settings *s, const char *path);
/* The installed data directory (MFBO_DATADIR at compile time: PREFIX/share/mfbo/data). */
const char *mfbo_data_dir(void);
/* Finds the data file a setting names: an absolute path as it is; a relative one in s->dir
 * (the job's directory), then in mfbo_data_dir(). Returns 0 with the path to open in out;
 * -1 when it is in neither place (or out is too small), with out = the first place looked
 * at (to open, for the system's error message) and where = "PLACE and PLACE" for a
 * message. */
int mfbo_settings_find_file(const mfbo_settings *s, const char *name, char *out, size_t size,
                            char *where, size_t where_size);

/* Strict number parsing: the whole string must be the number. */
int mfbo_parse_long(const char *text, long *out);
int mfbo_parse_double(const char *text, double *out);

#endif
