/* space_json.h: a space's values as JSON, for the programs the project talks to in JSON
 * lines (the external searcher, the worker benchmark). Not part of the installed API. */
#ifndef MFBO_SPACE_JSON_H
#define MFBO_SPACE_JSON_H

#include <jansson.h>

#include "mfbo/space.h"

/* Value i of parameter p: its label, true/false, an integer or a real (a new reference). */
json_t *mfbo_space_value_json(const mfbo_param *p, int i);
/* A configuration as {"NAME": value, ...} (a new reference; NULL: out of memory). */
json_t *mfbo_space_config_json(const mfbo_space *s, const int *cfg);

#endif
