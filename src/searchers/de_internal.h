/* de_internal.h: the rules of the `de` searcher that tests pin down on their own (the
 * choice of a, b, c and Helion's mutation and crossover). Internal: not in include/mfbo. */
#ifndef MFBO_SEARCHERS_DE_INTERNAL_H
#define MFBO_SEARCHERS_DE_INTERNAL_H

#include <gsl/gsl_rng.h>

#include "mfbo/space.h"

/* Helion's ConfigSpecFragment.differential_mutation on value indices a, b, c of one
 * parameter: power of two -> a/2 if b < c, 2a if b > c, else a (within range); integer ->
 * a-1, a+1 or a by the same rule (within range); enum -> a if b == c, else a random
 * choice of {b, c} other than a; boolean -> a if b == c, else not a. */
int mfbo_de_mutate_value(const mfbo_param *p, int a, int b, int c, gsl_rng *rng);
/* Helion's ConfigGeneration.differential_mutation: each parameter takes the mutation of
 * (a, b, c) with probability crossover_rate, else x's value; one random parameter is
 * always mutated. Writes the trial to out; -1 when out of memory, else 0. */
int mfbo_de_trial(const mfbo_space *s, const int *x, const int *a, const int *b, const int *c,
                  double crossover_rate, gsl_rng *rng, int *out);
/* Helion's DifferentialEvolutionSearch.mutate: four distinct random positions among n
 * (n >= 4), in random order, x removed, the first three kept. */
void mfbo_de_pick_three(gsl_rng *rng, int n, int x, int out[3]);

#endif
