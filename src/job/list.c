/* list.c: integer lists such as "1-30, 42" (mfbo_parse_int_list, include/mfbo/job.h). */
#include "mfbo/job.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The most values a seed or instance list may expand to. */
#define JOB_MAX_LIST 1000000L

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
