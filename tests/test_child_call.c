/* test_child_call.c: mfbo_child_call (src/core/child.c) runs a function in a forked child
 * under a deadline and tells how it ended: returned 0, returned non-zero (with what it
 * wrote last), killed by a signal, overran the deadline (killed in time, not waited for). */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "core/child.h"
#include "core/clock.h"

static int returns(void *arg) { return *(int *)arg; }

static int says_and_fails(void *arg) {
  (void)arg;
  printf("on stdout\n");
  fprintf(stderr, "the last word\n");
  return 1;
}

static int crashes(void *arg) {
  (void)arg;
  raise(SIGSEGV);
  return 0;
}

static int loops(void *arg) {
  for (volatile int *stop = arg; !*stop;) {
  }
  return 0;
}

int main(void) {
  char why[600];
  int zero = 0, seven = 7;
  CHECK(mfbo_child_call(returns, &zero, 5, why, sizeof why) == MFBO_CHILD_RETURNED);
  CHECK(why[0] == '\0');
  CHECK(mfbo_child_call(returns, &seven, 5, why, sizeof why) == MFBO_CHILD_FAILED);
  CHECK(strstr(why, "exited with status 1") != NULL);
  CHECK(mfbo_child_call(says_and_fails, NULL, 5, why, sizeof why) == MFBO_CHILD_FAILED);
  CHECK(strstr(why, "the last word") != NULL);
  CHECK(mfbo_child_call(crashes, NULL, 5, why, sizeof why) == MFBO_CHILD_SIGNALLED);
  CHECK(strstr(why, "signal 11") != NULL);
  double start_s = mfbo_now_s();
  CHECK(mfbo_child_call(loops, &zero, 0.5, why, sizeof why) == MFBO_CHILD_OVERRAN);
  double took_s = mfbo_now_s() - start_s;
  CHECK(took_s >= 0.5 && took_s < 3.0);
  CHECK(strstr(why, "did not end within") != NULL);
  printf("mfbo_child_call: ok (the loop was stopped after %.2f s)\n", took_s);
  CHECK_DONE();
}
