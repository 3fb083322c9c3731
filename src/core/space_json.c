/* space_json.c: a space's values as JSON (space_json.h). */
#include "core/space_json.h"

#include <math.h>

json_t *mfbo_space_value_json(const mfbo_param *p, int i) {
  if (p->labels) return json_string(p->labels[i]);
  if (p->kind == MFBO_PARAM_BOOL) return json_boolean(p->values[i] != 0);
  double v = p->values[i];
  if (v == floor(v) && fabs(v) < 9e15) return json_integer((json_int_t)v);
  return json_real(v);
}

json_t *mfbo_space_config_json(const mfbo_space *s, const int *cfg) {
  json_t *config = json_object();
  for (int j = 0; config && j < s->n_params; j++)
    if (json_object_set_new(config, s->params[j].name,
                            mfbo_space_value_json(&s->params[j], cfg[j])) != 0) {
      json_decref(config);
      return NULL;
    }
  return config;
}
