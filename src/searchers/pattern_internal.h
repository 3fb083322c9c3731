/* pattern_internal.h: the rules of the `pattern` searcher that tests pin down on their
 * own (its neighbourhood and its stopping rule). Internal: not part of include/mfbo. */
#ifndef MFBO_SEARCHERS_PATTERN_INTERNAL_H
#define MFBO_SEARCHERS_PATTERN_INTERNAL_H

#include "mfbo/space.h"

/* A block-size parameter: a power of two whose name contains "BLOCK", in any case (our
 * stand-in for Helion's BlockSizeFragment). */
int mfbo_pattern_is_block_param(const mfbo_param *p);
/* Upper bound of mfbo_pattern_neighbours' count for any configuration of the space. */
int mfbo_pattern_max_neighbours(const mfbo_space *s);
/* Helion's PatternSearch._generate_neighbors, restricted to members of the space: every
 * radius-1 single-parameter move (mfbo_space_neighbours, in its order), then, for every
 * pair of block-size parameters (i < j), each of i's +-1 steps combined with each of j's.
 * Writes them one after another into out (room for max); returns how many. */
int mfbo_pattern_neighbours(const mfbo_space *s, const int *cfg, int *out, int max);
/* Helion's _check_early_stopping: a copy stops when its best is still its current point,
 * or when |best/current - 1| < min_improvement_delta (both finite, current nonzero,
 * delta > 0). Times are the latest measurements. */
int mfbo_pattern_copy_stops(int best_is_current, double best_ms, double current_ms,
                            double min_improvement_delta);

#endif
