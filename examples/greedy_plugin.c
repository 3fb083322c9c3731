/* greedy_plugin.c: makes the example searcher a plugin that mfbo-sweep loads from a job
 * (greedy.ini: `plugin = libgreedy.so`). Built with greedy.c into libgreedy.so, against the
 * installed headers only; see mfbo/plugin.h. */
#include <mfbo/plugin.h>

#include "greedy.h"

MFBO_PLUGIN_ABI_DEFINE;
const mfbo_searcher_type *const mfbo_plugin_searchers[] = {&greedy_searcher, NULL};
