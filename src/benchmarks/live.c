/* live.c: what the live benchmarks (command.c, worker.c) share: the parameters a job
 * declares in [benchmark] as `param.NAME = v1, v2, ...` (the first listed is the default;
 * the kind is inferred from the values as for Kernel Tuner data: mfbo_space_kind_of). */
#include "live.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CMD_PREFIX "param."
#define CMD_MAX_VALUES 4096 /* of one parameter */


static int valid_name(const char *name) {
  if (!(isalpha((unsigned char)name[0]) || name[0] == '_') || strlen(name) >= MFBO_NAME_MAX)
    return 0;
  for (const char *c = name; *c; c++)
    if (!isalnum((unsigned char)*c) && *c != '_') return 0;
  return strcmp(name, "REPS") != 0;
}

/* Splits "a, b, c" into trimmed items (pointers into text, which is modified); -1 for an
 * empty item (",,", a trailing comma) or more than max. */
static int split_list(char *text, char **items, int max) {
  int n = 0;
  for (char *tok = text;; n++) {
    char *comma = strchr(tok, ',');
    if (comma) *comma = '\0';
    while (isspace((unsigned char)*tok)) tok++;
    char *end = tok + strlen(tok);
    while (end > tok && isspace((unsigned char)end[-1])) *--end = '\0';
    if (!*tok || n == max) return -1;
    items[n] = tok;
    if (!comma) return n + 1;
    tok = comma + 1;
  }
}

/* Adds parameter name with the listed values; the first listed is the default. */
static int add_values(mfbo_space *space, const char *name, char **items, int n, int line,
                      mfbo_error *err) {
  double *v = malloc((size_t)n * sizeof *v);
  int numbers = 1, rc = -1;
  if (!v) {
    mfbo_error_set(err, line, "out of memory");
    return -1;
  }
  for (int i = 0; i < n; i++) numbers &= mfbo_parse_double(items[i], &v[i]) == 0 && isfinite(v[i]);
  for (int i = 0; i < n; i++)
    for (int k = 0; k < i; k++)
      if (numbers ? v[k] == v[i] : strcmp(items[k], items[i]) == 0) {
        mfbo_error_set(err, line, "%s%s lists the value '%s' twice", CMD_PREFIX, name, items[i]);
        goto done;
      }
  int labels = !numbers, integers = numbers;
  for (int i = 0; i < n; i++) integers &= numbers && v[i] == floor(v[i]);
  mfbo_param_kind kind = mfbo_space_kind_of(v, n, integers);
  double lo = v[0], hi = v[0];
  for (int i = 0; i < n; i++) lo = fmin(lo, v[i]), hi = fmax(hi, v[i]);
  if (kind == MFBO_PARAM_POW2)
    rc = mfbo_space_add_pow2(space, name, (long)lo, (long)hi, (long)v[0], err);
  else if (kind == MFBO_PARAM_INT)
    rc = mfbo_space_add_int(space, name, (long)lo, (long)hi, (long)v[0], err);
  else {
    for (int i = 0; labels && i < n; i++) v[i] = i;
    rc = mfbo_space_add_enum(space, name, n, v, labels ? (const char *const *)items : NULL, 0,
                             err);
  }
done:
  free(v);
  return rc;
}

/* One `param.NAME = values` setting. */
static int add_param(mfbo_space *space, mfbo_setting *it, mfbo_error *err) {
  const char *name = it->key + strlen(CMD_PREFIX);
  it->used = 1;
  if (!valid_name(name)) {
    mfbo_error_set(err, it->line,
                   "bad parameter name '%s': letters, digits and _, not starting with a digit, "
                   "at most %d characters, not REPS",
                   name, MFBO_NAME_MAX - 1);
    return -1;
  }
  if (mfbo_space_find_param(space, name) >= 0) {
    mfbo_error_set(err, it->line, "parameter '%s' declared twice", name);
    return -1;
  }
  char *text = strdup(it->value);
  char **items = malloc(CMD_MAX_VALUES * sizeof *items);
  int n = text && items ? split_list(text, items, CMD_MAX_VALUES) : -1;
  int rc = -1;
  if (n <= 0)
    mfbo_error_set(err, it->line,
                   "%s = '%s': expected a list of values like 16, 32, 64 (at most %d, none "
                   "empty)",
                   it->key, it->value, CMD_MAX_VALUES);
  else
    rc = add_values(space, name, items, n, it->line, err);
  free(items);
  free(text);
  return rc;
}

int mfbo_live_add_params(mfbo_settings *settings, mfbo_space *space, mfbo_error *err) {
  for (int i = 0; i < settings->n; i++) {
    mfbo_setting *it = &settings->items[i];
    if (strncmp(it->key, CMD_PREFIX, strlen(CMD_PREFIX)) == 0 && add_param(space, it, err) != 0)
      return -1;
  }
  if (space->n_params > 0) return 0;
  mfbo_error_set(err, settings->line,
                 "no parameter in [benchmark]: declare each as param.NAME = v1, v2, ... "
                 "(e.g. param.BLOCK = 16, 32, 64)");
  return -1;
}

