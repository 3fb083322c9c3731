/* error.h: one error record for the whole core. A failing function fills it and
 * returns -1; the caller prints it as "FILE:LINE: message" and decides the exit code.
 * Public (installed, include/mfbo): every API function reports its failures in it. */
#ifndef MFBO_ERROR_H
#define MFBO_ERROR_H

#include <stdio.h>

typedef struct {
  char file[512]; /* the input file the error is about, "" if none */
  int line;       /* 1-based line in that file, 0 if none */
  char msg[512];
} mfbo_error;

void mfbo_error_clear(mfbo_error *err);
/* Sets the message and line (0 for none); keeps the file already recorded. */
void mfbo_error_set(mfbo_error *err, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Writes "FILE:LINE: error: message" (parts that are unknown are left out). */
void mfbo_error_print(const mfbo_error *err, FILE *out);

#endif
