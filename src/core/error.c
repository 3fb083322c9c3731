/* error.c: filling and printing the core's one error record. */
#include "mfbo/error.h"

#include <stdarg.h>
#include <string.h>

void mfbo_error_clear(mfbo_error *err) {
  if (err) memset(err, 0, sizeof *err);
}

void mfbo_error_set(mfbo_error *err, int line, const char *fmt, ...) {
  if (!err) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->msg, sizeof err->msg, fmt, ap);
  va_end(ap);
  err->line = line;
}

void mfbo_error_print(const mfbo_error *err, FILE *out) {
  if (err->file[0] && err->line > 0)
    fprintf(out, "%s:%d: error: %s\n", err->file, err->line, err->msg);
  else if (err->file[0])
    fprintf(out, "%s: error: %s\n", err->file, err->msg);
  else
    fprintf(out, "error: %s\n", err->msg);
}
