/* fuzz.h: what the harnesses share. Each harness defines LLVMFuzzerTestOneInput (and may
 * define LLVMFuzzerInitialize); built with clang -fsanitize=fuzzer it is a libFuzzer
 * fuzzer, linked with replay.c (any compiler) it replays files through the same entry
 * point: the regression tests of the normal build. */
#ifndef MFBO_FUZZ_H
#define MFBO_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A private directory for the harness's files (made once, removed at exit), and a path in
 * it. */
const char *fuzz_tmp_path(const char *name);
/* Writes size bytes to path (aborts on failure: the harness, not the input, is broken). */
void fuzz_write_file(const char *path, const void *data, size_t size);

/* With MFBO_FUZZ_VERBOSE set in the environment, the outcome of each input on stderr. */
void fuzz_report(const char *what, const void *err);

#endif
