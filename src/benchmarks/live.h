/* live.h: what the live benchmarks (command.c, worker.c) share (live.c). */
#ifndef MFBO_BENCHMARKS_LIVE_H
#define MFBO_BENCHMARKS_LIVE_H

#include "mfbo/error.h"
#include "mfbo/settings.h"
#include "mfbo/space.h"

/* Adds every `param.NAME = v1, v2, ...` of settings to the space; -1 with err set (FILE:LINE
 * of the bad setting) when one is malformed, or when there is none. */
int mfbo_live_add_params(mfbo_settings *settings, mfbo_space *space, mfbo_error *err);

#endif
