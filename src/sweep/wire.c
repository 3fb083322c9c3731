/* wire.c: packing a task's result into one buffer and back: a header, the trace rows,
 * their configurations, the incumbent configuration. */
#include "wire.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
  uint64_t task_index;
  int32_t status, has_incumbent;
  int64_t n_evals;
  double cost_s, incumbent_true_ms, regret, wall_s;
  char message[512];
} wire_header;

static size_t packed_size(int64_t n_evals, int n_params) {
  return sizeof(wire_header) + (size_t)n_evals * sizeof(mfbo_trace_row) +
         (size_t)n_evals * (size_t)n_params * sizeof(int) + (size_t)n_params * sizeof(int);
}

char *mfbo_wire_pack(uint64_t task_index, const mfbo_run_result *r, double wall_s, int *size) {
  size_t rows = (size_t)r->n_evals * sizeof *r->trace;
  size_t cfgs = (size_t)r->n_evals * (size_t)r->n_params * sizeof(int);
  size_t total = packed_size(r->n_evals, r->n_params);
  if (total > (size_t)INT32_MAX) return NULL;
  char *buf = malloc(total);
  if (!buf) return NULL;
  wire_header h = {.task_index = task_index, .status = (int32_t)r->status,
                   .has_incumbent = r->has_incumbent, .n_evals = r->n_evals, .cost_s = r->cost_s,
                   .incumbent_true_ms = r->incumbent_true_ms, .regret = r->regret,
                   .wall_s = wall_s};
  memcpy(h.message, r->message, sizeof h.message);
  memcpy(buf, &h, sizeof h);
  if (rows) memcpy(buf + sizeof h, r->trace, rows);
  if (cfgs) memcpy(buf + sizeof h + rows, r->trace_cfg, cfgs);
  memcpy(buf + sizeof h + rows + cfgs, r->incumbent_cfg, (size_t)r->n_params * sizeof(int));
  *size = (int)total;
  return buf;
}

int mfbo_wire_unpack(const char *buf, size_t size, int n_params, uint64_t *task_index,
                     mfbo_run_result *r, double *wall_s) {
  wire_header h;
  memset(r, 0, sizeof *r);
  if (size < sizeof h) return -1;
  memcpy(&h, buf, sizeof h);
  if (h.n_evals < 0 || h.n_evals > (int64_t)(size / sizeof(mfbo_trace_row)) ||
      packed_size(h.n_evals, n_params) != size)
    return -1;
  size_t rows = (size_t)h.n_evals * sizeof *r->trace;
  size_t cfgs = (size_t)h.n_evals * (size_t)n_params * sizeof(int);
  r->trace = malloc(rows ? rows : 1);
  r->trace_cfg = malloc(cfgs ? cfgs : 1);
  r->incumbent_cfg = malloc((size_t)n_params * sizeof(int));
  if (!r->trace || !r->trace_cfg || !r->incumbent_cfg) return -1;
  *task_index = h.task_index;
  *wall_s = h.wall_s;
  r->status = (mfbo_run_status)h.status;
  r->has_incumbent = h.has_incumbent;
  r->n_params = n_params;
  r->n_evals = h.n_evals;
  r->cap = h.n_evals;
  r->cost_s = h.cost_s;
  r->incumbent_true_ms = h.incumbent_true_ms;
  r->regret = h.regret;
  memcpy(r->message, h.message, sizeof r->message);
  r->message[sizeof r->message - 1] = '\0';
  memcpy(r->trace, buf + sizeof h, rows);
  memcpy(r->trace_cfg, buf + sizeof h + rows, cfgs);
  memcpy(r->incumbent_cfg, buf + sizeof h + rows + cfgs, (size_t)n_params * sizeof(int));
  return 0;
}
