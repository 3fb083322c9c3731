/* check.h: the few assertions the C unit tests use. A failed check prints where and what,
 * and makes the test exit nonzero; the test goes on so one run shows every failure. */
#ifndef MFBO_TEST_CHECK_H
#define MFBO_TEST_CHECK_H

#include <math.h>
#include <stdio.h>

static int check_failures = 0;

#define CHECK(cond)                                                               \
  do {                                                                            \
    if (!(cond)) {                                                                \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);    \
      check_failures++;                                                           \
    }                                                                             \
  } while (0)

#define CHECK_NEAR(a, b, tol)                                                     \
  do {                                                                            \
    double a_ = (a), b_ = (b);                                                    \
    if (!(fabs(a_ - b_) <= (tol))) {                                              \
      fprintf(stderr, "%s:%d: check failed: %s = %.17g, expected %.17g +- %g\n",  \
              __FILE__, __LINE__, #a, a_, b_, (double)(tol));                     \
      check_failures++;                                                           \
    }                                                                             \
  } while (0)

#define CHECK_DONE()                                                              \
  do {                                                                            \
    if (check_failures) fprintf(stderr, "%d check(s) failed\n", check_failures);  \
    return check_failures ? 1 : 0;                                                \
  } while (0)

#endif
