/* store.c: the results file in HDF5, format version 1 (docs/results-format.md); the only
 * file of the project that knows HDF5. While a sweep runs, each finished task is appended in
 * arrival order to FILE.partial (default file format, no SWMR) and the file is flushed, so a
 * killed writer leaves a file that --resume continues. mfbo_store_finish rewrites it in
 * task_id order into FILE.tmp, fsyncs it and renames it to FILE. Two rules: never keep a
 * trace in memory after it is written (a sweep of 10,000 tasks stays far below 100 MB), and
 * nothing that differs between two runs of one job (dates, wall times, ranks, versions)
 * enters /runs, /trace or /benchmark: it lives in the root attributes and /timing. */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_version.h>
#include <hdf5.h>

#ifndef MFBO_VERSION
#define MFBO_VERSION "unknown"
#endif
#ifndef MFBO_GIT_REVISION
#define MFBO_GIT_REVISION "unknown"
#endif

#define FORMAT_NAME "mfbo-sweep"
#define LABEL_LEN 64    /* /runs algorithm, algorithm_type: null-padded, like MFBO_NAME_MAX */
#define MESSAGE_LEN 256 /* /runs message */
/* Chunks of the complete file: large, for reading. The partial's are small, because every
 * flush rewrites (and recompresses) the chunks that the last task touched. */
#define TRACE_CHUNK_ROWS 4096
#define TABLE_CHUNK_ROWS 1024
#define PARTIAL_TRACE_CHUNK_ROWS 512
#define PARTIAL_TABLE_CHUNK_ROWS 64
#define TRACE_BLOCK_ROWS 4096 /* the most trace rows in memory at once */
#define DEFLATE_LEVEL 4
#define TRACE_CACHE_BYTES (4u << 20) /* chunk cache of /trace: bounds the writer's memory */
#define NO_TASK UINT64_MAX            /* the fill value of task_id: a row never written */

/* ---------------------------------------------------------------- rows in memory */

/* One row of /runs; the incumbent's parameter values follow it as doubles. */
typedef struct {
  uint64_t task_id;
  char algorithm[LABEL_LEN];
  char algorithm_type[LABEL_LEN];
  int64_t seed;
  int32_t instance;
  int8_t status;
  char message[MESSAGE_LEN];
  int64_t n_evals;
  double cost_s;
  double incumbent_true_ms;
  double regret;
  uint64_t trace_start;
  uint64_t trace_len;
} run_row;

/* One row of /trace; the evaluated configuration's values follow it as doubles. */
typedef struct {
  uint64_t task_id;
  int64_t eval;
  int32_t fidelity;
  double measured_ms;
  double true_ms;
  double cost_s;
  double cum_cost_s;
  double incumbent_true_ms;
} trace_row;

typedef struct {
  uint64_t task_id;
  int32_t rank;
  double wall_s;
} timing_row;

/* One row of /benchmark/instances; the optimum's values follow it as doubles. */
typedef struct {
  int32_t instance;
  double optimum_ms;
  uint64_t size;
} instance_row;

/* The columns of /runs that say which rows are whole (read when resuming). */
typedef struct {
  uint64_t task_id;
  int64_t n_evals;
  uint64_t trace_start;
  uint64_t trace_len;
} index_row;

_Static_assert(sizeof(run_row) % sizeof(double) == 0, "parameter columns must be aligned");
_Static_assert(sizeof(trace_row) % sizeof(double) == 0, "parameter columns must be aligned");
_Static_assert(sizeof(instance_row) % sizeof(double) == 0, "parameter columns must be aligned");

/* A table's row type: in memory (native, the struct then one double per parameter) and in
 * the file (little-endian, packed, same column names and order). */
typedef struct {
  size_t row_size;
  hid_t mem;
  hid_t file;
} table_type;

typedef struct {
  const char *name;
  size_t offset;
  hid_t mem;
  hid_t file;
} column;

struct mfbo_store {
  char *path, *partial, *tmp;
  const mfbo_job *job;
  mfbo_benchmark *const *benches;
  const mfbo_space *space; /* the first instance's: every instance has the same parameters */
  int n_params;
  uint64_t n_tasks, n_done;
  int64_t *row_of_task; /* each finished task's row in the partial's /runs, -1 if none */
  int complete;         /* FILE is complete: nothing to run or write */
  hid_t file, runs, trace, timing; /* the open partial */
  table_type runs_t, trace_t, timing_t, instances_t, index_t;
};

/* ---------------------------------------------------------------- errors */

/* Closes any identifier this file creates (never a library-owned one such as H5T_NATIVE_*). */
static void close_id(hid_t id) {
  if (id < 0) return;
  switch (H5Iget_type(id)) {
  case H5I_FILE: H5Fclose(id); break;
  case H5I_GROUP: H5Gclose(id); break;
  case H5I_DATATYPE: H5Tclose(id); break;
  case H5I_DATASPACE: H5Sclose(id); break;
  case H5I_DATASET: H5Dclose(id); break;
  case H5I_ATTR: H5Aclose(id); break;
  case H5I_GENPROP_LST: H5Pclose(id); break;
  default: break;
  }
}

static herr_t innermost_error(unsigned n, const H5E_error2_t *e, void *data) {
  if (n == 0 && e->desc) snprintf(data, 240, "%s", e->desc);
  return 0;
}

__attribute__((format(printf, 3, 0))) static void set_error(mfbo_error *err, const char *path,
                                                             const char *fmt, va_list ap) {
  snprintf(err->file, sizeof err->file, "%s", path);
  err->line = 0;
  vsnprintf(err->msg, sizeof err->msg, fmt, ap);
}

/* An error about the results file at path; returns -1. */
__attribute__((format(printf, 3, 4))) static int store_fail(mfbo_error *err, const char *path,
                                                             const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  set_error(err, path, fmt, ap);
  va_end(ap);
  return -1;
}

/* The same, followed by HDF5's own (innermost) explanation when it has one; returns -1. */
__attribute__((format(printf, 3, 4))) static int h5_fail(mfbo_error *err, const char *path,
                                                          const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  set_error(err, path, fmt, ap);
  va_end(ap);
  char detail[240] = "";
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, innermost_error, detail);
  H5Eclear2(H5E_DEFAULT);
  size_t len = strlen(err->msg);
  if (detail[0] && len + 4 < sizeof err->msg)
    snprintf(err->msg + len, sizeof err->msg - len, " (HDF5: %s)", detail);
  return -1;
}

/* ---------------------------------------------------------------- small helpers */

static void utc_now(char buf[32]) {
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static char *concat(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  char *s = malloc(la + lb + 1);
  if (!s) return NULL;
  memcpy(s, a, la);
  memcpy(s + la, b, lb + 1);
  return s;
}

static int exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

/* Copies src into a null-padded field of size bytes, cutting at a UTF-8 character boundary. */
static void copy_text(char *dst, size_t size, const char *src) {
  size_t n = strlen(src);
  if (n > size) {
    n = size;
    while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80) n--;
  }
  memset(dst, 0, size);
  memcpy(dst, src, n);
}

/* The directory part of path ("." if none); free() it. */
static char *directory_of(const char *path) {
  const char *slash = strrchr(path, '/');
  if (!slash) return strdup(".");
  if (slash == path) return strdup("/");
  char *d = strdup(path);
  if (d) d[slash - path] = '\0';
  return d;
}

static int fsync_path(const char *path, int directory) {
  int fd = open(path, directory ? O_RDONLY | O_DIRECTORY : O_RDONLY);
  if (fd < 0) return -1;
  int rc = fsync(fd);
  /* some file systems cannot sync a directory: the rename is then as durable as it gets */
  if (rc != 0 && directory && errno == EINVAL) rc = 0;
  int saved = errno;
  close(fd);
  errno = saved;
  return rc;
}

/* ---------------------------------------------------------------- attributes */

static hid_t vl_string_type(void) {
  hid_t t = H5Tcopy(H5T_C_S1);
  if (t >= 0 && (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0)) {
    H5Tclose(t);
    return H5I_INVALID_HID;
  }
  return t;
}

/* A null-padded UTF-8 string of size bytes. */
static hid_t fixed_string_type(size_t size) {
  hid_t t = H5Tcopy(H5T_C_S1);
  if (t >= 0 && (H5Tset_size(t, size) < 0 || H5Tset_strpad(t, H5T_STR_NULLPAD) < 0 ||
                 H5Tset_cset(t, H5T_CSET_UTF8) < 0)) {
    H5Tclose(t);
    return H5I_INVALID_HID;
  }
  return t;
}

/* Writes an attribute (replacing one of that name): n values, or a scalar if n == 0. */
static int attr_write(hid_t loc, const char *name, hid_t file_type, hid_t mem_type,
                      const void *buf, hsize_t n) {
  if (H5Aexists(loc, name) > 0 && H5Adelete(loc, name) < 0) return -1;
  hid_t space = n ? H5Screate_simple(1, &n, NULL) : H5Screate(H5S_SCALAR);
  hid_t a = space < 0 ? H5I_INVALID_HID
                      : H5Acreate2(loc, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT);
  int rc = a >= 0 && H5Awrite(a, mem_type, buf) >= 0 ? 0 : -1;
  close_id(a);
  close_id(space);
  return rc;
}

static int attr_strings(hid_t loc, const char *name, const char *const *values, hsize_t n) {
  hid_t t = vl_string_type();
  int rc = t < 0 ? -1 : attr_write(loc, name, t, t, values, n);
  close_id(t);
  return rc;
}

static int attr_str(hid_t loc, const char *name, const char *value) {
  const char *v = value ? value : "";
  return attr_strings(loc, name, &v, 0);
}

static int attr_int(hid_t loc, const char *name, int value) {
  return attr_write(loc, name, H5T_STD_I32LE, H5T_NATIVE_INT, &value, 0);
}

static int attr_u64(hid_t loc, const char *name, uint64_t value) {
  return attr_write(loc, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, &value, 0);
}

static int attr_double(hid_t loc, const char *name, double value) {
  return attr_write(loc, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value, 0);
}

/* Reads a scalar string attribute (variable or fixed length) into *out (free() it).
 * Returns -1 if it is absent or not a scalar string. */
static int attr_read_str(hid_t loc, const char *name, char **out) {
  *out = NULL;
  if (H5Aexists(loc, name) <= 0) return -1;
  hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
  hid_t ftype = a < 0 ? H5I_INVALID_HID : H5Aget_type(a);
  hid_t space = a < 0 ? H5I_INVALID_HID : H5Aget_space(a);
  hid_t mtype = H5I_INVALID_HID;
  int ok = ftype >= 0 && space >= 0 && H5Tget_class(ftype) == H5T_STRING &&
           H5Sget_simple_extent_npoints(space) == 1;
  if (ok && H5Tis_variable_str(ftype) > 0) {
    char *p = NULL;
    ok = (mtype = vl_string_type()) >= 0 && H5Aread(a, mtype, &p) >= 0;
    if (ok) *out = strdup(p ? p : "");
    if (p) H5free_memory(p);
  } else if (ok) {
    size_t size = H5Tget_size(ftype);
    *out = calloc(size + 1, 1);
    ok = *out && H5Aread(a, ftype, *out) >= 0;
  }
  close_id(mtype);
  close_id(space);
  close_id(ftype);
  close_id(a);
  if (ok && *out) return 0;
  free(*out);
  *out = NULL;
  return -1;
}

static int attr_read_long(hid_t loc, const char *name, long *out) {
  if (H5Aexists(loc, name) <= 0) return -1;
  hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
  hid_t ftype = a < 0 ? H5I_INVALID_HID : H5Aget_type(a);
  hid_t space = a < 0 ? H5I_INVALID_HID : H5Aget_space(a);
  int ok = ftype >= 0 && space >= 0 && H5Tget_class(ftype) == H5T_INTEGER &&
           H5Sget_simple_extent_npoints(space) == 1 && H5Aread(a, H5T_NATIVE_LONG, out) >= 0;
  close_id(space);
  close_id(ftype);
  close_id(a);
  return ok ? 0 : -1;
}

/* Copies one attribute as it is stored (H5Aiterate2 callback; data is the destination). */
static herr_t copy_attribute(hid_t loc, const char *name, const H5A_info_t *info, void *data) {
  (void)info;
  hid_t dst = *(const hid_t *)data;
  hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
  hid_t type = a < 0 ? H5I_INVALID_HID : H5Aget_type(a);
  hid_t space = a < 0 ? H5I_INVALID_HID : H5Aget_space(a);
  hid_t b = H5I_INVALID_HID;
  void *buf = NULL;
  int ok = type >= 0 && space >= 0;
  hssize_t n = ok ? H5Sget_simple_extent_npoints(space) : -1;
  ok = ok && n >= 0 && (buf = calloc((size_t)(n ? n : 1), H5Tget_size(type))) != NULL;
  int read = ok && H5Aread(a, type, buf) >= 0;
  ok = read && (b = H5Acreate2(dst, name, type, space, H5P_DEFAULT, H5P_DEFAULT)) >= 0 &&
       H5Awrite(b, type, buf) >= 0;
  if (read) H5Dvlen_reclaim(type, space, H5P_DEFAULT, buf); /* H5Treclaim: 1.12 */
  free(buf);
  close_id(b);
  close_id(space);
  close_id(type);
  close_id(a);
  return ok ? 0 : -1;
}

/* ---------------------------------------------------------------- table types */

static void table_type_free(table_type *t) {
  close_id(t->mem);
  close_id(t->file);
  t->mem = t->file = H5I_INVALID_HID;
}

/* Builds a row type from its columns, then one double column per parameter of space (if
 * any) at base_size, base_size + 8, ... in memory. */
static int table_type_make(table_type *t, const column *cols, int n_cols, size_t base_size,
                           const mfbo_space *space) {
  int n_params = space ? space->n_params : 0;
  size_t file_size = (size_t)n_params * sizeof(double);
  for (int i = 0; i < n_cols; i++) file_size += H5Tget_size(cols[i].file);
  t->row_size = base_size + (size_t)n_params * sizeof(double);
  t->mem = H5Tcreate(H5T_COMPOUND, t->row_size);
  t->file = H5Tcreate(H5T_COMPOUND, file_size);
  int ok = t->mem >= 0 && t->file >= 0;
  size_t at = 0;
  for (int i = 0; ok && i < n_cols; i++) {
    ok = H5Tinsert(t->mem, cols[i].name, cols[i].offset, cols[i].mem) >= 0 &&
         H5Tinsert(t->file, cols[i].name, at, cols[i].file) >= 0;
    at += H5Tget_size(cols[i].file);
  }
  for (int j = 0; ok && j < n_params; j++) {
    const char *name = space->params[j].name;
    ok = H5Tinsert(t->mem, name, base_size + (size_t)j * sizeof(double), H5T_NATIVE_DOUBLE) >= 0 &&
         H5Tinsert(t->file, name, at, H5T_IEEE_F64LE) >= 0;
    at += sizeof(double);
  }
  if (ok) return 0;
  table_type_free(t);
  return -1;
}

/* The status enum (ok = 0, failed = 1) over an 8-bit integer type. */
static hid_t status_type(hid_t base) {
  hid_t t = H5Tenum_create(base);
  int8_t ok = MFBO_RUN_OK, failed = MFBO_RUN_FAILED;
  if (t >= 0 && (H5Tenum_insert(t, "ok", &ok) < 0 || H5Tenum_insert(t, "failed", &failed) < 0)) {
    H5Tclose(t);
    return H5I_INVALID_HID;
  }
  return t;
}

static int runs_type_make(table_type *t, const mfbo_space *space) {
  hid_t label = fixed_string_type(LABEL_LEN), message = fixed_string_type(MESSAGE_LEN);
  hid_t status_mem = status_type(H5T_NATIVE_INT8), status_file = status_type(H5T_STD_I8LE);
  const column cols[] = {
      {"task_id", offsetof(run_row, task_id), H5T_NATIVE_UINT64, H5T_STD_U64LE},
      {"algorithm", offsetof(run_row, algorithm), label, label},
      {"algorithm_type", offsetof(run_row, algorithm_type), label, label},
      {"seed", offsetof(run_row, seed), H5T_NATIVE_INT64, H5T_STD_I64LE},
      {"instance", offsetof(run_row, instance), H5T_NATIVE_INT32, H5T_STD_I32LE},
      {"status", offsetof(run_row, status), status_mem, status_file},
      {"message", offsetof(run_row, message), message, message},
      {"n_evals", offsetof(run_row, n_evals), H5T_NATIVE_INT64, H5T_STD_I64LE},
      {"cost_s", offsetof(run_row, cost_s), H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE},
      {"incumbent_true_ms", offsetof(run_row, incumbent_true_ms), H5T_NATIVE_DOUBLE,
       H5T_IEEE_F64LE},
      {"regret", offsetof(run_row, regret), H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE},
      {"trace_start", offsetof(run_row, trace_start), H5T_NATIVE_UINT64, H5T_STD_U64LE},
      {"trace_len", offsetof(run_row, trace_len), H5T_NATIVE_UINT64, H5T_STD_U64LE},
  };
  int rc = label < 0 || message < 0 || status_mem < 0 || status_file < 0
               ? -1
               : table_type_make(t, cols, (int)(sizeof cols / sizeof *cols), sizeof(run_row),
                                 space);
  close_id(label);
  close_id(message);
  close_id(status_mem);
  close_id(status_file);
  return rc;
}

static int trace_type_make(table_type *t, const mfbo_space *space) {
  const column cols[] = {
      {"task_id", offsetof(trace_row, task_id), H5T_NATIVE_UINT64, H5T_STD_U64LE},
      {"eval", offsetof(trace_row, eval), H5T_NATIVE_INT64, H5T_STD_I64LE},
      {"fidelity", offsetof(trace_row, fidelity), H5T_NATIVE_INT32, H5T_STD_I32LE},
      {"measured_ms", offsetof(trace_row, measured_ms), H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE},
      {"true_ms", offsetof(trace_row, true_ms), H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE},
      {"cost_s", offsetof(trace_row, cost_s), H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE},
      {"cum_cost_s", offsetof(trace_row, cum_cost_s), H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE},
      {"incumbent_true_ms", offsetof(trace_row, incumbent_true_ms), H5T_NATIVE_DOUBLE,
       H5T_IEEE_F64LE},
  };
  return table_type_make(t, cols, (int)(sizeof cols / sizeof *cols), sizeof(trace_row), space);
}

static int timing_type_make(table_type *t) {
  const column cols[] = {
      {"task_id", offsetof(timing_row, task_id), H5T_NATIVE_UINT64, H5T_STD_U64LE},
      {"rank", offsetof(timing_row, rank), H5T_NATIVE_INT32, H5T_STD_I32LE},
      {"wall_s", offsetof(timing_row, wall_s), H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE},
  };
  return table_type_make(t, cols, (int)(sizeof cols / sizeof *cols), sizeof(timing_row), NULL);
}

static int instances_type_make(table_type *t, const mfbo_space *space) {
  const column cols[] = {
      {"instance", offsetof(instance_row, instance), H5T_NATIVE_INT32, H5T_STD_I32LE},
      {"optimum_ms", offsetof(instance_row, optimum_ms), H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE},
      {"size", offsetof(instance_row, size), H5T_NATIVE_UINT64, H5T_STD_U64LE},
  };
  return table_type_make(t, cols, (int)(sizeof cols / sizeof *cols), sizeof(instance_row),
                         space);
}

/* A memory type for reading four columns of /runs (the file type is not needed). */
static int index_type_make(table_type *t) {
  const column cols[] = {
      {"task_id", offsetof(index_row, task_id), H5T_NATIVE_UINT64, H5T_STD_U64LE},
      {"n_evals", offsetof(index_row, n_evals), H5T_NATIVE_INT64, H5T_STD_I64LE},
      {"trace_start", offsetof(index_row, trace_start), H5T_NATIVE_UINT64, H5T_STD_U64LE},
      {"trace_len", offsetof(index_row, trace_len), H5T_NATIVE_UINT64, H5T_STD_U64LE},
  };
  return table_type_make(t, cols, (int)(sizeof cols / sizeof *cols), sizeof(index_row), NULL);
}

/* ---------------------------------------------------------------- tables */

/* A dataset access list with a chunk cache of cache_bytes (0: HDF5's default, 1 MB). */
static hid_t access_list(size_t cache_bytes) {
  hid_t dapl = H5Pcreate(H5P_DATASET_ACCESS);
  if (dapl >= 0 && cache_bytes && H5Pset_chunk_cache(dapl, 10007, cache_bytes, 0.75) < 0) {
    H5Pclose(dapl);
    return H5I_INVALID_HID;
  }
  return dapl;
}

/* An empty table: chunked, extendible without limit, compressed, opened with a chunk cache
 * of cache_bytes. Unwritten rows read as task_id = NO_TASK when the table's first column is
 * task_id (fill_task). */
static hid_t table_create(hid_t loc, const char *name, const table_type *t, hsize_t chunk_rows,
                          int fill_task, size_t cache_bytes) {
  hsize_t dims = 0, max = H5S_UNLIMITED;
  chunk_rows = chunk_rows ? chunk_rows : 1;
  hid_t space = H5Screate_simple(1, &dims, &max);
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  hid_t dapl = access_list(cache_bytes);
  void *fill = calloc(1, t->row_size);
  hid_t d = H5I_INVALID_HID;
  if (fill && fill_task) *(uint64_t *)fill = NO_TASK;
  if (space >= 0 && dcpl >= 0 && dapl >= 0 && fill && H5Pset_chunk(dcpl, 1, &chunk_rows) >= 0 &&
      H5Pset_shuffle(dcpl) >= 0 && H5Pset_deflate(dcpl, DEFLATE_LEVEL) >= 0 &&
      H5Pset_fill_value(dcpl, t->mem, fill) >= 0 && H5Pset_obj_track_times(dcpl, 0) >= 0)
    d = H5Dcreate2(loc, name, t->file, space, H5P_DEFAULT, dcpl, dapl);
  free(fill);
  close_id(dapl);
  close_id(dcpl);
  close_id(space);
  return d;
}

/* Opens a table with a chunk cache of cache_bytes. */
static hid_t table_open(hid_t loc, const char *name, size_t cache_bytes) {
  hid_t dapl = access_list(cache_bytes);
  hid_t d = dapl < 0 ? H5I_INVALID_HID : H5Dopen2(loc, name, dapl);
  close_id(dapl);
  return d;
}

static int table_rows(hid_t d, hsize_t *n) {
  hid_t space = H5Dget_space(d);
  int rc = space >= 0 && H5Sget_simple_extent_ndims(space) == 1 &&
                   H5Sget_simple_extent_dims(space, n, NULL) == 1
               ? 0
               : -1;
  close_id(space);
  return rc;
}

/* A transfer list whose conversion buffer fits n rows: HDF5 would otherwise clear a 1 MB
 * buffer for each of the small writes a task makes. */
static hid_t transfer_list(hid_t mem, hsize_t n) {
  size_t need = (size_t)n * 2 * H5Tget_size(mem);
  size_t size = need < 4096 ? 4096 : need > (1u << 20) ? (1u << 20) : need;
  hid_t dxpl = H5Pcreate(H5P_DATASET_XFER);
  if (dxpl >= 0 && H5Pset_buffer(dxpl, size, NULL, NULL) < 0) {
    H5Pclose(dxpl);
    return H5I_INVALID_HID;
  }
  return dxpl;
}

/* Reads or writes rows [start, start + n) of a table in the memory type mem. */
static int table_io(hid_t d, hid_t mem, hsize_t start, hsize_t n, void *rows, int write) {
  if (n == 0) return 0;
  hid_t fspace = H5Dget_space(d);
  hid_t mspace = H5Screate_simple(1, &n, NULL);
  hid_t dxpl = transfer_list(mem, n);
  int ok = fspace >= 0 && mspace >= 0 && dxpl >= 0 &&
           H5Sselect_hyperslab(fspace, H5S_SELECT_SET, &start, NULL, &n, NULL) >= 0 &&
           (write ? H5Dwrite(d, mem, mspace, fspace, dxpl, rows)
                  : H5Dread(d, mem, mspace, fspace, dxpl, rows)) >= 0;
  close_id(dxpl);
  close_id(mspace);
  close_id(fspace);
  return ok ? 0 : -1;
}

/* Appends n rows at the end of a table; *first is where they start. */
static int table_append(hid_t d, const table_type *t, const void *rows, hsize_t n,
                        hsize_t *first) {
  hsize_t at;
  if (table_rows(d, &at) != 0) return -1;
  if (first) *first = at;
  if (n == 0) return 0;
  hsize_t size = at + n;
  if (H5Dset_extent(d, &size) < 0) return -1;
  return table_io(d, t->mem, at, n, (void *)rows, 1);
}

/* A small 1-D dataset written at once (chunked and extendible like every dataset). */
static int array_write(hid_t loc, const char *name, hid_t file_type, hid_t mem_type,
                       const void *buf, hsize_t n) {
  hsize_t zero = 0, max = H5S_UNLIMITED, chunk = n ? n : 1;
  hid_t space = H5Screate_simple(1, &zero, &max);
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  hid_t d = H5I_INVALID_HID;
  if (space >= 0 && dcpl >= 0 && H5Pset_chunk(dcpl, 1, &chunk) >= 0 &&
      H5Pset_obj_track_times(dcpl, 0) >= 0)
    d = H5Dcreate2(loc, name, file_type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  int ok = d >= 0 && H5Dset_extent(d, &n) >= 0 && table_io(d, mem_type, 0, n, (void *)buf, 1) == 0;
  close_id(d);
  close_id(dcpl);
  close_id(space);
  return ok ? 0 : -1;
}

/* ---------------------------------------------------------------- the store object */

static void store_close_file(mfbo_store *s) {
  close_id(s->runs);
  close_id(s->trace);
  close_id(s->timing);
  close_id(s->file);
  s->runs = s->trace = s->timing = s->file = H5I_INVALID_HID;
}

static void store_free(mfbo_store *s) {
  if (!s) return;
  store_close_file(s);
  table_type_free(&s->runs_t);
  table_type_free(&s->trace_t);
  table_type_free(&s->timing_t);
  table_type_free(&s->instances_t);
  table_type_free(&s->index_t);
  free(s->row_of_task);
  free(s->path);
  free(s->partial);
  free(s->tmp);
  free(s);
}

/* The names a parameter column cannot take (they are columns of the same tables). */
static int reserved_name(const char *name) {
  static const char *const names[] = {
      "task_id",     "algorithm",  "algorithm_type", "seed",       "instance",
      "status",      "message",    "n_evals",        "cost_s",     "incumbent_true_ms",
      "regret",      "trace_start", "trace_len",     "eval",       "fidelity",
      "measured_ms", "true_ms",    "cum_cost_s",     "optimum_ms", "size",
      NULL};
  for (int i = 0; names[i]; i++)
    if (strcmp(name, names[i]) == 0) return 1;
  return 0;
}

/* Every instance must have the first one's parameters, with usable names. */
static int check_parameters(const mfbo_store *s, mfbo_error *err) {
  const mfbo_space *first = s->space;
  for (int j = 0; j < first->n_params; j++) {
    const char *name = first->params[j].name;
    if (reserved_name(name))
      return store_fail(err, s->path, "the parameter '%s' has the name of a results column",
                        name);
    if (!name[0] || strchr(name, '/') || strcmp(name, ".") == 0)
      return store_fail(err, s->path, "the parameter name '%s' cannot name an HDF5 dataset",
                        name);
  }
  for (int i = 1; i < s->job->n_instances; i++) {
    const mfbo_space *sp = s->benches[i]->space;
    int same = sp->n_params == first->n_params;
    for (int j = 0; same && j < sp->n_params; j++)
      same = strcmp(sp->params[j].name, first->params[j].name) == 0;
    if (!same)
      return store_fail(err, s->path, "benchmark instance %d does not have the parameters of "
                        "instance %d", s->job->instances[i], s->job->instances[0]);
  }
  return 0;
}

static mfbo_store *store_alloc(const char *path, const mfbo_job *job,
                               mfbo_benchmark *const *benches, mfbo_error *err) {
  mfbo_store *s = calloc(1, sizeof *s);
  if (!s) {
    store_fail(err, path, "out of memory");
    return NULL;
  }
  s->file = s->runs = s->trace = s->timing = H5I_INVALID_HID;
  table_type *types[] = {&s->runs_t, &s->trace_t, &s->timing_t, &s->instances_t, &s->index_t};
  for (size_t i = 0; i < sizeof types / sizeof *types; i++)
    types[i]->mem = types[i]->file = H5I_INVALID_HID;
  s->job = job;
  s->benches = benches;
  s->space = benches[0]->space;
  s->n_params = s->space->n_params;
  s->n_tasks = (uint64_t)job->n_instances * (uint64_t)job->n_algorithms * (uint64_t)job->n_seeds;
  s->path = strdup(path);
  s->partial = concat(path, ".partial");
  s->tmp = concat(path, ".tmp");
  s->row_of_task = malloc((size_t)(s->n_tasks ? s->n_tasks : 1) * sizeof *s->row_of_task);
  if (!s->path || !s->partial || !s->tmp || !s->row_of_task) {
    store_fail(err, path, "out of memory");
    store_free(s);
    return NULL;
  }
  for (uint64_t t = 0; t < s->n_tasks; t++) s->row_of_task[t] = -1;
  if (check_parameters(s, err) != 0) {
    store_free(s);
    return NULL;
  }
  if (runs_type_make(&s->runs_t, s->space) || trace_type_make(&s->trace_t, s->space) ||
      timing_type_make(&s->timing_t) || instances_type_make(&s->instances_t, s->space) ||
      index_type_make(&s->index_t)) {
    h5_fail(err, path, "cannot build the table types");
    store_free(s);
    return NULL;
  }
  return s;
}

/* ---------------------------------------------------------------- creating the partial */

static const char *const kind_names[] = {"pow2", "int", "enum", "bool"};

static void session_line(char *buf, size_t len, const char *what, const mfbo_provenance *prov) {
  char now[32];
  utc_now(now);
  snprintf(buf, len, "%s %s by mfbo-sweep %s (git %s) on %d MPI rank(s): %s\n", now, what,
           MFBO_VERSION, MFBO_GIT_REVISION, prov ? prov->mpi_ranks : 1,
           prov && prov->command_line ? prov->command_line : "");
}

/* Adds a line to the root attribute `sessions` (one line per session that wrote the file). */
static int add_session(hid_t file, const char *what, const mfbo_provenance *prov) {
  char line[2048];
  session_line(line, sizeof line, what, prov);
  char *old = NULL;
  attr_read_str(file, "sessions", &old);
  char *text = concat(old ? old : "", line);
  free(old);
  int rc = text ? attr_str(file, "sessions", text) : -1;
  free(text);
  return rc;
}

static int write_root_attributes(hid_t f, const mfbo_store *s, const mfbo_provenance *prov) {
  char now[32], hdf5[32];
  unsigned maj = 0, min = 0, rel = 0;
  utc_now(now);
  H5get_libversion(&maj, &min, &rel);
  snprintf(hdf5, sizeof hdf5, "%u.%u.%u", maj, min, rel);
  const mfbo_job *job = s->job;
  int failed = attr_str(f, "format", FORMAT_NAME) ||
               attr_int(f, "format_version", MFBO_FORMAT_VERSION) ||
               attr_str(f, "program_version", MFBO_VERSION) ||
               attr_str(f, "git_revision", MFBO_GIT_REVISION) || attr_str(f, "created_utc", now) ||
               attr_str(f, "command_line", prov ? prov->command_line : "") ||
               attr_int(f, "mpi_ranks", prov ? prov->mpi_ranks : 1) ||
               attr_str(f, "mpi_library", prov ? prov->mpi_library : "") ||
               attr_str(f, "hdf5_version", hdf5) || attr_str(f, "gsl_version", gsl_version) ||
               attr_str(f, "job", job->text) || attr_str(f, "job_path", job->path) ||
               attr_str(f, "sweep_name", job->name) || attr_u64(f, "n_tasks", s->n_tasks) ||
               add_session(f, "created", prov);
  return failed ? -1 : 0;
}

/* /benchmark/values/NAME and, for string enums, /benchmark/labels/NAME. */
static int write_parameter_values(hid_t bench, const mfbo_space *space) {
  hid_t values = H5Gcreate2(bench, "values", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  hid_t labels = H5Gcreate2(bench, "labels", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  hid_t str = vl_string_type();
  int ok = values >= 0 && labels >= 0 && str >= 0;
  for (int j = 0; ok && j < space->n_params; j++) {
    const mfbo_param *p = &space->params[j];
    ok = array_write(values, p->name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, p->values,
                     (hsize_t)p->n_values) == 0;
    if (ok && p->labels)
      ok = array_write(labels, p->name, str, str, p->labels, (hsize_t)p->n_values) == 0;
  }
  close_id(str);
  close_id(labels);
  close_id(values);
  return ok ? 0 : -1;
}

static int write_parameter_attributes(hid_t bench, const mfbo_space *space) {
  int n = space->n_params;
  const char **names = malloc((size_t)(n ? n : 1) * sizeof *names);
  const char **kinds = malloc((size_t)(n ? n : 1) * sizeof *kinds);
  int rc = -1;
  if (names && kinds) {
    for (int j = 0; j < n; j++) {
      names[j] = space->params[j].name;
      kinds[j] = kind_names[space->params[j].kind];
    }
    rc = attr_strings(bench, "parameter_names", names, (hsize_t)n) ||
                 attr_strings(bench, "parameter_kinds", kinds, (hsize_t)n)
             ? -1
             : 0;
  }
  free(names);
  free(kinds);
  return rc;
}

/* One row per instance: its number, optimum, size and the optimum's values. */
static int write_instances(hid_t bench, const mfbo_store *s) {
  const table_type *t = &s->instances_t;
  int n = s->job->n_instances;
  unsigned char *rows = calloc((size_t)n, t->row_size);
  int *cfg = malloc((size_t)(s->n_params ? s->n_params : 1) * sizeof *cfg);
  int rc = -1;
  if (rows && cfg) {
    for (int i = 0; i < n; i++) {
      const mfbo_benchmark *b = s->benches[i];
      instance_row *row = (instance_row *)(rows + (size_t)i * t->row_size);
      double *values = (double *)(row + 1);
      row->instance = s->job->instances[i];
      row->optimum_ms = b->optimum_ms;
      row->size = mfbo_space_size(b->space);
      if (b->optimum_index >= 0) mfbo_space_point(b->space, (uint64_t)b->optimum_index, cfg);
      for (int j = 0; j < s->n_params; j++)
        values[j] = b->optimum_index >= 0 ? mfbo_space_value(b->space, cfg, j) : NAN;
    }
    hid_t d = table_create(bench, "instances", t, (hsize_t)n, 0, 0);
    rc = d >= 0 && table_append(d, t, rows, (hsize_t)n, NULL) == 0 ? 0 : -1;
    close_id(d);
  }
  free(rows);
  free(cfg);
  return rc;
}

static int write_benchmark(hid_t f, const mfbo_store *s) {
  const mfbo_job *job = s->job;
  char *settings = mfbo_settings_canonical(&job->benchmark);
  char *space_settings = mfbo_settings_canonical(&job->space);
  hid_t g = H5Gcreate2(f, "benchmark", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  int failed = !settings || !space_settings || g < 0 ||
               attr_str(g, "name", s->benches[0]->type->name) ||
               attr_str(g, "settings", settings) || attr_str(g, "space_settings", space_settings) ||
               attr_double(g, "optimum_ms", s->benches[0]->optimum_ms) ||
               write_parameter_attributes(g, s->space) || write_parameter_values(g, s->space) ||
               write_instances(g, s);
  close_id(g);
  free(settings);
  free(space_settings);
  return failed ? -1 : 0;
}

static hsize_t at_most(hsize_t rows, uint64_t n) { return n < rows ? (hsize_t)n : rows; }

/* Creates /runs, /trace and /timing in f, with the partial's chunks or the complete
 * file's. */
static int create_tables(const mfbo_store *s, hid_t f, int partial, hid_t *runs, hid_t *trace,
                         hid_t *timing) {
  hsize_t rows = at_most(partial ? PARTIAL_TABLE_CHUNK_ROWS : TABLE_CHUNK_ROWS, s->n_tasks);
  hsize_t trace_rows = partial ? PARTIAL_TRACE_CHUNK_ROWS : TRACE_CHUNK_ROWS;
  *runs = table_create(f, "runs", &s->runs_t, rows, 1, 0);
  *trace = table_create(f, "trace", &s->trace_t, trace_rows, 1, TRACE_CACHE_BYTES);
  *timing = table_create(f, "timing", &s->timing_t, rows, 1, 0);
  return *runs >= 0 && *trace >= 0 && *timing >= 0 ? 0 : -1;
}

static int create_partial(mfbo_store *s, const mfbo_provenance *prov, mfbo_error *err) {
  s->file = H5Fcreate(s->partial, H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT);
  if (s->file < 0) return h5_fail(err, s->path, "cannot create %s", s->partial);
  if (write_root_attributes(s->file, s, prov) != 0 || write_benchmark(s->file, s) != 0 ||
      create_tables(s, s->file, 1, &s->runs, &s->trace, &s->timing) != 0 ||
      H5Fflush(s->file, H5F_SCOPE_GLOBAL) < 0) {
    h5_fail(err, s->path, "cannot write %s", s->partial);
    store_close_file(s);
    unlink(s->partial);
    return -1;
  }
  return 0;
}

/* ---------------------------------------------------------------- opening existing files */

/* Is f an mfbo-sweep file of a format this program reads, made from this job? */
static int check_identity(const mfbo_store *s, hid_t f, const char *name, mfbo_error *err) {
  char *format = NULL, *job = NULL;
  long version = 0;
  int rc = 0;
  if (attr_read_str(f, "format", &format) != 0 || strcmp(format, FORMAT_NAME) != 0 ||
      attr_read_long(f, "format_version", &version) != 0 || version < 1)
    rc = store_fail(err, s->path, "%s is not an mfbo-sweep results file", name);
  else if (version > MFBO_FORMAT_VERSION)
    rc = store_fail(err, s->path, "%s has format version %ld, newer than this program's (%d): "
                    "use a newer mfbo-sweep", name, version, MFBO_FORMAT_VERSION);
  else if (attr_read_str(f, "job", &job) != 0 || strcmp(job, s->job->text) != 0)
    rc = store_fail(err, s->path, "%s was made from a different job (its job text differs); "
                    "use a new output file or --force", name);
  free(format);
  free(job);
  H5Eclear2(H5E_DEFAULT);
  return rc;
}

/* Opens an existing results file and checks that it is ours and of this job. */
static hid_t open_checked(const mfbo_store *s, const char *name, unsigned flags,
                          mfbo_error *err) {
  htri_t is_hdf5 = H5Fis_hdf5(name);
  if (is_hdf5 == 0) {
    store_fail(err, s->path, "%s is not an HDF5 file", name);
    return H5I_INVALID_HID;
  }
  hid_t f = is_hdf5 > 0 ? H5Fopen(name, flags, H5P_DEFAULT) : H5I_INVALID_HID;
  if (f < 0) {
    h5_fail(err, s->path, "cannot open %s%s", name,
            flags == H5F_ACC_RDWR ? " for writing (is another mfbo-sweep writing it?)" : "");
    return H5I_INVALID_HID;
  }
  if (check_identity(s, f, name, err) != 0) {
    H5Fclose(f);
    return H5I_INVALID_HID;
  }
  return f;
}

static int same_type(hid_t d, hid_t expected) {
  hid_t t = H5Dget_type(d);
  int same = t >= 0 && H5Tequal(t, expected) > 0;
  close_id(t);
  return same;
}

/* A row of /runs counts only if it is whole: a writer killed during a flush may leave rows
 * that were never written (task_id = NO_TASK) or whose trace is cut. */
static int row_is_whole(const mfbo_store *s, const index_row *r, hsize_t n_trace) {
  return r->task_id < s->n_tasks && r->n_evals >= 0 && (uint64_t)r->n_evals == r->trace_len &&
         r->trace_start <= n_trace && r->trace_len <= n_trace - r->trace_start;
}

/* Learns which tasks the partial already has. */
static int load_index(mfbo_store *s) {
  hsize_t n_runs, n_trace;
  if (table_rows(s->runs, &n_runs) != 0 || table_rows(s->trace, &n_trace) != 0) return -1;
  index_row *rows = malloc((size_t)(n_runs ? n_runs : 1) * sizeof *rows);
  if (!rows || table_io(s->runs, s->index_t.mem, 0, n_runs, rows, 0) != 0) {
    free(rows);
    return -1;
  }
  for (hsize_t i = 0; i < n_runs; i++) {
    if (!row_is_whole(s, &rows[i], n_trace)) continue;
    if (s->row_of_task[rows[i].task_id] < 0) s->n_done++;
    s->row_of_task[rows[i].task_id] = (int64_t)i;
  }
  free(rows);
  return 0;
}

static int open_partial(mfbo_store *s, const mfbo_provenance *prov, mfbo_error *err) {
  s->file = open_checked(s, s->partial, H5F_ACC_RDWR, err);
  if (s->file < 0) return -1;
  s->runs = table_open(s->file, "runs", 0);
  s->trace = table_open(s->file, "trace", TRACE_CACHE_BYTES);
  s->timing = table_open(s->file, "timing", 0);
  if (s->runs < 0 || s->trace < 0 || s->timing < 0 || !same_type(s->runs, s->runs_t.file) ||
      !same_type(s->trace, s->trace_t.file) || !same_type(s->timing, s->timing_t.file)) {
    H5Eclear2(H5E_DEFAULT);
    store_close_file(s);
    return store_fail(err, s->path, "%s does not have the tables this program writes (made by "
                      "another version?): use a new output file or --force", s->partial);
  }
  if (load_index(s) != 0 || add_session(s->file, "resumed", prov) != 0 ||
      H5Fflush(s->file, H5F_SCOPE_GLOBAL) < 0) {
    h5_fail(err, s->path, "cannot read %s", s->partial);
    store_close_file(s);
    return -1;
  }
  return 0;
}

/* FILE is complete: check it and write nothing. */
static int open_complete(mfbo_store *s, mfbo_error *err) {
  hid_t f = open_checked(s, s->path, H5F_ACC_RDONLY, err);
  if (f < 0) return -1;
  H5Fclose(f);
  s->complete = 1;
  s->n_done = s->n_tasks;
  return 0;
}

static int open_resume(mfbo_store *s, const mfbo_provenance *prov, mfbo_error *err) {
  int have_partial = exists(s->partial), have_file = exists(s->path);
  if (have_file) {
    if (open_complete(s, err) != 0) return -1;
    /* a finish that was stopped between its rename and its unlink leaves a stale partial */
    if (have_partial) unlink(s->partial);
    return 0;
  }
  if (have_partial) return open_partial(s, prov, err);
  return create_partial(s, prov, err);
}

static int refuse_existing(const mfbo_store *s, mfbo_error *err) {
  const char *found = exists(s->path) ? s->path : exists(s->partial) ? s->partial : NULL;
  if (!found) return 0;
  return store_fail(err, s->path, "%s exists: use --resume to continue it or --force to "
                    "replace it", found);
}

static int remove_old(const mfbo_store *s, mfbo_error *err) {
  const char *names[] = {s->path, s->partial, s->tmp};
  for (int i = 0; i < 3; i++)
    if (unlink(names[i]) != 0 && errno != ENOENT)
      return store_fail(err, s->path, "cannot remove %s: %s", names[i], strerror(errno));
  return 0;
}

/* The results file's directory must exist, and be writable if writable is set. */
static int check_directory(const mfbo_store *s, int writable, mfbo_error *err) {
  char *dir = directory_of(s->path);
  struct stat st;
  int rc = 0;
  if (!dir)
    rc = store_fail(err, s->path, "out of memory");
  else if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
    rc = store_fail(err, s->path, "the directory %s does not exist", dir);
  else if (writable && access(dir, W_OK) != 0)
    rc = store_fail(err, s->path, "cannot write in the directory %s: %s", dir, strerror(errno));
  free(dir);
  return rc;
}

mfbo_store *mfbo_store_open(const char *path, const mfbo_job *job,
                            mfbo_benchmark *const *benches, const mfbo_provenance *prov,
                            mfbo_store_mode mode, mfbo_error *err) {
  mfbo_error local;
  if (!err) err = &local;
  mfbo_error_clear(err);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* failures become mfbo_errors, not stack dumps */
  mfbo_store *s = store_alloc(path, job, benches, err);
  if (!s) return NULL;
  /* resuming a complete file writes nothing: a read-only directory is fine then */
  int read_only = mode == MFBO_STORE_RESUME && exists(s->path);
  int rc = check_directory(s, !read_only, err);
  if (rc == 0 && mode == MFBO_STORE_NEW)
    rc = refuse_existing(s, err) != 0 ? -1 : create_partial(s, prov, err);
  else if (rc == 0 && mode == MFBO_STORE_FORCE)
    rc = remove_old(s, err) != 0 ? -1 : create_partial(s, prov, err);
  else if (rc == 0)
    rc = open_resume(s, prov, err);
  if (rc != 0) {
    store_free(s);
    return NULL;
  }
  return s;
}

int mfbo_store_complete(const mfbo_store *s) { return s->complete; }

int mfbo_store_has_task(const mfbo_store *s, uint64_t task_id) {
  if (task_id >= s->n_tasks) return 0;
  return s->complete || s->row_of_task[task_id] >= 0;
}

uint64_t mfbo_store_n_done(const mfbo_store *s) { return s->n_done; }

/* ---------------------------------------------------------------- appending a task */

static void parameter_values(const mfbo_space *space, const int *cfg, double *out) {
  for (int j = 0; j < space->n_params; j++)
    out[j] = cfg ? mfbo_space_value(space, cfg, j) : NAN;
}

static void fill_run_row(const mfbo_store *s, const mfbo_task *task, const mfbo_run_result *r,
                         hsize_t trace_start, run_row *row) {
  const mfbo_job_algorithm *a = &s->job->algorithms[task->algorithm_index];
  memset(row, 0, s->runs_t.row_size);
  row->task_id = task->task_id;
  copy_text(row->algorithm, LABEL_LEN, a->label);
  copy_text(row->algorithm_type, LABEL_LEN, a->type->name);
  row->seed = task->seed;
  row->instance = s->job->instances[task->instance_index];
  row->status = (int8_t)r->status;
  copy_text(row->message, MESSAGE_LEN, r->message);
  row->n_evals = r->n_evals;
  row->cost_s = r->cost_s;
  row->incumbent_true_ms = r->has_incumbent ? r->incumbent_true_ms : INFINITY;
  row->regret = r->regret;
  row->trace_start = trace_start;
  row->trace_len = (uint64_t)r->n_evals;
  parameter_values(s->benches[task->instance_index]->space,
                   r->has_incumbent ? r->incumbent_cfg : NULL, (double *)(row + 1));
}

/* Fills rows [from, from + n) of a task's trace as stored rows. */
static void fill_trace_rows(const mfbo_store *s, const mfbo_task *task, const mfbo_run_result *r,
                            size_t from, size_t n, unsigned char *rows) {
  const mfbo_space *space = s->benches[task->instance_index]->space;
  for (size_t i = 0; i < n; i++) {
    const mfbo_trace_row *in = &r->trace[from + i];
    trace_row *row = (trace_row *)(rows + i * s->trace_t.row_size);
    *row = (trace_row){.task_id = task->task_id, .eval = in->eval, .fidelity = in->fidelity,
                       .measured_ms = in->measured_ms, .true_ms = in->true_ms,
                       .cost_s = in->cost_s, .cum_cost_s = in->cum_cost_s,
                       .incumbent_true_ms = in->incumbent_true_ms};
    parameter_values(space, r->trace_cfg + (from + i) * (size_t)s->n_params,
                     (double *)(row + 1));
  }
}

/* Appends the task's evaluations to /trace, TRACE_BLOCK_ROWS at a time; *start is the row of
 * the first. */
static int append_trace(mfbo_store *s, const mfbo_task *task, const mfbo_run_result *r,
                        hsize_t *start) {
  size_t n = (size_t)r->n_evals;
  unsigned char *rows = malloc(TRACE_BLOCK_ROWS * s->trace_t.row_size);
  if (!rows || table_rows(s->trace, start) != 0) {
    free(rows);
    return -1;
  }
  int rc = 0;
  for (size_t from = 0; rc == 0 && from < n; from += TRACE_BLOCK_ROWS) {
    size_t k = n - from < TRACE_BLOCK_ROWS ? n - from : TRACE_BLOCK_ROWS;
    fill_trace_rows(s, task, r, from, k, rows);
    rc = table_append(s->trace, &s->trace_t, rows, k, NULL);
  }
  free(rows);
  return rc;
}

static int check_task(const mfbo_store *s, const mfbo_task *task, const mfbo_run_result *r,
                      mfbo_error *err) {
  if (s->complete)
    return store_fail(err, s->path, "the results file is complete: nothing can be added");
  if (task->task_id >= s->n_tasks || task->instance_index < 0 ||
      task->instance_index >= s->job->n_instances || task->algorithm_index < 0 ||
      task->algorithm_index >= s->job->n_algorithms)
    return store_fail(err, s->path, "task %" PRIu64 " is not a task of this job", task->task_id);
  if (s->row_of_task[task->task_id] >= 0)
    return store_fail(err, s->path, "task %" PRIu64 " is already stored", task->task_id);
  if (r->n_params != s->n_params || r->n_evals < 0 || (r->n_evals > 0 && !r->trace))
    return store_fail(err, s->path, "the result of task %" PRIu64 " does not fit the benchmark",
                      task->task_id);
  return 0;
}

int mfbo_store_append(mfbo_store *s, const mfbo_task *task, const mfbo_run_result *r,
                      double wall_s, int rank, mfbo_error *err) {
  mfbo_error local;
  if (!err) err = &local;
  if (check_task(s, task, r, err) != 0) return -1;
  hsize_t trace_start, row;
  run_row *run = malloc(s->runs_t.row_size);
  timing_row timing = {.task_id = task->task_id, .rank = rank, .wall_s = wall_s};
  /* /runs last: a task counts as stored once its /runs row is */
  int rc = !run || append_trace(s, task, r, &trace_start) != 0 ||
                   table_append(s->timing, &s->timing_t, &timing, 1, NULL) != 0
               ? -1
               : 0;
  if (rc == 0) {
    fill_run_row(s, task, r, trace_start, run);
    rc = table_append(s->runs, &s->runs_t, run, 1, &row) != 0 ||
                 H5Fflush(s->file, H5F_SCOPE_GLOBAL) < 0
             ? -1
             : 0;
  }
  free(run);
  if (rc != 0)
    return h5_fail(err, s->path, "cannot store task %" PRIu64 " in %s", task->task_id,
                   s->partial);
  s->row_of_task[task->task_id] = (int64_t)row;
  s->n_done++;
  return 0;
}

/* ---------------------------------------------------------------- finishing */

/* The output side of a rewrite: /runs rows wait in a batch, traces go straight through. */
typedef struct {
  hid_t runs, trace, timing;
  unsigned char *batch;       /* TABLE_CHUNK_ROWS rows of /runs */
  hsize_t n_batch;
  unsigned char *trace_block; /* TRACE_BLOCK_ROWS rows of /trace */
} rewrite;

static int flush_runs(const mfbo_store *s, rewrite *w) {
  int rc = table_append(w->runs, &s->runs_t, w->batch, w->n_batch, NULL);
  w->n_batch = 0;
  return rc;
}

/* Copies one task's /runs row and its trace rows (read by hyperslab, TRACE_BLOCK_ROWS at a
 * time) into the new file. */
static int copy_task(const mfbo_store *s, uint64_t task_id, rewrite *w) {
  run_row *row = (run_row *)(w->batch + w->n_batch * s->runs_t.row_size);
  hsize_t start;
  if (table_io(s->runs, s->runs_t.mem, (hsize_t)s->row_of_task[task_id], 1, row, 0) != 0 ||
      table_rows(w->trace, &start) != 0)
    return -1;
  int rc = 0;
  for (hsize_t from = 0; rc == 0 && from < row->trace_len; from += TRACE_BLOCK_ROWS) {
    hsize_t k = row->trace_len - from < TRACE_BLOCK_ROWS ? row->trace_len - from
                                                         : TRACE_BLOCK_ROWS;
    rc = table_io(s->trace, s->trace_t.mem, row->trace_start + from, k, w->trace_block, 0) ||
         table_append(w->trace, &s->trace_t, w->trace_block, k, NULL);
  }
  if (rc != 0) return -1;
  row->trace_start = start;
  return ++w->n_batch == TABLE_CHUNK_ROWS ? flush_runs(s, w) : 0;
}

/* /timing in task_id order: the last row the partial has for each task. */
static int copy_timing(const mfbo_store *s, rewrite *w) {
  hsize_t n;
  if (table_rows(s->timing, &n) != 0) return -1;
  timing_row *in = malloc((size_t)(n ? n : 1) * sizeof *in);
  timing_row *out = malloc((size_t)(s->n_tasks ? s->n_tasks : 1) * sizeof *out);
  int rc = -1;
  if (in && out && table_io(s->timing, s->timing_t.mem, 0, n, in, 0) == 0) {
    for (uint64_t t = 0; t < s->n_tasks; t++)
      out[t] = (timing_row){.task_id = t, .rank = -1, .wall_s = NAN};
    for (hsize_t i = 0; i < n; i++)
      if (in[i].task_id < s->n_tasks) out[in[i].task_id] = in[i];
    rc = table_append(w->timing, &s->timing_t, out, s->n_tasks, NULL);
  }
  free(in);
  free(out);
  return rc;
}

static int copy_tables(const mfbo_store *s, hid_t f) {
  rewrite w = {.runs = H5I_INVALID_HID, .trace = H5I_INVALID_HID, .timing = H5I_INVALID_HID,
               .batch = malloc(TABLE_CHUNK_ROWS * s->runs_t.row_size),
               .trace_block = malloc(TRACE_BLOCK_ROWS * s->trace_t.row_size)};
  int rc = w.batch && w.trace_block ? create_tables(s, f, 0, &w.runs, &w.trace, &w.timing) : -1;
  for (uint64_t t = 0; rc == 0 && t < s->n_tasks; t++) rc = copy_task(s, t, &w);
  if (rc == 0) rc = flush_runs(s, &w);
  if (rc == 0) rc = copy_timing(s, &w);
  close_id(w.runs);
  close_id(w.trace);
  close_id(w.timing);
  free(w.batch);
  free(w.trace_block);
  return rc;
}

/* Writes FILE.tmp: the partial's root attributes and /benchmark, the tables in order. */
static int write_complete(const mfbo_store *s) {
  char now[32];
  utc_now(now);
  hid_t f = H5Fcreate(s->tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (f < 0) return -1;
  hid_t dst = f;
  int ok = H5Aiterate2(s->file, H5_INDEX_NAME, H5_ITER_INC, NULL, copy_attribute, &dst) >= 0 &&
           attr_str(f, "finished_utc", now) == 0 &&
           H5Ocopy(s->file, "benchmark", f, "benchmark", H5P_DEFAULT, H5P_DEFAULT) >= 0 &&
           copy_tables(s, f) == 0;
  return H5Fclose(f) >= 0 && ok ? 0 : -1;
}

int mfbo_store_finish(mfbo_store *s, mfbo_error *err) {
  mfbo_error local;
  if (!err) err = &local;
  if (s->complete) return 0;
  if (s->n_done < s->n_tasks)
    return store_fail(err, s->path, "%" PRIu64 " of %" PRIu64 " tasks are missing: the sweep is "
                      "not complete (%s is kept)", s->n_tasks - s->n_done, s->n_tasks, s->partial);
  if (H5Fflush(s->file, H5F_SCOPE_GLOBAL) < 0 || write_complete(s) != 0) {
    h5_fail(err, s->path, "cannot write %s", s->tmp);
    unlink(s->tmp);
    return -1;
  }
  if (fsync_path(s->tmp, 0) != 0 || rename(s->tmp, s->path) != 0) {
    store_fail(err, s->path, "cannot sync and rename %s: %s", s->tmp, strerror(errno));
    unlink(s->tmp);
    return -1;
  }
  char *dir = directory_of(s->path);
  int synced = dir && fsync_path(dir, 1) == 0;
  int saved = errno;
  free(dir);
  store_close_file(s);
  unlink(s->partial);
  s->complete = 1;
  if (!synced)
    return store_fail(err, s->path, "renamed, but cannot sync its directory: %s",
                      strerror(saved));
  return 0;
}

void mfbo_store_close(mfbo_store *s) {
  if (!s) return;
  if (s->file >= 0) H5Fflush(s->file, H5F_SCOPE_GLOBAL);
  store_free(s);
}
