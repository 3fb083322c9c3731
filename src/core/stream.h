/* stream.h: the random streams of a run. Every stream is derived from a hash of what
 * defines the run (benchmark and settings, instance, algorithm label and settings, seed)
 * and a purpose tag, never from the MPI rank, the clock or the order of scheduling. */
#ifndef MFBO_STREAM_H
#define MFBO_STREAM_H

#include <stdint.h>
#include <gsl/gsl_rng.h>

/* How a landscape's key identifies its data file, recorded in each journal session's note
 * (results-format.md): by the file's bytes. Older journals have no such note: their keys
 * hashed the file's path. */
#define MFBO_STREAMS_KEY "data-bytes"

#define MFBO_HASH_INIT UINT64_C(0x6d66626f2d737765) /* "mfbo-swe" */

/* splitmix64's finaliser over the fields, one at a time. */
uint64_t mfbo_hash_u64(uint64_t h, uint64_t v);
uint64_t mfbo_hash_str(uint64_t h, const char *s);

/* A GSL generator (MT19937) seeded from key and purpose; free with gsl_rng_free. */
gsl_rng *mfbo_stream_alloc(uint64_t key, const char *purpose);

#endif
