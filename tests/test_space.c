/* test_space.c: spaces: enumeration and indexing, Helion's neighbours for every kind,
 * the encoding, random and distinct sampling, restricted (tabular) spaces. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "mfbo/space.h"
#include "core/stream.h"

/* BLOCK (pow2 16..128), unroll (int 1..4), layout (enum "row","col","tile"), fast (bool). */
static mfbo_space *mixed_space(void) {
  mfbo_space *s = mfbo_space_alloc();
  mfbo_error err;
  static const double v[] = {0, 1, 2};
  static const char *const labels[] = {"row", "col", "tile"};
  int rc = mfbo_space_add_pow2(s, "BLOCK", 16, 128, 32, &err) |
           mfbo_space_add_int(s, "unroll", 1, 4, 2, &err) |
           mfbo_space_add_enum(s, "layout", 3, v, labels, 0, &err) |
           mfbo_space_add_bool(s, "fast", 0, &err);
  CHECK(rc == 0);
  return s;
}

static void test_enumeration(void) {
  mfbo_space *s = mixed_space();
  CHECK(mfbo_space_size(s) == 4 * 4 * 3 * 2);
  int cfg[4];
  for (uint64_t k = 0; k < mfbo_space_size(s); k++) {
    mfbo_space_point(s, k, cfg);
    CHECK(mfbo_space_index(s, cfg) == (int64_t)k);
  }
  mfbo_space_point(s, 0, cfg);
  CHECK(cfg[0] == 0 && cfg[1] == 0 && cfg[2] == 0 && cfg[3] == 0);
  mfbo_space_point(s, 1, cfg); /* the last parameter varies fastest */
  CHECK(cfg[3] == 1 && cfg[2] == 0);
  int bad[4] = {4, 0, 0, 0};
  CHECK(mfbo_space_index(s, bad) == -1);
  mfbo_space_default(s, cfg);
  CHECK(mfbo_space_value(s, cfg, 0) == 32 && mfbo_space_value(s, cfg, 1) == 2);
  char text[256];
  mfbo_space_format(s, cfg, text, sizeof text);
  CHECK(strcmp(text, "BLOCK=32, unroll=2, layout=row, fast=0") == 0);
  mfbo_space_free(s);
}

static int has_neighbour(const int *nb, int n, const int *want) {
  for (int i = 0; i < n; i++)
    if (memcmp(nb + 4 * i, want, sizeof(int) * 4) == 0) return 1;
  return 0;
}

static void test_neighbours(void) {
  mfbo_space *s = mixed_space();
  int cfg[4] = {1, 1, 0, 0}; /* BLOCK=32, unroll=2, row, false */
  int nb[4 * 16];
  int n = mfbo_space_neighbours(s, cfg, nb, 16);
  /* pow2: 16, 64; int: 1, 3; enum: col, tile; bool: true */
  CHECK(n == 7);
  static const int want[7][4] = {{0, 1, 0, 0}, {2, 1, 0, 0}, {1, 0, 0, 0}, {1, 2, 0, 0},
                                 {1, 1, 1, 0}, {1, 1, 2, 0}, {1, 1, 0, 1}};
  for (int i = 0; i < 7; i++) CHECK(has_neighbour(nb, n, want[i]));
  int edge[4] = {0, 3, 2, 1}; /* BLOCK=16 (lowest), unroll=4 (highest) */
  n = mfbo_space_neighbours(s, edge, nb, 16);
  CHECK(n == 5); /* BLOCK 32; unroll 3; row, col; fast false */
  CHECK(mfbo_space_max_neighbours(s) == 2 + 2 + 2 + 2);
  CHECK(mfbo_space_neighbours(s, cfg, nb, 3) == 3); /* respects max */
  mfbo_space_free(s);
}

static void test_encoding(void) {
  mfbo_space *s = mixed_space();
  CHECK(mfbo_space_encoded_dim(s) == 1 + 1 + 3 + 1);
  int cfg[4] = {2, 3, 1, 1};
  double x[6];
  mfbo_space_encode(s, cfg, x);
  CHECK(x[0] == 6 && x[1] == 4 && x[2] == 0 && x[3] == 1 && x[4] == 0 && x[5] == 1);
  mfbo_space_free(s);
}

static void test_sampling(void) {
  mfbo_space *s = mixed_space();
  gsl_rng *rng = mfbo_stream_alloc(7, "test");
  uint64_t picks[200];
  size_t n = mfbo_space_sample_distinct(s, rng, 50, picks);
  CHECK(n == 50);
  int seen[96] = {0};
  for (size_t i = 0; i < n; i++) CHECK(picks[i] < 96 && !seen[picks[i]]++);
  n = mfbo_space_sample_distinct(s, rng, 200, picks); /* more than the space: all of it */
  CHECK(n == 96);
  memset(seen, 0, sizeof seen);
  for (size_t i = 0; i < n; i++) CHECK(!seen[picks[i]]++);
  int cfg[4], counts[4] = {0};
  for (int i = 0; i < 4000; i++) {
    mfbo_space_random(s, rng, cfg);
    counts[cfg[0]]++;
  }
  for (int i = 0; i < 4; i++) CHECK(counts[i] > 850 && counts[i] < 1150);
  gsl_rng_free(rng);
  mfbo_space_free(s);
}

/* A large space uses the sparse sampler: distinct and in range. */
static void test_large_space(void) {
  mfbo_space *s = mfbo_space_alloc();
  mfbo_error err;
  char name[16];
  for (int j = 0; j < 15; j++) {
    snprintf(name, sizeof name, "p%d", j);
    CHECK(mfbo_space_add_int(s, name, 0, 15, 0, &err) == 0);
  }
  CHECK(mfbo_space_size(s) == (uint64_t)1 << 60);
  gsl_rng *rng = mfbo_stream_alloc(8, "test");
  uint64_t picks[1000];
  CHECK(mfbo_space_sample_distinct(s, rng, 1000, picks) == 1000);
  int dup = 0;
  for (int i = 0; i < 1000; i++)
    for (int k = 0; k < i; k++) dup += picks[i] == picks[k];
  CHECK(dup == 0);
  gsl_rng_free(rng);
  mfbo_space_free(s);
}

static void test_restricted(void) {
  mfbo_space *s = mixed_space();
  uint64_t codes[] = {5, 1, 90, 5, 42};
  mfbo_error err;
  CHECK(mfbo_space_restrict(s, codes, 5, &err) == 0);
  CHECK(mfbo_space_size(s) == 4);
  int cfg[4];
  mfbo_space_point(s, 2, cfg);
  CHECK(mfbo_space_code(s, cfg) == 42 && mfbo_space_index(s, cfg) == 2);
  mfbo_space_decode(s, 6, cfg);
  CHECK(!mfbo_space_contains(s, cfg));
  /* Neighbours are only members: code 5 = (0,0,2,1); code 1 = (0,0,0,1) differs in the enum. */
  mfbo_space_decode(s, 5, cfg);
  int nb[4 * 16];
  int n = mfbo_space_neighbours(s, cfg, nb, 16);
  CHECK(n == 1 && mfbo_space_code(s, nb) == 1);
  gsl_rng *rng = mfbo_stream_alloc(9, "test");
  for (int i = 0; i < 100; i++) {
    mfbo_space_random(s, rng, cfg);
    CHECK(mfbo_space_contains(s, cfg));
  }
  gsl_rng_free(rng);
  mfbo_space_free(s);
}

int main(void) {
  test_enumeration();
  test_neighbours();
  test_encoding();
  test_sampling();
  test_large_space();
  test_restricted();
  CHECK_DONE();
}
