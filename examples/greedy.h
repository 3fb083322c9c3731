/* greedy.h: the example searcher's type object. */
#ifndef GREEDY_H
#define GREEDY_H

#include <mfbo/searcher.h>

extern const mfbo_searcher_type greedy_searcher;

#endif
