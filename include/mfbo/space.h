/* space.h: discrete search spaces of typed parameters, as autotuners see them.
 * A configuration is an array of value indices, one per parameter. A space is the full
 * cartesian product of its parameters, or a restricted set of members of it (tabular
 * data). Neighbours follow Helion (power of two: x/2, 2x; integer: +-1; enum: every other
 * choice; boolean: flip) and only members are offered.
 * Public (installed, include/mfbo): a benchmark defines a space, a searcher proposes its
 * configurations. */
#ifndef MFBO_SPACE_H
#define MFBO_SPACE_H

#include <stddef.h>
#include <stdint.h>
#include <gsl/gsl_rng.h>

#include "mfbo/error.h"
#include "mfbo/settings.h"

typedef enum { MFBO_PARAM_POW2, MFBO_PARAM_INT, MFBO_PARAM_ENUM, MFBO_PARAM_BOOL } mfbo_param_kind;

#define MFBO_NAME_MAX 64

typedef struct {
  char name[MFBO_NAME_MAX];
  mfbo_param_kind kind;
  int n_values;
  double *values;  /* numeric value of each choice, in order */
  char **labels;   /* text of each choice for string enums, else NULL */
  int default_index;
} mfbo_param;

typedef struct {
  int n_params;
  mfbo_param *params;
  uint64_t *members; /* sorted cartesian codes of a restricted space, NULL if full */
  size_t n_members;
} mfbo_space;

/* Spaces this large or smaller can be enumerated (optimum, exhaustive sampling). */
#define MFBO_SPACE_ENUMERABLE ((uint64_t)1 << 26)

mfbo_space *mfbo_space_alloc(void);
void mfbo_space_free(mfbo_space *s);

/* Building a space. Ranges are inclusive; a default outside the range is an error. */
int mfbo_space_add_pow2(mfbo_space *s, const char *name, long lo, long hi, long def,
                        mfbo_error *err);
int mfbo_space_add_int(mfbo_space *s, const char *name, long lo, long hi, long def,
                       mfbo_error *err);
int mfbo_space_add_enum(mfbo_space *s, const char *name, int n, const double *values,
                        const char *const *labels, int default_index, mfbo_error *err);
int mfbo_space_add_bool(mfbo_space *s, const char *name, int def, mfbo_error *err);
/* The kind that n distinct listed numbers make, as for Kernel Tuner data and a live
 * benchmark's param.NAME lists alike: powers of two with no gap (1, 2, 4, 8), an integer
 * range with no gap (1, 2, 3), else an enum of the numbers; integers = 0 when the list
 * holds a non-integer value (then always an enum). One value is an enum of one. */
mfbo_param_kind mfbo_space_kind_of(const double *values, int n, int integers);
/* Restricts the space to the given cartesian codes (copied, sorted, deduplicated). */
int mfbo_space_restrict(mfbo_space *s, const uint64_t *codes, size_t n, mfbo_error *err);
/* Applies a job's [space] section: NAME = lo-hi (power of two, integer) or a list
 * "a, b, c" (enum); the default is kept when it is in the new range, else the middle. */
int mfbo_space_override(mfbo_space *s, mfbo_settings *space_settings, mfbo_error *err);
int mfbo_space_find_param(const mfbo_space *s, const char *name);

/* Number of configurations (members of a restricted space); saturates at UINT64_MAX. */
uint64_t mfbo_space_size(const mfbo_space *s);
uint64_t mfbo_space_cartesian_size(const mfbo_space *s);
/* Code of a configuration in the cartesian product (parameter 0 most significant). */
uint64_t mfbo_space_code(const mfbo_space *s, const int *cfg);
void mfbo_space_decode(const mfbo_space *s, uint64_t code, int *cfg);
/* The k-th configuration of the space (0 <= k < size), in code order. */
void mfbo_space_point(const mfbo_space *s, uint64_t k, int *cfg);
/* Index k of a configuration, or -1 if it is not a member. */
int64_t mfbo_space_index(const mfbo_space *s, const int *cfg);
int mfbo_space_contains(const mfbo_space *s, const int *cfg);

void mfbo_space_default(const mfbo_space *s, int *cfg);
/* A uniformly random member. */
void mfbo_space_random(const mfbo_space *s, gsl_rng *rng, int *cfg);
/* k distinct member indices in random order (all of them, shuffled, if k >= size).
 * Returns how many were written. */
size_t mfbo_space_sample_distinct(const mfbo_space *s, gsl_rng *rng, size_t k, uint64_t *out);

/* The radius-1 single-parameter neighbours of cfg that are members, written one after
 * another into out (room for max configurations); returns how many. */
int mfbo_space_neighbours(const mfbo_space *s, const int *cfg, int *out, int max);
/* Upper bound of the neighbour count of any configuration. */
int mfbo_space_max_neighbours(const mfbo_space *s);

/* Numeric encoding for models: log2 for powers of two, raw for integers, one-hot for
 * enums, 0/1 for booleans. */
int mfbo_space_encoded_dim(const mfbo_space *s);
void mfbo_space_encode(const mfbo_space *s, const int *cfg, double *x);

double mfbo_space_value(const mfbo_space *s, const int *cfg, int j);
/* "NAME=value, NAME=value ..." */
void mfbo_space_format(const mfbo_space *s, const int *cfg, char *buf, size_t len);
/* The value of parameter j as text (its label for string enums). */
void mfbo_space_format_value(const mfbo_space *s, int j, int index, char *buf, size_t len);

#endif
