/* clock.c: monotonic seconds (clock.h). */
#include "core/clock.h"

#include <time.h>

double mfbo_now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
