/* codeset.c: an open-addressing hash set of configuration codes, kept at most half full.
 * UINT64_MAX marks a free slot: no code of a space whose size fits in 64 bits reaches it. */
#include "core/codeset.h"

#include <stdlib.h>
#include <string.h>

void mfbo_codeset_init(mfbo_codeset *set) { memset(set, 0, sizeof *set); }

void mfbo_codeset_free(mfbo_codeset *set) {
  free(set->slots);
  memset(set, 0, sizeof *set);
}

static size_t slot_of(const mfbo_codeset *set, uint64_t code) {
  size_t h = (size_t)(code * UINT64_C(0x9e3779b97f4a7c15)) & (set->cap - 1);
  while (set->slots[h] != UINT64_MAX && set->slots[h] != code) h = (h + 1) & (set->cap - 1);
  return h;
}

int mfbo_codeset_has(const mfbo_codeset *set, uint64_t code) {
  return set->cap > 0 && set->slots[slot_of(set, code)] == code;
}

static int grow(mfbo_codeset *set) {
  if (2 * (set->n + 1) <= set->cap) return 0;
  mfbo_codeset bigger = {.cap = set->cap ? 2 * set->cap : 1024, .n = set->n};
  bigger.slots = malloc(bigger.cap * sizeof *bigger.slots);
  if (!bigger.slots) return -1;
  memset(bigger.slots, 0xff, bigger.cap * sizeof *bigger.slots);
  for (size_t i = 0; i < set->cap; i++)
    if (set->slots[i] != UINT64_MAX) bigger.slots[slot_of(&bigger, set->slots[i])] = set->slots[i];
  free(set->slots);
  *set = bigger;
  return 0;
}

int mfbo_codeset_add(mfbo_codeset *set, uint64_t code) {
  if (mfbo_codeset_has(set, code)) return 0;
  if (grow(set) != 0) return -1;
  set->slots[slot_of(set, code)] = code;
  set->n++;
  return 1;
}
