/* schema.c: the columns of the results file's tables and their row types (schema.h). */
#include "schema.h"

#include <stddef.h>

_Static_assert(sizeof(mfbo_h5_run_row) % sizeof(double) == 0, "parameter columns must be aligned");
_Static_assert(sizeof(mfbo_h5_trace_row) % sizeof(double) == 0, "parameter columns must be aligned");
_Static_assert(sizeof(mfbo_h5_instance_row) % sizeof(double) == 0,
               "parameter columns must be aligned");

#define COLUMN(row, field, kind) {#field, offsetof(row, field), kind, 0}
#define TEXT(row, field, size) {#field, offsetof(row, field), MFBO_H5_TEXT, size}
#define N(cols) ((int)(sizeof cols / sizeof cols[0]))

const mfbo_h5_column mfbo_h5_runs_columns[] = {
    COLUMN(mfbo_h5_run_row, task_id, MFBO_H5_U64),
    TEXT(mfbo_h5_run_row, algorithm, MFBO_H5_LABEL_LEN),
    TEXT(mfbo_h5_run_row, algorithm_type, MFBO_H5_LABEL_LEN),
    COLUMN(mfbo_h5_run_row, seed, MFBO_H5_I64),
    COLUMN(mfbo_h5_run_row, instance, MFBO_H5_I32),
    COLUMN(mfbo_h5_run_row, status, MFBO_H5_STATUS),
    TEXT(mfbo_h5_run_row, message, MFBO_H5_MESSAGE_LEN),
    COLUMN(mfbo_h5_run_row, n_evals, MFBO_H5_I64),
    COLUMN(mfbo_h5_run_row, cost_s, MFBO_H5_F64),
    COLUMN(mfbo_h5_run_row, incumbent_true_ms, MFBO_H5_F64),
    COLUMN(mfbo_h5_run_row, regret, MFBO_H5_F64),
    COLUMN(mfbo_h5_run_row, trace_start, MFBO_H5_U64),
    COLUMN(mfbo_h5_run_row, trace_len, MFBO_H5_U64),
};
const int mfbo_h5_runs_n_columns = N(mfbo_h5_runs_columns);

const mfbo_h5_column mfbo_h5_trace_columns[] = {
    COLUMN(mfbo_h5_trace_row, task_id, MFBO_H5_U64),
    COLUMN(mfbo_h5_trace_row, eval, MFBO_H5_I64),
    COLUMN(mfbo_h5_trace_row, fidelity, MFBO_H5_I32),
    COLUMN(mfbo_h5_trace_row, measured_ms, MFBO_H5_F64),
    COLUMN(mfbo_h5_trace_row, true_ms, MFBO_H5_F64),
    COLUMN(mfbo_h5_trace_row, cost_s, MFBO_H5_F64),
    COLUMN(mfbo_h5_trace_row, cum_cost_s, MFBO_H5_F64),
    COLUMN(mfbo_h5_trace_row, incumbent_true_ms, MFBO_H5_F64),
};
const int mfbo_h5_trace_n_columns = N(mfbo_h5_trace_columns);

const mfbo_h5_column mfbo_h5_timing_columns[] = {
    COLUMN(mfbo_h5_timing_row, task_id, MFBO_H5_U64),
    COLUMN(mfbo_h5_timing_row, rank, MFBO_H5_I32),
    COLUMN(mfbo_h5_timing_row, wall_s, MFBO_H5_F64),
};
const int mfbo_h5_timing_n_columns = N(mfbo_h5_timing_columns);

const mfbo_h5_column mfbo_h5_instances_columns[] = {
    COLUMN(mfbo_h5_instance_row, instance, MFBO_H5_I32),
    COLUMN(mfbo_h5_instance_row, optimum_ms, MFBO_H5_F64),
    COLUMN(mfbo_h5_instance_row, size, MFBO_H5_U64),
};
const int mfbo_h5_instances_n_columns = N(mfbo_h5_instances_columns);

int mfbo_h5_runs_type(mfbo_h5_table_type *t, const mfbo_space *space) {
  return mfbo_h5_table_type_make(t, mfbo_h5_runs_columns, mfbo_h5_runs_n_columns,
                                 sizeof(mfbo_h5_run_row), space);
}

int mfbo_h5_trace_type(mfbo_h5_table_type *t, const mfbo_space *space) {
  return mfbo_h5_table_type_make(t, mfbo_h5_trace_columns, mfbo_h5_trace_n_columns,
                                 sizeof(mfbo_h5_trace_row), space);
}

int mfbo_h5_timing_type(mfbo_h5_table_type *t) {
  return mfbo_h5_table_type_make(t, mfbo_h5_timing_columns, mfbo_h5_timing_n_columns,
                                 sizeof(mfbo_h5_timing_row), NULL);
}

int mfbo_h5_instances_type(mfbo_h5_table_type *t, const mfbo_space *space) {
  return mfbo_h5_table_type_make(t, mfbo_h5_instances_columns, mfbo_h5_instances_n_columns,
                                 sizeof(mfbo_h5_instance_row), space);
}
