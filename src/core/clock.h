/* clock.h: monotonic seconds, for timeouts and wall times (the sweep's progress and timing,
 * the external searcher's and the live benchmark's time-outs). Private to the project (not
 * installed). */
#ifndef MFBO_CLOCK_H
#define MFBO_CLOCK_H

double mfbo_now_s(void); /* CLOCK_MONOTONIC, in seconds */

#endif
