/* schema.h: the results file's tables (docs/results-format.md), defined once for the writer
 * (src/sweep/store.c) and the reader (src/analysis/results.c): the C struct of each table's
 * row, its columns (name, offset, kind) and its HDF5 row type. A table's parameter columns
 * (one double per parameter, named after it) follow the struct in memory and the columns in
 * the file. */
#ifndef MFBO_H5_SCHEMA_H
#define MFBO_H5_SCHEMA_H

#include <stdint.h>

#include "h5types.h"
#include "mfbo/space.h"
#include "table.h"

#define MFBO_H5_LABEL_LEN 64    /* /runs algorithm, algorithm_type: null-padded, like MFBO_NAME_MAX */
#define MFBO_H5_MESSAGE_LEN 256 /* /runs message */

/* One row of /runs; the incumbent's parameter values follow it. Text fields have one byte
 * more than the column, always 0: read back, they are null-terminated strings. */
typedef struct {
  uint64_t task_id;
  char algorithm[MFBO_H5_LABEL_LEN + 1];
  char algorithm_type[MFBO_H5_LABEL_LEN + 1];
  int64_t seed;
  int32_t instance;
  int8_t status; /* mfbo_run_status */
  char message[MFBO_H5_MESSAGE_LEN + 1];
  int64_t n_evals;
  double cost_s;
  double incumbent_true_ms;
  double regret;
  uint64_t trace_start;
  uint64_t trace_len;
} mfbo_h5_run_row;

/* One row of /trace; the evaluated configuration's values follow it. */
typedef struct {
  uint64_t task_id;
  int64_t eval;
  int32_t fidelity;
  double measured_ms;
  double true_ms;
  double cost_s;
  double cum_cost_s;
  double incumbent_true_ms;
} mfbo_h5_trace_row;

/* One row of /timing (no parameter columns). */
typedef struct {
  uint64_t task_id;
  int32_t rank;
  double wall_s;
} mfbo_h5_timing_row;

/* One row of /benchmark/instances; the optimum's values follow it. */
typedef struct {
  int32_t instance;
  double optimum_ms;
  uint64_t size;
} mfbo_h5_instance_row;

/* The columns of each table, in the file's order (before the parameter columns). */
extern const mfbo_h5_column mfbo_h5_runs_columns[];
extern const int mfbo_h5_runs_n_columns;
extern const mfbo_h5_column mfbo_h5_trace_columns[];
extern const int mfbo_h5_trace_n_columns;
extern const mfbo_h5_column mfbo_h5_timing_columns[];
extern const int mfbo_h5_timing_n_columns;
extern const mfbo_h5_column mfbo_h5_instances_columns[];
extern const int mfbo_h5_instances_n_columns;

/* The row types of the tables of a sweep over space (table.h); -1 on failure. */
int mfbo_h5_runs_type(mfbo_h5_table_type *t, const mfbo_space *space);
int mfbo_h5_trace_type(mfbo_h5_table_type *t, const mfbo_space *space);
int mfbo_h5_timing_type(mfbo_h5_table_type *t);
int mfbo_h5_instances_type(mfbo_h5_table_type *t, const mfbo_space *space);

#endif
