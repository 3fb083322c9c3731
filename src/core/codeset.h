/* codeset.h: a set of configuration codes (mfbo_space_code), for "seen before?" questions:
 * which configurations a run has compiled, which a searcher has visited or drawn. */
#ifndef MFBO_CODESET_H
#define MFBO_CODESET_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  uint64_t *slots; /* open addressing; UINT64_MAX marks a free slot */
  size_t cap, n;
} mfbo_codeset;

void mfbo_codeset_init(mfbo_codeset *set);
void mfbo_codeset_free(mfbo_codeset *set);
int mfbo_codeset_has(const mfbo_codeset *set, uint64_t code);
/* 1 if added, 0 if it was there, -1 when out of memory. */
int mfbo_codeset_add(mfbo_codeset *set, uint64_t code);

#endif
