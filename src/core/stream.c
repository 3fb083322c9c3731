/* stream.c: deriving a run's random streams from what defines the run. The hash is
 * splitmix64's finaliser (as metrics.md suggests); the generator itself is GSL's MT19937. */
#include "core/stream.h"

#include <string.h>

static uint64_t mix(uint64_t z) {
  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  return z ^ (z >> 31);
}

uint64_t mfbo_hash_u64(uint64_t h, uint64_t v) {
  return mix(h + UINT64_C(0x9e3779b97f4a7c15) + mix(v));
}

uint64_t mfbo_hash_str(uint64_t h, const char *s) {
  size_t n = strlen(s);
  h = mfbo_hash_u64(h, n);
  for (size_t i = 0; i < n; i += 8) {
    uint64_t word = 0;
    memcpy(&word, s + i, n - i < 8 ? n - i : 8);
    h = mfbo_hash_u64(h, word);
  }
  return h;
}

gsl_rng *mfbo_stream_alloc(uint64_t key, const char *purpose) {
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  if (!r) return NULL;
  uint64_t h = mfbo_hash_str(key, purpose);
  /* MT19937 takes a 32-bit seed: fold both halves in. Seed 0 means "default" to GSL. */
  unsigned long seed = (unsigned long)((h ^ (h >> 32)) & 0xffffffffu);
  gsl_rng_set(r, seed ? seed : 1);
  return r;
}
