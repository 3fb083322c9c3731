/* results.c: reading a results file for the analysis (see results.h); the only HDF5 code of
 * the analysis. Tables are read with memory compound types that name only the columns we
 * need (HDF5 matches members by name), so columns added by later versions of format 1 are
 * ignored. Debian's HDF5 maps the default API to 1.8: the numbered functions are used.
 * Nothing here writes to the file. */
#include "results.h"

#include "fail.h"
#include "h5types.h"
#include "h5util.h"
#include "schema.h"
#include "core/child.h"
#include "core/path.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <hdf5.h>

#define FORMAT_NAME "mfbo-sweep"
#define PARTIAL_SUFFIX ".partial"
#define INCOMPLETE_HINT "incomplete sweep: finish it with mfbo-sweep JOB --resume"
/* The child that reads a file first has this long, plus a second per this many bytes (the
 * reader reads 15-60 MB/s on the project's 2-core VM, so a loaded machine keeps a wide margin:
 * docs/results-format.md). */
#define CHECK_BASE_S 10.0
#define CHECK_BYTES_PER_S 1e6

/* ---------------------------------------------------------------- errors and ids */

__attribute__((format(printf, 3, 4))) static mfbo_results_status
fail(mfbo_error *err, mfbo_results_status status, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->msg, sizeof err->msg, fmt, ap);
  va_end(ap);
  err->line = 0;
  H5Eclear2(H5E_DEFAULT);
  return status;
}


static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), k = strlen(suffix);
  return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* ---------------------------------------------------------------- types */

/* Strings in memory carry the character set of the file's (HDF5 converts no other way). */
static hid_t vl_string_type(H5T_cset_t cset) {
  return mfbo_h5_string_type(0, H5T_STR_NULLTERM, cset);
}

/* A null-terminated UTF-8 string of size bytes (a null-padded field of size - 1 fits). */
static hid_t fixed_string_type(size_t size) {
  return mfbo_h5_string_type(size, H5T_STR_NULLTERM, H5T_CSET_UTF8);
}

/* One member of a memory compound type. */
typedef struct {
  const char *name;
  size_t offset;
  hid_t type;
} member;

static hid_t compound_type(size_t size, const member *m, int n) {
  hid_t t = H5Tcreate(H5T_COMPOUND, size);
  for (int i = 0; t >= 0 && i < n; i++)
    if (m[i].type < 0 || H5Tinsert(t, m[i].name, m[i].offset, m[i].type) < 0) {
      H5Tclose(t);
      return H5I_INVALID_HID;
    }
  return t;
}

/* The first column of m missing from the dataset's row type, or NULL if all are there. */
static const char *missing_column(hid_t dataset, const member *m, int n) {
  hid_t ft = H5Dget_type(dataset);
  const char *missing = ft < 0 || H5Tget_class(ft) != H5T_COMPOUND ? "(not a table)" : NULL;
  for (int i = 0; !missing && i < n; i++)
    if (H5Tget_member_index(ft, m[i].name) < 0) missing = m[i].name;
  mfbo_h5_close(ft);
  H5Eclear2(H5E_DEFAULT);
  return missing;
}

static hssize_t n_rows(hid_t dataset) {
  hid_t space = H5Dget_space(dataset);
  hssize_t n = space < 0 || H5Sget_simple_extent_ndims(space) != 1
                   ? -1
                   : H5Sget_simple_extent_npoints(space);
  mfbo_h5_close(space);
  return n;
}

/* ---------------------------------------------------------------- attributes */

/* A scalar string attribute (variable or fixed length), or NULL; free() it. */
static char *attr_string(hid_t loc, const char *name) {
  if (H5Aexists(loc, name) <= 0) return NULL;
  hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
  hid_t ft = a < 0 ? H5I_INVALID_HID : H5Aget_type(a);
  hid_t space = a < 0 ? H5I_INVALID_HID : H5Aget_space(a);
  char *out = NULL;
  if (ft >= 0 && space >= 0 && H5Tget_class(ft) == H5T_STRING &&
      H5Sget_simple_extent_npoints(space) == 1) {
    if (H5Tis_variable_str(ft) > 0) {
      hid_t mt = vl_string_type(H5Tget_cset(ft));
      char *p = NULL;
      if (mt >= 0 && H5Aread(a, mt, &p) >= 0) out = strdup(p ? p : "");
      if (p) H5free_memory(p);
      mfbo_h5_close(mt);
    } else if ((out = calloc(H5Tget_size(ft) + 1, 1)) && H5Aread(a, ft, out) < 0) {
      free(out);
      out = NULL;
    }
  }
  mfbo_h5_close(space);
  mfbo_h5_close(ft);
  mfbo_h5_close(a);
  H5Eclear2(H5E_DEFAULT);
  return out;
}

static int attr_number(hid_t loc, const char *name, hid_t mem_type, void *out) {
  if (H5Aexists(loc, name) <= 0) return -1;
  hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
  hid_t ft = a < 0 ? H5I_INVALID_HID : H5Aget_type(a);
  hid_t space = a < 0 ? H5I_INVALID_HID : H5Aget_space(a);
  H5T_class_t c = ft < 0 ? H5T_NO_CLASS : H5Tget_class(ft);
  int ok = (c == H5T_INTEGER || c == H5T_FLOAT) && space >= 0 &&
           H5Sget_simple_extent_npoints(space) == 1 && H5Aread(a, mem_type, out) >= 0;
  mfbo_h5_close(space);
  mfbo_h5_close(ft);
  mfbo_h5_close(a);
  H5Eclear2(H5E_DEFAULT);
  return ok ? 0 : -1;
}

/* A 1-D array of variable-length strings (attribute if is_attr, else dataset) into
 * *out[*n]; each string and the array are malloc'ed. */
static int read_strings(hid_t obj, int is_attr, char ***out, int *n) {
  hid_t space = is_attr ? H5Aget_space(obj) : H5Dget_space(obj);
  hssize_t count = space < 0 ? -1 : H5Sget_simple_extent_npoints(space);
  hid_t ft = is_attr ? H5Aget_type(obj) : H5Dget_type(obj);
  hid_t mt = ft < 0 || H5Tget_class(ft) != H5T_STRING ? H5I_INVALID_HID
                                                      : vl_string_type(H5Tget_cset(ft));
  mfbo_h5_close(ft);
  char **raw = count > 0 ? calloc((size_t)count, sizeof *raw) : NULL;
  *out = count > 0 ? calloc((size_t)count, sizeof **out) : NULL;
  int ok = count > 0 && mt >= 0 && raw && *out &&
           (is_attr ? H5Aread(obj, mt, raw) : H5Dread(obj, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw)) >= 0;
  for (hssize_t i = 0; ok && i < count; i++) ok = ((*out)[i] = strdup(raw[i] ? raw[i] : "")) != NULL;
  if (raw && count > 0 && ok) H5Dvlen_reclaim(mt, space, H5P_DEFAULT, raw);
  free(raw);
  mfbo_h5_close(mt);
  mfbo_h5_close(space);
  H5Eclear2(H5E_DEFAULT);
  *n = ok ? (int)count : 0;
  if (!ok && *out) {
    for (hssize_t i = 0; i < count; i++) free((*out)[i]);
    free(*out);
    *out = NULL;
  }
  return ok ? 0 : -1;
}

/* ---------------------------------------------------------------- the file as a whole */

/* Refuses what is not a complete results file before HDF5 sees it. */
static mfbo_results_status check_path(const char *path, mfbo_error *err) {
  if (ends_with(path, PARTIAL_SUFFIX))
    return fail(err, MFBO_RESULTS_BAD_INPUT, "%s (this is the file of a sweep still running or "
                "stopped early)", INCOMPLETE_HINT);
  if (!mfbo_path_exists(path)) {
    size_t n = strlen(path) + sizeof PARTIAL_SUFFIX;
    char *partial = malloc(n);
    int has_partial = partial && (snprintf(partial, n, "%s%s", path, PARTIAL_SUFFIX), mfbo_path_exists(partial));
    free(partial);
    if (has_partial)
      return fail(err, MFBO_RESULTS_BAD_INPUT, "%s (only %s%s exists)", INCOMPLETE_HINT, path,
                  PARTIAL_SUFFIX);
    return fail(err, MFBO_RESULTS_BAD_INPUT, "cannot open: %s", strerror(errno));
  }
  htri_t is_hdf5 = H5Fis_hdf5(path);
  if (is_hdf5 <= 0)
    return fail(err, MFBO_RESULTS_BAD_INPUT,
                "not an HDF5 file, so not a results file of mfbo-sweep");
  return MFBO_RESULTS_OK;
}

static mfbo_results_status read_root(mfbo_results *r, hid_t f, mfbo_error *err) {
  char *format = attr_string(f, "format");
  int ours = format && strcmp(format, FORMAT_NAME) == 0;
  if (!ours) {
    mfbo_results_status s = fail(err, MFBO_RESULTS_BAD_INPUT,
                                 "not a results file of mfbo-sweep (format attribute: %s)",
                                 format ? format : "missing");
    free(format);
    return s;
  }
  free(format);
  if (attr_number(f, "format_version", H5T_NATIVE_LONG, &r->format_version) != 0 ||
      r->format_version < 1)
    return fail(err, MFBO_RESULTS_BAD_INPUT, "damaged results file: no valid format_version");
  if (r->format_version > MFBO_RESULTS_FORMAT_VERSION)
    return fail(err, MFBO_RESULTS_BAD_INPUT,
                "written by a newer mfbo-sweep (format_version %ld; this mfbo-analyze reads "
                "up to %d): use a newer mfbo-analyze", r->format_version,
                MFBO_RESULTS_FORMAT_VERSION);
  r->finished_utc = attr_string(f, "finished_utc");
  if (!r->finished_utc) return fail(err, MFBO_RESULTS_BAD_INPUT, "%s", INCOMPLETE_HINT);
  r->program_version = attr_string(f, "program_version");
  r->sweep_name = attr_string(f, "sweep_name");
  r->job_path = attr_string(f, "job_path");
  r->created_utc = attr_string(f, "created_utc");
  if (attr_number(f, "n_tasks", H5T_NATIVE_UINT64, &r->n_tasks) != 0)
    return fail(err, MFBO_RESULTS_BAD_INPUT, "damaged results file: no n_tasks attribute");
  return MFBO_RESULTS_OK;
}

/* /benchmark/values/NAME and /benchmark/labels/NAME of parameter p. */
static int read_param_values(hid_t bench, mfbo_result_param *p) {
  char path[300];
  snprintf(path, sizeof path, "values/%s", p->name);
  hid_t d = H5Lexists(bench, "values", H5P_DEFAULT) > 0 &&
                    H5Lexists(bench, path, H5P_DEFAULT) > 0
                ? H5Dopen2(bench, path, H5P_DEFAULT)
                : H5I_INVALID_HID;
  hssize_t n = d < 0 ? -1 : n_rows(d);
  p->values = n > 0 ? malloc((size_t)n * sizeof *p->values) : NULL;
  int ok = p->values && H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, p->values) >= 0;
  mfbo_h5_close(d);
  p->n_values = ok ? (int)n : 0;
  snprintf(path, sizeof path, "labels/%s", p->name);
  if (ok && H5Lexists(bench, "labels", H5P_DEFAULT) > 0 && H5Lexists(bench, path, H5P_DEFAULT) > 0) {
    int n_labels = 0;
    d = H5Dopen2(bench, path, H5P_DEFAULT);
    ok = d >= 0 && read_strings(d, 0, &p->labels, &n_labels) == 0 && n_labels == p->n_values;
    mfbo_h5_close(d);
  }
  H5Eclear2(H5E_DEFAULT);
  return ok ? 0 : -1;
}

static mfbo_results_status read_instances(mfbo_results *r, hid_t bench, mfbo_error *err) {
  const member m[] = {
      {"instance", offsetof(mfbo_result_instance, instance), H5T_NATIVE_INT32},
      {"optimum_ms", offsetof(mfbo_result_instance, optimum_ms), H5T_NATIVE_DOUBLE}};
  hid_t d = H5Lexists(bench, "instances", H5P_DEFAULT) > 0
                ? H5Dopen2(bench, "instances", H5P_DEFAULT)
                : H5I_INVALID_HID;
  hssize_t n = d < 0 || missing_column(d, m, 2) ? -1 : n_rows(d);
  hid_t mt = compound_type(sizeof(mfbo_result_instance), m, 2);
  r->instances = n > 0 ? calloc((size_t)n, sizeof *r->instances) : NULL;
  int ok = r->instances && mt >= 0 &&
           H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, r->instances) >= 0;
  mfbo_h5_close(mt);
  mfbo_h5_close(d);
  if (!ok) return fail(err, MFBO_RESULTS_BAD_INPUT, "damaged results file: cannot read /benchmark/instances");
  r->n_instances = (size_t)n;
  return MFBO_RESULTS_OK;
}

static mfbo_results_status read_benchmark(mfbo_results *r, hid_t f, mfbo_error *err) {
  hid_t bench = H5Lexists(f, "benchmark", H5P_DEFAULT) > 0
                    ? H5Gopen2(f, "benchmark", H5P_DEFAULT)
                    : H5I_INVALID_HID;
  if (bench < 0) return fail(err, MFBO_RESULTS_BAD_INPUT, "damaged results file: no /benchmark");
  r->benchmark_name = attr_string(bench, "name");
  char **names = NULL;
  hid_t a = H5Aexists(bench, "parameter_names") > 0
                ? H5Aopen(bench, "parameter_names", H5P_DEFAULT)
                : H5I_INVALID_HID;
  int ok = a >= 0 && read_strings(a, 1, &names, &r->n_params) == 0;
  mfbo_h5_close(a);
  r->params = ok ? calloc((size_t)r->n_params, sizeof *r->params) : NULL;
  ok = ok && r->params;
  for (int i = 0; i < r->n_params; i++) {
    if (r->params) r->params[i].name = names[i];
    else free(names[i]);
    ok = ok && read_param_values(bench, &r->params[i]) == 0;
  }
  free(names);
  mfbo_results_status s = ok ? read_instances(r, bench, err)
                             : fail(err, MFBO_RESULTS_BAD_INPUT,
                                    "damaged results file: cannot read the parameters in /benchmark");
  mfbo_h5_close(bench);
  return s;
}

/* ---------------------------------------------------------------- /runs */

/* The fixed columns of a /runs row, as read: the writer's row (src/h5/schema.h). */
typedef mfbo_h5_run_row runs_row;
/* copy_run copies the labels whole and the message (null-terminated: message_t is the
 * field's size) with strdup. */
_Static_assert(sizeof(((runs_row *)0)->algorithm) == sizeof(((mfbo_run_row *)0)->algorithm) &&
                   sizeof(((runs_row *)0)->algorithm_type) ==
                       sizeof(((mfbo_run_row *)0)->algorithm_type),
               "the schema's labels are the reader's");

/* The schema's /runs columns, with the reader's types for text (null-terminated) and status. */
static int run_members(member *m, hid_t label_t, hid_t message_t, hid_t status_t) {
  for (int i = 0; i < mfbo_h5_runs_n_columns; i++) {
    const mfbo_h5_column *c = &mfbo_h5_runs_columns[i];
    hid_t t = c->kind == MFBO_H5_STATUS ? status_t
              : c->kind != MFBO_H5_TEXT ? mfbo_h5_native_type(c->kind)
              : c->text_size == MFBO_H5_LABEL_LEN ? label_t
                                                  : message_t;
    m[i] = (member){c->name, c->offset, t};
  }
  return mfbo_h5_runs_n_columns;
}

static void copy_run(mfbo_run_row *dst, const runs_row *src) {
  dst->task_id = src->task_id;
  memcpy(dst->algorithm, src->algorithm, sizeof dst->algorithm);
  memcpy(dst->algorithm_type, src->algorithm_type, sizeof dst->algorithm_type);
  dst->seed = src->seed;
  dst->instance = src->instance;
  dst->failed = src->status != 0;
  dst->message = src->message[0] ? strdup(src->message) : "";
  dst->n_evals = src->n_evals;
  dst->cost_s = src->cost_s;
  dst->incumbent_true_ms = src->incumbent_true_ms;
  dst->regret = src->regret;
  dst->trace_start = src->trace_start;
  dst->trace_len = src->trace_len;
}

/* The incumbent parameter columns of the selected /runs rows into n x n_params doubles. */
static int read_run_params(const mfbo_results *r, hid_t d, hid_t mspace, hid_t fspace,
                           double *block) {
  if (r->n_params == 0) return 0;
  size_t row = (size_t)r->n_params * sizeof(double);
  member *m = calloc((size_t)r->n_params, sizeof *m);
  if (!m) return -1;
  for (int j = 0; j < r->n_params; j++)
    m[j] = (member){r->params[j].name, (size_t)j * sizeof(double), H5T_NATIVE_DOUBLE};
  hid_t mt = missing_column(d, m, r->n_params) ? H5I_INVALID_HID : compound_type(row, m, r->n_params);
  int ok = mt >= 0 && H5Dread(d, mt, mspace, fspace, H5P_DEFAULT, block) >= 0;
  mfbo_h5_close(mt);
  free(m);
  return ok ? 0 : -1;
}

/* /runs is read in blocks of this many rows (a /runs row in memory is about 0.5 KB). */
#define RUNS_BLOCK_ROWS 16384

/* Rows [start, start + n) of /runs into r->runs and params (the incumbents' block). */
static int read_runs_block(mfbo_results *r, hid_t d, hid_t mt, hsize_t start, hsize_t n,
                           runs_row *rows, double *params) {
  hid_t fspace = H5Dget_space(d), mspace = H5Screate_simple(1, &n, NULL);
  int ok = fspace >= 0 && mspace >= 0 &&
           H5Sselect_hyperslab(fspace, H5S_SELECT_SET, &start, NULL, &n, NULL) >= 0 &&
           H5Dread(d, mt, mspace, fspace, H5P_DEFAULT, rows) >= 0 &&
           read_run_params(r, d, mspace, fspace, params + start * (size_t)r->n_params) == 0;
  for (hsize_t i = 0; ok && i < n; i++) {
    mfbo_run_row *run = &r->runs[start + i];
    copy_run(run, &rows[i]);
    run->params = params + (start + i) * (size_t)r->n_params;
    ok = run->message != NULL;
  }
  mfbo_h5_close(mspace);
  mfbo_h5_close(fspace);
  return ok ? 0 : -1;
}

static mfbo_results_status read_runs(mfbo_results *r, hid_t f, mfbo_error *err) {
  hid_t label_t = fixed_string_type(MFBO_LABEL_MAX + 1);
  hid_t message_t = fixed_string_type(sizeof(((runs_row *)0)->message));
  hid_t status_t = mfbo_h5_status_type(H5T_NATIVE_INT8);
  member m[16];
  int n_m = run_members(m, label_t, message_t, status_t);
  hid_t d = H5Lexists(f, "runs", H5P_DEFAULT) > 0 ? H5Dopen2(f, "runs", H5P_DEFAULT)
                                                  : H5I_INVALID_HID;
  const char *missing = d < 0 ? "(no /runs)" : missing_column(d, m, n_m);
  hssize_t n = missing ? -1 : n_rows(d);
  hid_t mt = compound_type(sizeof(runs_row), m, n_m);
  size_t block_rows = n > RUNS_BLOCK_ROWS ? RUNS_BLOCK_ROWS : (size_t)(n > 0 ? n : 1);
  runs_row *rows = n > 0 ? calloc(block_rows, sizeof *rows) : NULL;
  double *block = n > 0 ? calloc((size_t)n * (size_t)(r->n_params + 1), sizeof *block) : NULL;
  r->runs = n > 0 ? calloc((size_t)n, sizeof *r->runs) : NULL;
  if (r->runs) r->runs[0].params = block; /* from here mfbo_results_close frees the block */
  else free(block);
  int ok = rows && block && r->runs && mt >= 0;
  for (hsize_t start = 0; ok && start < (hsize_t)n; start += block_rows) {
    hsize_t count = (hsize_t)n - start < block_rows ? (hsize_t)n - start : block_rows;
    ok = read_runs_block(r, d, mt, start, count, rows, block) == 0;
    r->n_runs = (size_t)(start + count); /* what mfbo_results_close frees */
  }
  free(rows);
  mfbo_h5_close(mt);
  mfbo_h5_close(d);
  mfbo_h5_close(status_t);
  mfbo_h5_close(message_t);
  mfbo_h5_close(label_t);
  if (ok) return MFBO_RESULTS_OK;
  if (missing) return fail(err, MFBO_RESULTS_BAD_INPUT, "damaged results file: /runs lacks %s", missing);
  if (n == 0) return fail(err, MFBO_RESULTS_BAD_INPUT, "the results file has no runs");
  return fail(err, MFBO_RESULTS_BAD_INPUT, "damaged results file: cannot read /runs");
}

/* ---------------------------------------------------------------- /trace */

/* The writer's /trace row (src/h5/schema.h), of which only these columns are read. */
typedef mfbo_h5_trace_row trace_row;

/* /trace is read in blocks of at least this many rows (a few MB), not a run at a time: one
 * H5Dread a run costs HDF5 a cleared conversion buffer each time (issue 24), and the runs
 * are read in /trace's order, so each block serves thousands of runs. */
#define TRACE_BLOCK_ROWS 65536

struct mfbo_results_h5 {
  int damaged; /* a read of /trace failed in HDF5 or gave rows that are not the task's */
  mfbo_error why; /* HDF5's explanation of the failed read, in why.msg ("" if none) */
  hid_t file, trace;
  hid_t trace_type;             /* memory type of trace_row */
  trace_row *block;             /* rows [block_start, block_start + block_n) of /trace */
  uint64_t block_start, block_n, block_capacity;
};

static int trace_members(member *m) {
  static const char *const names[] = {"task_id", "eval", "cum_cost_s", "incumbent_true_ms",
                                      "true_ms"};
  int n = (int)(sizeof names / sizeof names[0]);
  for (int i = 0; i < n; i++) {
    const mfbo_h5_column *c =
        mfbo_h5_column_find(mfbo_h5_trace_columns, mfbo_h5_trace_n_columns, names[i]);
    m[i] = (member){c->name, c->offset, mfbo_h5_native_type(c->kind)};
  }
  return n;
}

static mfbo_results_status open_trace(mfbo_results *r, hid_t f, mfbo_error *err) {
  member m[8];
  int n_m = trace_members(m);
  hid_t d = H5Lexists(f, "trace", H5P_DEFAULT) > 0 ? H5Dopen2(f, "trace", H5P_DEFAULT)
                                                   : H5I_INVALID_HID;
  const char *missing = d < 0 ? "(no /trace)" : missing_column(d, m, n_m);
  hssize_t n = missing ? -1 : n_rows(d);
  if (n < 0) {
    mfbo_h5_close(d);
    return fail(err, MFBO_RESULTS_BAD_INPUT, "damaged results file: /trace lacks %s",
                missing ? missing : "rows");
  }
  r->h5->trace = d;
  r->h5->trace_type = compound_type(sizeof(trace_row), m, n_m);
  r->n_trace_rows = (uint64_t)n;
  if (r->h5->trace_type < 0) return fail(err, MFBO_RESULTS_IO, "cannot make the trace's memory type");
  return MFBO_RESULTS_OK;
}

/* The tables agree with each other: one row per task in task_id order, every run's trace
 * inside /trace, instances known. */
static mfbo_results_status check_tables(const mfbo_results *r, mfbo_error *err) {
  if (r->n_runs != r->n_tasks)
    return fail(err, MFBO_RESULTS_BAD_INPUT,
                "incomplete or damaged results file: /runs has %zu rows for %llu tasks",
                r->n_runs, (unsigned long long)r->n_tasks);
  for (size_t i = 0; i < r->n_runs; i++) {
    const mfbo_run_row *run = &r->runs[i];
    if (run->task_id != i)
      return fail(err, MFBO_RESULTS_BAD_INPUT,
                  "damaged results file: /runs row %zu has task_id %llu", i,
                  (unsigned long long)run->task_id);
    if (run->n_evals < 0 || run->trace_len != (uint64_t)run->n_evals ||
        run->trace_start > r->n_trace_rows || run->trace_len > r->n_trace_rows - run->trace_start)
      return fail(err, MFBO_RESULTS_BAD_INPUT,
                  "damaged results file: task %zu's trace rows are not in /trace", i);
    if (mfbo_results_instance_index(r, run->instance) < 0)
      return fail(err, MFBO_RESULTS_BAD_INPUT,
                  "damaged results file: task %zu has instance %d, not in /benchmark/instances",
                  i, (int)run->instance);
    if (!run->algorithm[0])
      return fail(err, MFBO_RESULTS_BAD_INPUT, "damaged results file: task %zu has no algorithm", i);
  }
  return MFBO_RESULTS_OK;
}

/* ---------------------------------------------------------------- public */

mfbo_results_status mfbo_results_open(const char *path, mfbo_results *r, mfbo_error *err) {
  memset(r, 0, sizeof *r);
  mfbo_error_clear(err);
  snprintf(err->file, sizeof err->file, "%s", path);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* our messages, not HDF5's stack dumps */
  mfbo_results_status s = check_path(path, err);
  if (s != MFBO_RESULTS_OK) return s;
  r->path = strdup(path);
  r->h5 = calloc(1, sizeof *r->h5);
  if (!r->path || !r->h5) return fail(err, MFBO_RESULTS_IO, "out of memory");
  r->h5->file = r->h5->trace = r->h5->trace_type = H5I_INVALID_HID;
  r->h5->file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (r->h5->file < 0) {
    s = fail(err, MFBO_RESULTS_BAD_INPUT, "cannot open as HDF5 (is a sweep writing it?)");
  } else if ((s = read_root(r, r->h5->file, err)) == MFBO_RESULTS_OK &&
             (s = read_benchmark(r, r->h5->file, err)) == MFBO_RESULTS_OK &&
             (s = read_runs(r, r->h5->file, err)) == MFBO_RESULTS_OK &&
             (s = open_trace(r, r->h5->file, err)) == MFBO_RESULTS_OK) {
    s = check_tables(r, err);
  }
  if (s != MFBO_RESULTS_OK) mfbo_results_close(r);
  return s;
}

void mfbo_results_close(mfbo_results *r) {
  if (r->h5) {
    mfbo_h5_close(r->h5->trace_type);
    mfbo_h5_close(r->h5->trace);
    mfbo_h5_close(r->h5->file);
    free(r->h5->block);
    free(r->h5);
  }
  for (int i = 0; r->params && i < r->n_params; i++) {
    free(r->params[i].name);
    free(r->params[i].values);
    for (int k = 0; r->params[i].labels && k < r->params[i].n_values; k++)
      free(r->params[i].labels[k]);
    free(r->params[i].labels);
  }
  free(r->params);
  if (r->runs) free(r->runs[0].params); /* one block for all runs */
  for (size_t i = 0; r->runs && i < r->n_runs; i++)
    if (r->runs[i].message && r->runs[i].message[0]) free((char *)r->runs[i].message);
  free(r->runs);
  free(r->instances);
  free(r->path);
  free(r->program_version);
  free(r->sweep_name);
  free(r->job_path);
  free(r->created_utc);
  free(r->finished_utc);
  free(r->benchmark_name);
  memset(r, 0, sizeof *r);
}

static int trace_reserve(mfbo_run_trace *t, size_t n) {
  if (n <= t->capacity) return 0;
  size_t cap = n > 2 * t->capacity ? n : 2 * t->capacity;
  double *a = realloc(t->cum_cost_s, cap * sizeof *a);
  if (a) t->cum_cost_s = a;
  double *b = a ? realloc(t->incumbent_true_ms, cap * sizeof *b) : NULL;
  if (b) t->incumbent_true_ms = b;
  double *c = b ? realloc(t->true_ms, cap * sizeof *c) : NULL;
  if (c) t->true_ms = c;
  if (!c) return -1;
  t->capacity = cap;
  return 0;
}

/* Reads rows [start, start + n) of /trace into h's block (n <= the rows left). */
static int read_trace_block(struct mfbo_results_h5 *h, hsize_t start, hsize_t n) {
  if (n > h->block_capacity) {
    trace_row *b = realloc(h->block, (size_t)n * sizeof *b);
    if (!b) return -1;
    h->block = b;
    h->block_capacity = n;
  }
  h->block_n = 0;
  hid_t fspace = H5Dget_space(h->trace);
  hid_t mspace = H5Screate_simple(1, &n, NULL);
  int ok = fspace >= 0 && mspace >= 0 &&
           H5Sselect_hyperslab(fspace, H5S_SELECT_SET, &start, NULL, &n, NULL) >= 0 &&
           H5Dread(h->trace, h->trace_type, mspace, fspace, H5P_DEFAULT, h->block) >= 0;
  if (!ok) { /* e.g. " (HDF5: data error detected by Fletcher32 checksum)" */
    h->damaged = 1;
    mfbo_error_clear(&h->why);
    mfbo_h5_explain(&h->why);
  }
  mfbo_h5_close(mspace);
  mfbo_h5_close(fspace);
  if (!ok) return -1;
  h->block_start = start;
  h->block_n = n;
  return 0;
}

/* Rows [start, start + count) of /trace (inside it), from the block read last if they are
 * in it, else from a new block that begins at start; NULL if the read failed. */
static const trace_row *trace_rows(const mfbo_results *r, uint64_t start, uint64_t count) {
  struct mfbo_results_h5 *h = r->h5;
  if (h->block_n > 0 && start >= h->block_start && start - h->block_start <= h->block_n &&
      count <= h->block_n - (start - h->block_start))
    return h->block + (start - h->block_start);
  uint64_t n = count > TRACE_BLOCK_ROWS ? count : TRACE_BLOCK_ROWS;
  if (n > r->n_trace_rows - start) n = r->n_trace_rows - start;
  return read_trace_block(h, (hsize_t)start, (hsize_t)n) == 0 ? h->block : NULL;
}

int mfbo_results_read_trace(const mfbo_results *r, size_t run, mfbo_run_trace *t,
                            mfbo_error *err) {
  const mfbo_run_row *row = &r->runs[run];
  uint64_t start = row->trace_start, count = row->trace_len;
  t->n = 0;
  if (count == 0) return 0;
  const trace_row *rows = trace_reserve(t, (size_t)count) == 0 ? trace_rows(r, start, count) : NULL;
  int consistent = 1;
  for (uint64_t i = 0; rows && i < count; i++) {
    consistent = consistent && rows[i].task_id == row->task_id && rows[i].eval == (int64_t)i + 1;
    t->cum_cost_s[i] = rows[i].cum_cost_s;
    t->incumbent_true_ms[i] = rows[i].incumbent_true_ms;
    t->true_ms[i] = rows[i].true_ms;
  }
  snprintf(err->file, sizeof err->file, "%s", r->path);
  if (!rows) {
    mfbo_error_set(err, 0, "%scannot read the trace of task %llu%s",
                   r->h5->damaged ? "damaged results file: " : "out of memory: ",
                   (unsigned long long)row->task_id, r->h5->damaged ? r->h5->why.msg : "");
    return -1;
  }
  if (!consistent) {
    r->h5->damaged = 1;
    mfbo_error_set(err, 0, "damaged results file: /trace rows %llu.. are not task %llu's "
                   "evaluations 1..%llu", (unsigned long long)start,
                   (unsigned long long)row->task_id, (unsigned long long)count);
    return -1;
  }
  t->n = (size_t)count;
  return 0;
}

void mfbo_run_trace_free(mfbo_run_trace *t) {
  free(t->cum_cost_s);
  free(t->incumbent_true_ms);
  free(t->true_ms);
  memset(t, 0, sizeof *t);
}

int mfbo_results_damaged(const mfbo_results *r) { return r->h5 && r->h5->damaged; }

int mfbo_results_instance_index(const mfbo_results *r, int32_t instance) {
  for (size_t i = 0; i < r->n_instances; i++)
    if (r->instances[i].instance == instance) return (int)i;
  return -1;
}

void mfbo_results_value_text(const mfbo_results *r, int p, double v, char *buf, size_t size) {
  const mfbo_result_param *param = &r->params[p];
  for (int k = 0; param->labels && k < param->n_values; k++)
    if (param->values[k] == v) {
      snprintf(buf, size, "%s", param->labels[k]);
      return;
    }
  snprintf(buf, size, "%.10g", v);
}

/* ---------------------------------------------------------------- read in a child */

mfbo_results_status mfbo_results_read_through(const char *path, mfbo_error *err) {
  mfbo_results r;
  mfbo_results_status s = mfbo_results_open(path, &r, err);
  if (s != MFBO_RESULTS_OK) return s;
  mfbo_run_trace t;
  memset(&t, 0, sizeof t);
  mfbo_error ignored;
  for (size_t i = 0; i < r.n_runs; i++) {
    if (mfbo_results_read_trace(&r, i, &t, &ignored) != 0) continue;
    char buf[256];
    for (int p = 0; p < r.n_params; p++)
      mfbo_results_value_text(&r, p, r.runs[i].params[p], buf, sizeof buf);
  }
  mfbo_run_trace_free(&t);
  mfbo_results_close(&r);
  return MFBO_RESULTS_OK;
}

/* The child's work: 0 when the reader came to an answer (read, or refused with a message
 * that the parent gives again), 1 when it failed midway (said on its stderr). */
static int read_through_in_child(void *path) {
  mfbo_error err;
  mfbo_error_clear(&err);
  if (mfbo_results_read_through(path, &err) != MFBO_RESULTS_IO) return 0;
  fprintf(stderr, "%s\n", err.msg);
  return 1;
}

double mfbo_results_check_timeout_s(double size_bytes) {
  return CHECK_BASE_S + (size_bytes > 0 ? size_bytes / CHECK_BYTES_PER_S : 0);
}

mfbo_results_status mfbo_results_open_isolated(const char *path, mfbo_results *r,
                                               mfbo_error *err) {
  memset(r, 0, sizeof *r);
  mfbo_error_clear(err);
  snprintf(err->file, sizeof err->file, "%s", path);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  mfbo_results_status s = check_path(path, err);
  if (s != MFBO_RESULTS_OK) return s;
  struct stat st;
  double timeout_s = mfbo_results_check_timeout_s(stat(path, &st) == 0 ? (double)st.st_size : 0);
  char why[600];
  mfbo_child_end end = mfbo_child_call(read_through_in_child, (void *)path, timeout_s, why,
                                       sizeof why);
  if (end == MFBO_CHILD_NOT_STARTED) return fail(err, MFBO_RESULTS_IO, "%s", why);
  if (end != MFBO_CHILD_RETURNED)
    return fail(err, MFBO_RESULTS_BAD_INPUT, "damaged results file (HDF5 failed on it in a "
                "separate process: %s)", why);
  return mfbo_results_open(path, r, err);
}
