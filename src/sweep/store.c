/* store.c: the results file in HDF5, format version 1 (docs/results-format.md); the only
 * HDF5 writer of the project. While a sweep runs, each finished task goes, packed by
 * mfbo_wire_pack, into the journal FILE.partial (journal.c: not HDF5, since a process killed
 * during HDF5's metadata writes leaves an unreadable file); the journal also keeps one note
 * per session (its provenance). mfbo_store_finish writes FILE.tmp from the journal in task_id
 * order, one task at a time, fsyncs it and renames it to FILE. (Types shared with the reader:
 * src/h5/h5types.c.) Two rules: never keep more
 * than one task's result and one block of rows in memory (a sweep of 10,000 tasks stays far
 * below 100 MB), and
 * nothing that differs between two runs of one job (dates, wall times, ranks, versions)
 * enters /runs, /trace or /benchmark: it lives in the root attributes and /timing. */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
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
#include <zlib.h>

#include "h5types.h"
#include "h5util.h"
#include "mfbo/path.h"
#include "journal.h"
#include "mfbo/version.h"
#include "wire.h"

#ifndef MFBO_VERSION
#define MFBO_VERSION "unknown"
#endif

#define FORMAT_NAME "mfbo-sweep"
#define LABEL_LEN 64    /* /runs algorithm, algorithm_type: null-padded, like MFBO_NAME_MAX */
#define MESSAGE_LEN 256 /* /runs message */
#define TRACE_CHUNK_ROWS 4096 /* chunks of /trace; also the most trace rows in memory at once */
#define TABLE_CHUNK_ROWS 1024 /* chunks of /runs and /timing, and their rows in memory */
#define DEFLATE_LEVEL 4

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
  uint64_t n_tasks;
  mfbo_task *tasks;      /* the job's tasks, by task_id */
  int complete;          /* FILE is complete: nothing to run or write */
  mfbo_journal *journal; /* the open FILE.partial */
  table_type runs_t, trace_t, timing_t, instances_t;
};

/* ---------------------------------------------------------------- errors */


/* HDF5's innermost explanation; of a failed system call, only the system's message (its
 * description spans lines: time, file name, descriptor, errno, message, buffer, sizes). */
static herr_t innermost_error(unsigned n, const H5E_error2_t *e, void *data) {
  if (n != 0 || !e->desc) return 0;
  const char *sys = strstr(e->desc, "error message = '");
  const char *end = sys ? strchr(sys + 17, '\'') : NULL;
  if (sys && end) {
    const char *colon = strchr(e->desc, ':');
    int head = colon && colon < sys ? (int)(colon - e->desc) : 0;
    snprintf(data, 240, "%.*s%s%.*s", head, e->desc, head ? ": " : "", (int)(end - sys - 17),
             sys + 17);
  } else {
    snprintf(data, 240, "%s", e->desc);
  }
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

/* ---------------------------------------------------------------- the library's exit

HDF5 1.10 closes every file still open when the process exits (H5_term_library, an atexit
handler). A file whose H5Fclose failed (ENOSPC while flushing its metadata) stays registered
half torn down, and closing it again at exit crashes (SIGSEGV in H5F__close_cb). So the
library's own handler is replaced by ours, which skips the termination once a close has
failed: the process exits without it, its exit code intact. */

static int h5_close_failed;

static void h5_at_exit(void) {
  if (!h5_close_failed) H5close();
}

/* Before the first HDF5 call of the process (H5dont_atexit works only then). */
static void h5_library_init(void) {
  static int done;
  if (done) return;
  done = 1;
  if (H5dont_atexit() >= 0) atexit(h5_at_exit);
}

/* H5Fclose, remembering a failure (see above). */
static herr_t file_close(hid_t f) {
  herr_t rc = H5Fclose(f);
  if (rc < 0) h5_close_failed = 1;
  return rc;
}

/* ---------------------------------------------------------------- small helpers */

static void utc_now(char buf[32]) {
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
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
  return mfbo_h5_string_type(0, H5T_STR_NULLPAD, H5T_CSET_UTF8);
}

/* A null-padded UTF-8 string of size bytes. */
static hid_t fixed_string_type(size_t size) {
  return mfbo_h5_string_type(size, H5T_STR_NULLPAD, H5T_CSET_UTF8);
}

/* Writes an attribute (replacing one of that name): n values, or a scalar if n == 0. */
static int attr_write(hid_t loc, const char *name, hid_t file_type, hid_t mem_type,
                      const void *buf, hsize_t n) {
  if (H5Aexists(loc, name) > 0 && H5Adelete(loc, name) < 0) return -1;
  hid_t space = n ? H5Screate_simple(1, &n, NULL) : H5Screate(H5S_SCALAR);
  hid_t a = space < 0 ? H5I_INVALID_HID
                      : H5Acreate2(loc, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT);
  int rc = a >= 0 && H5Awrite(a, mem_type, buf) >= 0 ? 0 : -1;
  mfbo_h5_close(a);
  mfbo_h5_close(space);
  return rc;
}

static int attr_strings(hid_t loc, const char *name, const char *const *values, hsize_t n) {
  hid_t t = vl_string_type();
  int rc = t < 0 ? -1 : attr_write(loc, name, t, t, values, n);
  mfbo_h5_close(t);
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
  mfbo_h5_close(mtype);
  mfbo_h5_close(space);
  mfbo_h5_close(ftype);
  mfbo_h5_close(a);
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
  mfbo_h5_close(space);
  mfbo_h5_close(ftype);
  mfbo_h5_close(a);
  return ok ? 0 : -1;
}

/* ---------------------------------------------------------------- table types */

static void table_type_free(table_type *t) {
  mfbo_h5_close(t->mem);
  mfbo_h5_close(t->file);
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

static int runs_type_make(table_type *t, const mfbo_space *space) {
  hid_t label = fixed_string_type(LABEL_LEN), message = fixed_string_type(MESSAGE_LEN);
  hid_t status_mem = mfbo_h5_status_type(H5T_NATIVE_INT8), status_file = mfbo_h5_status_type(H5T_STD_I8LE);
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
  mfbo_h5_close(label);
  mfbo_h5_close(message);
  mfbo_h5_close(status_mem);
  mfbo_h5_close(status_file);
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

/* ---------------------------------------------------------------- tables */

/* An empty table: chunks of chunk_rows rows, extendible without limit, compressed. */
static hid_t table_create(hid_t loc, const char *name, const table_type *t, hsize_t chunk_rows) {
  hsize_t dims = 0, max = H5S_UNLIMITED;
  chunk_rows = chunk_rows ? chunk_rows : 1;
  hid_t space = H5Screate_simple(1, &dims, &max);
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  hid_t d = H5I_INVALID_HID;
  if (space >= 0 && dcpl >= 0 && H5Pset_chunk(dcpl, 1, &chunk_rows) >= 0 &&
      H5Pset_shuffle(dcpl) >= 0 && H5Pset_deflate(dcpl, DEFLATE_LEVEL) >= 0 &&
      H5Pset_obj_track_times(dcpl, 0) >= 0)
    d = H5Dcreate2(loc, name, t->file, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  mfbo_h5_close(dcpl);
  mfbo_h5_close(space);
  return d;
}

/* A transfer list whose conversion buffer fits n rows (at most 1 MB). */
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

/* Writes rows [start, start + n) of a dataset from the memory type mem. */
static int table_write(hid_t d, hid_t mem, hsize_t start, hsize_t n, const void *rows) {
  if (n == 0) return 0;
  hid_t fspace = H5Dget_space(d);
  hid_t mspace = H5Screate_simple(1, &n, NULL);
  hid_t dxpl = transfer_list(mem, n);
  int ok = fspace >= 0 && mspace >= 0 && dxpl >= 0 &&
           H5Sselect_hyperslab(fspace, H5S_SELECT_SET, &start, NULL, &n, NULL) >= 0 &&
           H5Dwrite(d, mem, mspace, fspace, dxpl, rows) >= 0;
  mfbo_h5_close(dxpl);
  mfbo_h5_close(mspace);
  mfbo_h5_close(fspace);
  return ok ? 0 : -1;
}

/* ---- compressing the finish's chunks on several threads. Deflate is most of the time
 * mfbo_store_finish takes (it runs while every rank waits), so full chunks are converted to
 * the file's types here, shuffled and deflated by a pool of threads exactly as HDF5's own
 * filters would (same zlib, same level: the same bytes on disk) and written in order with
 * H5Dwrite_chunk. Only the calling thread calls HDF5 (the library is not thread-safe). */

#define PACK_THREADS_MAX 8

typedef struct {
  hid_t d;
  hsize_t offset, rows; /* the chunk's first row and the rows in use (the rest is zero) */
  size_t raw_size, elem_size;
  unsigned char *raw, *packed;
  uLongf packed_size;
  int state; /* 0 waiting, 1 taken, 2 done, 3 failed */
} chunk_job;

typedef struct {
  pthread_mutex_t lock;
  pthread_cond_t changed;
  chunk_job *jobs; /* a ring of cap jobs: [head, head + n) submitted, in file order */
  int cap, head, n, next; /* next: the first job no thread has taken */
  int n_threads, stop;
  pthread_t threads[PACK_THREADS_MAX];
} packer;

/* HDF5's shuffle filter: byte j of element i goes to j * n + i. */
static void shuffle(const unsigned char *in, unsigned char *out, size_t n, size_t size) {
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < size; j++) out[j * n + i] = in[i * size + j];
}

static void pack_chunk(chunk_job *j) {
  unsigned char *shuffled = malloc(j->raw_size);
  j->packed_size = compressBound((uLong)j->raw_size);
  j->packed = malloc(j->packed_size);
  int ok = shuffled && j->packed;
  if (ok) {
    shuffle(j->raw, shuffled, j->raw_size / j->elem_size, j->elem_size);
    ok = compress2(j->packed, &j->packed_size, shuffled, (uLong)j->raw_size, DEFLATE_LEVEL) ==
         Z_OK;
  }
  free(shuffled);
  free(j->raw);
  j->raw = NULL;
  j->state = ok ? 2 : 3;
}

static void *packer_thread(void *arg) {
  packer *pk = arg;
  pthread_mutex_lock(&pk->lock);
  for (;;) {
    while (!pk->stop && pk->next == pk->head + pk->n) pthread_cond_wait(&pk->changed, &pk->lock);
    if (pk->next == pk->head + pk->n) break; /* stopped, nothing left */
    chunk_job *j = &pk->jobs[pk->next++ % pk->cap];
    j->state = 1;
    pthread_mutex_unlock(&pk->lock);
    pack_chunk(j);
    pthread_mutex_lock(&pk->lock);
    pthread_cond_broadcast(&pk->changed);
  }
  pthread_mutex_unlock(&pk->lock);
  return NULL;
}

/* Threads: the online cores, at most PACK_THREADS_MAX (0 threads: the caller packs). */
static int packer_start(packer *pk) {
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  int want = cores > PACK_THREADS_MAX ? PACK_THREADS_MAX : cores > 1 ? (int)cores : 0;
  *pk = (packer){.cap = 2 * (want ? want : 1)};
  if (!(pk->jobs = calloc((size_t)pk->cap, sizeof *pk->jobs))) return -1;
  pthread_mutex_init(&pk->lock, NULL);
  pthread_cond_init(&pk->changed, NULL);
  while (pk->n_threads < want &&
         pthread_create(&pk->threads[pk->n_threads], NULL, packer_thread, pk) == 0)
    pk->n_threads++;
  return 0;
}

/* Waits for the oldest job and writes it; returns -1 if it could not be packed or written. */
static int packer_write_oldest(packer *pk) {
  pthread_mutex_lock(&pk->lock);
  chunk_job *j = &pk->jobs[pk->head % pk->cap];
  if (pk->n_threads == 0 && j->state == 0) { /* no threads: pack it here */
    pk->next++;
    pthread_mutex_unlock(&pk->lock);
    pack_chunk(j);
    pthread_mutex_lock(&pk->lock);
  }
  while (j->state < 2) pthread_cond_wait(&pk->changed, &pk->lock);
  pthread_mutex_unlock(&pk->lock);
  hsize_t size = j->offset + j->rows;
  int ok = j->state == 2 && H5Dset_extent(j->d, &size) >= 0 &&
           H5Dwrite_chunk(j->d, H5P_DEFAULT, 0, &j->offset, j->packed_size, j->packed) >= 0;
  free(j->packed);
  j->packed = NULL;
  pthread_mutex_lock(&pk->lock);
  pk->head++;
  pk->n--;
  pthread_mutex_unlock(&pk->lock);
  return ok ? 0 : -1;
}

/* Queues a chunk (raw: its rows in the file's type, chunk-sized, taken over); writes the
 * oldest first when the ring is full. */
static int packer_submit(packer *pk, hid_t d, hsize_t offset, hsize_t rows,
                         unsigned char *raw, size_t raw_size, size_t elem_size) {
  int rc = pk->n == pk->cap ? packer_write_oldest(pk) : 0;
  pthread_mutex_lock(&pk->lock);
  pk->jobs[(pk->head + pk->n) % pk->cap] =
      (chunk_job){.d = d, .offset = offset, .rows = rows, .raw = raw, .raw_size = raw_size,
                  .elem_size = elem_size};
  pk->n++;
  pthread_cond_broadcast(&pk->changed);
  pthread_mutex_unlock(&pk->lock);
  return rc;
}

/* Writes every queued chunk (call before the datasets close). */
static int packer_drain(packer *pk) {
  int rc = 0;
  while (pk->n > 0)
    if (packer_write_oldest(pk) != 0) rc = -1;
  return rc;
}

static void packer_stop(packer *pk) {
  pthread_mutex_lock(&pk->lock);
  pk->stop = 1;
  pthread_cond_broadcast(&pk->changed);
  pthread_mutex_unlock(&pk->lock);
  for (int i = 0; i < pk->n_threads; i++) pthread_join(pk->threads[i], NULL);
  for (int i = 0; i < pk->cap; i++) {
    free(pk->jobs[i].raw);
    free(pk->jobs[i].packed);
  }
  free(pk->jobs);
  pthread_cond_destroy(&pk->changed);
  pthread_mutex_destroy(&pk->lock);
}

/* A new table and the rows waiting to be appended to it, written cap at a time: by HDF5, or,
 * with a packer, as whole chunks (cap is then the chunk's rows). */
typedef struct {
  hid_t d;
  const table_type *t;
  unsigned char *rows;
  hsize_t n, cap, written;
  packer *pk;
} appender;

static int appender_open(appender *a, hid_t loc, const char *name, const table_type *t,
                         hsize_t chunk_rows, hsize_t cap) {
  cap = cap ? cap : 1;
  *a = (appender){.t = t, .cap = cap, .rows = malloc((size_t)cap * t->row_size)};
  a->d = table_create(loc, name, t, chunk_rows);
  return a->rows && a->d >= 0 ? 0 : -1;
}

/* The next row to fill; appender_commit adds it. */
static void *appender_row(const appender *a) { return a->rows + a->n * a->t->row_size; }

/* The waiting rows as one chunk in the file's type, handed to the packer. */
static int appender_pack(appender *a) {
  size_t file_size = H5Tget_size(a->t->file), mem_size = a->t->row_size;
  size_t raw_size = (size_t)a->cap * file_size;
  size_t big = (size_t)a->cap * (file_size > mem_size ? file_size : mem_size);
  unsigned char *raw = malloc(big), *background = calloc(1, big);
  int ok = raw && background;
  if (ok) {
    memcpy(raw, a->rows, (size_t)a->n * mem_size);
    ok = H5Tconvert(a->t->mem, a->t->file, (size_t)a->n, raw, background, H5P_DEFAULT) >= 0;
  }
  free(background);
  if (!ok) {
    free(raw);
    return -1;
  }
  memset(raw + (size_t)a->n * file_size, 0, raw_size - (size_t)a->n * file_size);
  return packer_submit(a->pk, a->d, a->written, a->n, raw, raw_size, file_size);
}

static int appender_flush(appender *a) {
  if (a->n == 0) return 0;
  hsize_t size = a->written + a->n;
  if (a->pk ? appender_pack(a) != 0
            : H5Dset_extent(a->d, &size) < 0 ||
                  table_write(a->d, a->t->mem, a->written, a->n, a->rows))
    return -1;
  a->written = size;
  a->n = 0;
  return 0;
}

static int appender_commit(appender *a) { return ++a->n == a->cap ? appender_flush(a) : 0; }

/* Writes the rows still waiting (with a packer: queues them; drain it before closing). */
static int appender_end(appender *a) { return a->d >= 0 && a->rows ? appender_flush(a) : -1; }

/* Closes the table. */
static void appender_close(appender *a) {
  mfbo_h5_close(a->d);
  free(a->rows);
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
  int ok = d >= 0 && H5Dset_extent(d, &n) >= 0 && table_write(d, mem_type, 0, n, buf) == 0;
  mfbo_h5_close(d);
  mfbo_h5_close(dcpl);
  mfbo_h5_close(space);
  return ok ? 0 : -1;
}

/* ---------------------------------------------------------------- the store object */

static void store_free(mfbo_store *s) {
  if (!s) return;
  mfbo_journal_close(s->journal);
  table_type_free(&s->runs_t);
  table_type_free(&s->trace_t);
  table_type_free(&s->timing_t);
  table_type_free(&s->instances_t);
  free(s->tasks);
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
  table_type *types[] = {&s->runs_t, &s->trace_t, &s->timing_t, &s->instances_t};
  for (size_t i = 0; i < sizeof types / sizeof *types; i++)
    types[i]->mem = types[i]->file = H5I_INVALID_HID;
  s->job = job;
  s->benches = benches;
  s->space = benches[0]->space;
  s->n_params = s->space->n_params;
  s->tasks = mfbo_tasks_make(job, &s->n_tasks);
  s->path = strdup(path);
  s->partial = mfbo_path_concat(path, ".partial");
  s->tmp = mfbo_path_concat(path, ".tmp");
  if (!s->path || !s->partial || !s->tmp || !s->tasks) {
    store_fail(err, path, "out of memory");
    store_free(s);
    return NULL;
  }
  if (check_parameters(s, err) != 0) {
    store_free(s);
    return NULL;
  }
  /* built now, so that a parameter HDF5 cannot store fails before the sweep, not after it */
  if (runs_type_make(&s->runs_t, s->space) || trace_type_make(&s->trace_t, s->space) ||
      timing_type_make(&s->timing_t) || instances_type_make(&s->instances_t, s->space)) {
    h5_fail(err, path, "cannot build the table types");
    store_free(s);
    return NULL;
  }
  return s;
}

/* ---------------------------------------------------------------- sessions */

/* Each session that writes the journal adds a note: its provenance, as NUL-terminated
 * "key=value" strings. The first note gives the complete file's root attributes, and every
 * note's `session` line goes into its `sessions` attribute. */

static int note_add(char **note, size_t *len, const char *key, const char *value) {
  value = value ? value : "";
  size_t k = strlen(key), v = strlen(value);
  char *p = realloc(*note, *len + k + v + 2);
  if (!p) return -1;
  memcpy(p + *len, key, k);
  p[*len + k] = '=';
  memcpy(p + *len + k + 1, value, v + 1);
  *note = p;
  *len += k + v + 2;
  return 0;
}

/* The value of key in a note of len bytes, "" if it has none. */
static const char *note_value(const char *note, size_t len, const char *key) {
  size_t k = strlen(key);
  if (len == 0 || note[len - 1] != '\0') return ""; /* not a note of ours */
  for (const char *p = note; p < note + len; p += strlen(p) + 1)
    if (strncmp(p, key, k) == 0 && p[k] == '=') return p + k + 1;
  return "";
}

/* Adds this session's note to the journal; what is "created" or "resumed". */
/* What identifies the data file the job reads ([benchmark] file =, found as the benchmark
 * finds it: in the job file's directory, then the installed data directory): "SIZE CRC32
 * ADLER32 PATH", PATH as the job gives it; "" when the job reads no file; "unreadable PATH"
 * when it cannot be read. Recorded in each session's note: --resume refuses to mix results
 * of a file that changed in between. */
static void data_digest(const mfbo_job *job, char *out, size_t size) {
  const char *path = NULL;
  out[0] = '\0';
  for (int i = 0; i < job->benchmark.n; i++)
    if (strcmp(job->benchmark.items[i].key, "file") == 0) path = job->benchmark.items[i].value;
  if (!path || !path[0]) return;
  char found[4096], where[2 * 4096 + 8];
  mfbo_settings_find_file(&job->benchmark, path, found, sizeof found, where, sizeof where);
  FILE *f = fopen(found, "rb");
  unsigned char *buf = f ? malloc(1 << 20) : NULL;
  if (!buf) {
    snprintf(out, size, "unreadable %s", path);
    if (f) fclose(f);
    return;
  }
  uLong crc = crc32(0L, Z_NULL, 0), adler = adler32(0L, Z_NULL, 0);
  unsigned long long total = 0;
  size_t n;
  while ((n = fread(buf, 1, 1 << 20, f)) > 0) {
    crc = crc32(crc, buf, (uInt)n);
    adler = adler32(adler, buf, (uInt)n);
    total += n;
  }
  if (ferror(f))
    snprintf(out, size, "unreadable %s", path);
  else
    snprintf(out, size, "%llu %08lx %08lx %s", total, (unsigned long)crc,
             (unsigned long)adler, path);
  free(buf);
  fclose(f);
}

/* The data file is the one the journal's first session read (journals written before the
 * digest was recorded are not checked). */
static int check_data(const mfbo_store *s, mfbo_error *err) {
  if (mfbo_journal_n_notes(s->journal) == 0) return 0;
  char *note, now[1200];
  size_t len;
  if (mfbo_journal_read_note(s->journal, 0, &note, &len, err) != 0) return -1;
  const char *then = note_value(note, len, "data");
  data_digest(s->job, now, sizeof now);
  int rc = 0;
  if (then[0] && strcmp(then, now) != 0)
    rc = store_fail(err, s->path, "the job's data file changed since the sweep started "
                    "(size, CRC32, Adler-32 and path then: %s; now: %s): resuming would mix "
                    "results of the old and the new data; restore the file, or start again "
                    "with --force", then, now[0] ? now : "no file");
  free(note);
  return rc;
}

static int add_session(mfbo_store *s, const char *what, const mfbo_provenance *prov,
                       mfbo_error *err) {
  char now[32], line[2048], ranks[16];
  const char *cmd = prov && prov->command_line ? prov->command_line : "";
  utc_now(now);
  snprintf(ranks, sizeof ranks, "%d", prov ? prov->mpi_ranks : 1);
  snprintf(line, sizeof line, "%s %s by mfbo-sweep %s (git %s) on %s MPI rank(s): %s\n", now,
           what, MFBO_VERSION, mfbo_git_revision, ranks, cmd);
  char *note = NULL;
  size_t len = 0;
  int failed = note_add(&note, &len, "session", line) || note_add(&note, &len, "utc", now) ||
               note_add(&note, &len, "program_version", MFBO_VERSION) ||
               note_add(&note, &len, "git_revision", mfbo_git_revision) ||
               note_add(&note, &len, "command_line", cmd) ||
               note_add(&note, &len, "mpi_ranks", ranks) ||
               note_add(&note, &len, "mpi_library", prov ? prov->mpi_library : "") ||
               note_add(&note, &len, "gsl_version", gsl_version) ||
               note_add(&note, &len, "job_path", s->job->path);
  char data[1200];
  data_digest(s->job, data, sizeof data);
  if (!failed && data[0]) failed = note_add(&note, &len, "data", data);
  int rc = failed ? store_fail(err, s->path, "out of memory")
                  : mfbo_journal_append(s->journal, MFBO_JOURNAL_NOTE, 0, note, len, err);
  free(note);
  return rc;
}

/* Reads the notes: the first one (*first, *first_len) and every session's line (*lines). */
static int read_sessions(const mfbo_store *s, char **first, size_t *first_len, char **lines,
                         mfbo_error *err) {
  *lines = strdup("");
  for (size_t i = 0; *lines && i < mfbo_journal_n_notes(s->journal); i++) {
    char *note;
    size_t len;
    if (mfbo_journal_read_note(s->journal, i, &note, &len, err) != 0) return -1;
    char *more = mfbo_path_concat(*lines, note_value(note, len, "session"));
    free(*lines);
    *lines = more;
    if (i > 0) {
      free(note);
    } else {
      *first = note;
      *first_len = len;
    }
  }
  return *lines ? 0 : store_fail(err, s->path, "out of memory");
}

/* ---------------------------------------------------------------- root and /benchmark */

static const char *const kind_names[] = {"pow2", "int", "enum", "bool"};

/* The root attributes: the first session's provenance (note), every session's line. */
static int write_root_attributes(hid_t f, const mfbo_store *s, const char *note, size_t len,
                                 const char *sessions) {
  char now[32], hdf5[32];
  unsigned maj = 0, min = 0, rel = 0;
  utc_now(now);
  H5get_libversion(&maj, &min, &rel);
  snprintf(hdf5, sizeof hdf5, "%u.%u.%u", maj, min, rel);
  const mfbo_job *job = s->job;
  int ranks = (int)strtol(note_value(note, len, "mpi_ranks"), NULL, 10);
  int failed =
      attr_str(f, "format", FORMAT_NAME) || attr_int(f, "format_version", MFBO_FORMAT_VERSION) ||
      attr_str(f, "program_version", note_value(note, len, "program_version")) ||
      attr_str(f, "git_revision", note_value(note, len, "git_revision")) ||
      attr_str(f, "created_utc", note_value(note, len, "utc")) ||
      attr_str(f, "finished_utc", now) ||
      attr_str(f, "command_line", note_value(note, len, "command_line")) ||
      attr_int(f, "mpi_ranks", ranks) ||
      attr_str(f, "mpi_library", note_value(note, len, "mpi_library")) ||
      attr_str(f, "hdf5_version", hdf5) ||
      attr_str(f, "gsl_version", note_value(note, len, "gsl_version")) ||
      attr_str(f, "sessions", sessions) || attr_str(f, "job", job->text) ||
      attr_str(f, "job_path", note_value(note, len, "job_path")) ||
      attr_str(f, "sweep_name", job->name) || attr_u64(f, "n_tasks", s->n_tasks);
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
  mfbo_h5_close(str);
  mfbo_h5_close(labels);
  mfbo_h5_close(values);
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
  int n = s->job->n_instances;
  int *cfg = malloc((size_t)(s->n_params ? s->n_params : 1) * sizeof *cfg);
  appender a;
  int rc = appender_open(&a, bench, "instances", &s->instances_t, (hsize_t)n, (hsize_t)n);
  if (!cfg) rc = -1;
  for (int i = 0; rc == 0 && i < n; i++) {
    const mfbo_benchmark *b = s->benches[i];
    instance_row *row = appender_row(&a);
    double *values = (double *)(row + 1);
    memset(row, 0, a.t->row_size);
    row->instance = s->job->instances[i];
    row->optimum_ms = b->optimum_ms;
    row->size = mfbo_space_size(b->space);
    if (b->optimum_index >= 0) mfbo_space_point(b->space, (uint64_t)b->optimum_index, cfg);
    for (int j = 0; j < s->n_params; j++)
      values[j] = b->optimum_index >= 0 ? mfbo_space_value(b->space, cfg, j) : NAN;
    rc = appender_commit(&a);
  }
  if (appender_end(&a) != 0) rc = -1;
  appender_close(&a);
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
  mfbo_h5_close(g);
  free(settings);
  free(space_settings);
  return failed ? -1 : 0;
}

static hsize_t at_most(hsize_t rows, uint64_t n) { return n < rows ? (hsize_t)n : rows; }

/* ---------------------------------------------------------------- opening */

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
  else if (attr_read_str(f, "job", &job) != 0)
    rc = store_fail(err, s->path, "%s has no job text (root attribute job)", name);
  else {
    /* the same job: the same text or the same canonical form (mfbo_job_same) */
    char diff[800], where[1100];
    snprintf(where, sizeof where, "%s", name);
    if (!mfbo_job_same(job, strlen(job), s->job->text, where, diff, sizeof diff))
      rc = store_fail(err, s->path, "%s was made from a different job: %s; use a new output "
                      "file, undo the change, or start again with --force", name, diff);
  }
  free(format);
  free(job);
  H5Eclear2(H5E_DEFAULT);
  return rc;
}

/* Opens an existing results file read-only and checks that it is ours and of this job. */
static hid_t open_checked(const mfbo_store *s, const char *name, mfbo_error *err) {
  htri_t is_hdf5 = H5Fis_hdf5(name);
  if (is_hdf5 == 0) {
    store_fail(err, s->path, "%s is not an HDF5 file", name);
    return H5I_INVALID_HID;
  }
  hid_t f = is_hdf5 > 0 ? H5Fopen(name, H5F_ACC_RDONLY, H5P_DEFAULT) : H5I_INVALID_HID;
  if (f < 0) {
    h5_fail(err, s->path, "cannot open %s", name);
    return H5I_INVALID_HID;
  }
  if (check_identity(s, f, name, err) != 0) {
    file_close(f);
    return H5I_INVALID_HID;
  }
  return f;
}

static int read_task(const mfbo_store *s, uint64_t t, mfbo_run_result *r, double *wall_s,
                     int32_t *rank, mfbo_error *err);

/* A new journal, with this session's note. */
static int create_journal(mfbo_store *s, const mfbo_provenance *prov, mfbo_error *err) {
  s->journal = mfbo_journal_create(s->partial, s->job->text, s->n_tasks, err);
  if (!s->journal) return -1;
  if (add_session(s, "created", prov, err) == 0) return 0;
  mfbo_journal_close(s->journal);
  s->journal = NULL;
  unlink(s->partial);
  return -1;
}

/* The journal of an interrupted sweep: checked, its torn end dropped, this session noted. */
static int open_journal_file(mfbo_store *s, mfbo_error *err) {
  if (H5Fis_hdf5(s->partial) > 0)
    return store_fail(err, s->path, "%s is an HDF5 partial file of an older mfbo-sweep: resume "
                      "it with that version, or use --force", s->partial);
  H5Eclear2(H5E_DEFAULT);
  s->journal = mfbo_journal_open(s->partial, s->job->text, s->n_tasks, err);
  return s->journal ? 0 : -1;
}

/* The open journal of an interrupted sweep: every record checked, this session noted. */
static int continue_journal(mfbo_store *s, const mfbo_provenance *prov, mfbo_error *err) {
  if (check_data(s, err) != 0) return -1;
  /* every record, checked against the job before anything is run or written */
  for (uint64_t t = 0; t < s->n_tasks; t++) {
    if (!mfbo_journal_has(s->journal, t)) continue;
    mfbo_run_result r;
    double wall_s;
    int32_t rank;
    int rc = read_task(s, t, &r, &wall_s, &rank, err);
    mfbo_run_result_free(&r);
    if (rc != 0) return -1;
  }
  uint64_t damaged_at, damaged = mfbo_journal_damaged(s->journal, &damaged_at);
  if (damaged)
    fprintf(stderr, "mfbo-sweep: %s: %" PRIu64 " damaged bytes from byte %" PRIu64 " on (a "
            "record changed after it was written: a disk or copy error, not an interruption) "
            "are skipped; the whole records after them are kept and only the damaged "
            "records' tasks run again\n", s->partial, damaged, damaged_at);
  uint64_t dropped = mfbo_journal_dropped(s->journal);
  if (dropped)
    fprintf(stderr, "mfbo-sweep: %s: dropped its last %" PRIu64 " bytes, a record cut short "
            "or damaged when the sweep was interrupted (those tasks run again)\n", s->partial,
            dropped);
  return add_session(s, "resumed", prov, err);
}

/* FILE is complete: check it and write nothing. */
static int open_complete(mfbo_store *s, mfbo_error *err) {
  hid_t f = open_checked(s, s->path, err);
  if (f < 0) return -1;
  file_close(f);
  s->complete = 1;
  return 0;
}

/* Was FILE written from the open journal, i.e. are its `sessions` the journal's? */
static int made_from_journal(const mfbo_store *s) {
  char *first = NULL, *lines = NULL, *attr = NULL;
  size_t len = 0;
  mfbo_error ignored;
  int same = 0;
  if (read_sessions(s, &first, &len, &lines, &ignored) == 0 && H5Fis_hdf5(s->path) > 0) {
    hid_t f = H5Fopen(s->path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f >= 0) {
      same = attr_read_str(f, "sessions", &attr) == 0 && strcmp(attr, lines) == 0;
      file_close(f);
    }
  }
  H5Eclear2(H5E_DEFAULT);
  free(first);
  free(lines);
  free(attr);
  return same;
}

static int open_resume(mfbo_store *s, const mfbo_provenance *prov, mfbo_error *err) {
  int file = mfbo_path_exists(s->path), partial = mfbo_path_exists(s->partial);
  if (file && partial) {
    mfbo_error ignored;
    /* a partial that is no journal of this job cannot be continued: FILE wins, as below */
    if (open_journal_file(s, &ignored) != 0) {
      if (open_complete(s, err) != 0) return -1;
      mfbo_journal_remove(s->partial, NULL);
      return 0;
    }
    if (!made_from_journal(s)) {
      /* a --force run, stopped: FILE is an older result that it replaces once complete */
      fprintf(stderr, "mfbo-sweep: %s continues a sweep that replaces %s when it completes\n",
              s->partial, s->path);
      return continue_journal(s, prov, err);
    }
    /* a finish that was stopped between its rename and its unlink leaves a stale partial */
    mfbo_journal_close(s->journal);
    s->journal = NULL;
    if (open_complete(s, err) != 0) return -1;
    mfbo_journal_remove(s->partial, NULL);
    return 0;
  }
  if (file) return open_complete(s, err);
  if (partial) return open_journal_file(s, err) != 0 ? -1 : continue_journal(s, prov, err);
  return create_journal(s, prov, err);
}

static int refuse_existing(const mfbo_store *s, mfbo_error *err) {
  const char *found = mfbo_path_exists(s->path) ? s->path : mfbo_path_exists(s->partial) ? s->partial : NULL;
  if (!found) return 0;
  return store_fail(err, s->path, "%s exists: use --resume to continue it or --force to "
                    "replace it", found);
}

/* --force: FILE.tmp and FILE.partial go (not a partial that a sweep is writing). FILE
 * stays until the new one is complete: mfbo_store_finish renames the new one over it. */
static int remove_old(const mfbo_store *s, mfbo_error *err) {
  if (mfbo_journal_remove(s->partial, err) != 0) return -1;
  if (unlink(s->tmp) != 0 && errno != ENOENT)
    return store_fail(err, s->path, "cannot remove %s: %s", s->tmp, strerror(errno));
  return 0;
}

/* The results file's directory must exist, and be writable if writable is set. */
static int check_directory(const mfbo_store *s, int writable, mfbo_error *err) {
  char *dir = mfbo_path_dir(s->path);
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
  snprintf(err->file, sizeof err->file, "%s", path); /* the journal's errors are about it too */
  h5_library_init();
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* failures become mfbo_errors, not stack dumps */
  mfbo_store *s = store_alloc(path, job, benches, err);
  if (!s) return NULL;
  /* resuming a complete file writes nothing: a read-only directory is fine then */
  int read_only = mode == MFBO_STORE_RESUME && mfbo_path_exists(s->path) && !mfbo_path_exists(s->partial);
  int rc = check_directory(s, !read_only, err);
  if (rc == 0 && mode == MFBO_STORE_NEW)
    rc = refuse_existing(s, err) != 0 ? -1 : create_journal(s, prov, err);
  else if (rc == 0 && mode == MFBO_STORE_FORCE)
    rc = remove_old(s, err) != 0 ? -1 : create_journal(s, prov, err);
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
  return s->complete || (s->journal && mfbo_journal_has(s->journal, task_id));
}

uint64_t mfbo_store_n_done(const mfbo_store *s) {
  if (s->complete) return s->n_tasks;
  return s->journal ? mfbo_journal_n_tasks_done(s->journal) : 0;
}

/* ---------------------------------------------------------------- appending a task */

static int check_task(const mfbo_store *s, const mfbo_task *task, const mfbo_run_result *r,
                      mfbo_error *err) {
  if (s->complete)
    return store_fail(err, s->path, "the results file is complete: nothing can be added");
  const mfbo_task *known = task->task_id < s->n_tasks ? &s->tasks[task->task_id] : NULL;
  if (!known || known->instance_index != task->instance_index ||
      known->algorithm_index != task->algorithm_index || known->seed != task->seed)
    return store_fail(err, s->path, "task %" PRIu64 " is not a task of this job", task->task_id);
  if (mfbo_journal_has(s->journal, task->task_id))
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
  int size = 0;
  char *buf = mfbo_wire_pack(task->task_id, r, wall_s, &size);
  if (!buf)
    return store_fail(err, s->path, "cannot store task %" PRIu64 ": its result is over 2 GiB "
                      "or memory ran out", task->task_id);
  snprintf(err->file, sizeof err->file, "%s", s->path);
  int rc = mfbo_journal_append(s->journal, task->task_id, rank, buf, (size_t)size, err);
  free(buf);
  return rc;
}

/* ---------------------------------------------------------------- finishing */

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

/* Fills row i of a task's trace as stored. */
static void fill_trace_row(const mfbo_store *s, const mfbo_task *task, const mfbo_run_result *r,
                           long i, trace_row *row) {
  const mfbo_trace_row *in = &r->trace[i];
  *row = (trace_row){.task_id = task->task_id, .eval = in->eval, .fidelity = in->fidelity,
                     .measured_ms = in->measured_ms, .true_ms = in->true_ms,
                     .cost_s = in->cost_s, .cum_cost_s = in->cum_cost_s,
                     .incumbent_true_ms = in->incumbent_true_ms};
  parameter_values(s->benches[task->instance_index]->space,
                   r->trace_cfg + (size_t)i * (size_t)s->n_params, (double *)(row + 1));
}

/* The tables of the complete file, filled in task_id order. */
typedef struct {
  appender runs, trace, timing;
  uint64_t trace_rows; /* rows of /trace so far */
} tables;

/* Adds a task's /runs row, its /trace rows and its /timing row. */
static int add_task_rows(const mfbo_store *s, const mfbo_task *task, const mfbo_run_result *r,
                         double wall_s, int rank, tables *w) {
  fill_run_row(s, task, r, w->trace_rows, appender_row(&w->runs));
  *(timing_row *)appender_row(&w->timing) =
      (timing_row){.task_id = task->task_id, .rank = rank, .wall_s = wall_s};
  if (appender_commit(&w->runs) != 0 || appender_commit(&w->timing) != 0) return -1;
  for (long i = 0; i < r->n_evals; i++) {
    fill_trace_row(s, task, r, i, appender_row(&w->trace));
    if (appender_commit(&w->trace) != 0) return -1;
  }
  w->trace_rows += (uint64_t)r->n_evals;
  return 0;
}

/* Is r, decoded from the journal's record of task t (whose payload named task id), a result
 * that this job's task t can have produced? Every field that indexes or sizes anything is
 * checked: a record with a valid CRC may still be forged or written by a buggy program.
 * Returns 0, or -1 with a message saying what is wrong. */
static int check_result(const mfbo_store *s, uint64_t t, uint64_t id, const mfbo_run_result *r,
                        mfbo_error *err) {
  const mfbo_task *task = &s->tasks[t];
  const mfbo_space *space = s->benches[task->instance_index]->space;
  long max_evals = s->job->budget.max_evals;
  char what[200] = "";
  if (id != t)
    snprintf(what, sizeof what, "its payload is of task %" PRIu64, id);
  else if (r->status != MFBO_RUN_OK && r->status != MFBO_RUN_FAILED)
    snprintf(what, sizeof what, "status %d is neither ok nor failed", (int)r->status);
  else if (r->has_incumbent != 0 && r->has_incumbent != 1)
    snprintf(what, sizeof what, "has_incumbent is %d", r->has_incumbent);
  else if (r->n_evals < 0 || (max_evals > 0 && r->n_evals > max_evals))
    snprintf(what, sizeof what, "%ld evaluations, over the job's budget of %ld", r->n_evals,
             max_evals);
  for (long i = 0; !what[0] && i <= r->n_evals; i++) {
    const int *cfg = i < r->n_evals ? r->trace_cfg + (size_t)i * (size_t)s->n_params
                                    : r->has_incumbent ? r->incumbent_cfg : NULL;
    char where[48];
    if (i < r->n_evals)
      snprintf(where, sizeof where, "evaluation %ld", i + 1);
    else
      snprintf(where, sizeof where, "the incumbent");
    if (i < r->n_evals && r->trace[i].eval != i + 1) {
      snprintf(what, sizeof what, "evaluation %ld is numbered %ld", i + 1, r->trace[i].eval);
      break;
    }
    if (i < r->n_evals && r->trace[i].fidelity < 1) {
      snprintf(what, sizeof what, "evaluation %ld has fidelity %d", i + 1, r->trace[i].fidelity);
      break;
    }
    for (int j = 0; cfg && j < s->n_params; j++)
      if (cfg[j] < 0 || cfg[j] >= space->params[j].n_values) {
        snprintf(what, sizeof what, "%s has index %d for parameter %s, which has %d values",
                 where, cfg[j], space->params[j].name, space->params[j].n_values);
        break;
      }
    if (!what[0] && cfg && !mfbo_space_contains(space, cfg))
      snprintf(what, sizeof what, "%s is not a configuration of the space", where);
  }
  if (!what[0]) return 0;
  return store_fail(err, s->path, "the record of task %" PRIu64 " in %s is not a result of "
                    "this job (%s): the journal is damaged or was not written by mfbo-sweep; "
                    "use a new output file or --force", t, s->partial, what);
}

/* Reads task t from the journal and checks it; *r is to be freed by the caller. */
static int read_task(const mfbo_store *s, uint64_t t, mfbo_run_result *r, double *wall_s,
                     int32_t *rank, mfbo_error *err) {
  char *buf;
  size_t len;
  memset(r, 0, sizeof *r);
  if (mfbo_journal_read(s->journal, t, &buf, &len, rank, err) != 0) return -1;
  uint64_t id;
  int rc = mfbo_wire_unpack(buf, len, s->n_params, &id, r, wall_s);
  free(buf);
  if (rc != 0)
    return store_fail(err, s->path, "the record of task %" PRIu64 " in %s is not a result of "
                      "this job (it cannot be decoded, or memory ran out); use a new output "
                      "file or --force", t, s->partial);
  return check_result(s, t, id, r, err);
}

/* Reads task t from the journal and adds its rows. */
static int write_task(const mfbo_store *s, uint64_t t, tables *w, mfbo_error *err) {
  mfbo_run_result r;
  double wall_s;
  int32_t rank;
  int rc = read_task(s, t, &r, &wall_s, &rank, err);
  if (rc == 0 && add_task_rows(s, &s->tasks[t], &r, wall_s, rank, w) != 0)
    rc = h5_fail(err, s->path, "cannot write %s", s->tmp);
  mfbo_run_result_free(&r);
  return rc;
}

/* /runs, /trace and /timing, one task at a time from the journal; their chunks are packed
 * on several threads. */
static int write_tables(const mfbo_store *s, hid_t f, mfbo_error *err) {
  hsize_t rows = at_most(TABLE_CHUNK_ROWS, s->n_tasks);
  tables w = {.trace_rows = 0};
  packer pk;
  if (packer_start(&pk) != 0) return h5_fail(err, s->path, "out of memory writing %s", s->tmp);
  int rc = appender_open(&w.runs, f, "runs", &s->runs_t, rows, rows);
  if (appender_open(&w.trace, f, "trace", &s->trace_t, TRACE_CHUNK_ROWS, TRACE_CHUNK_ROWS))
    rc = -1;
  if (appender_open(&w.timing, f, "timing", &s->timing_t, rows, rows)) rc = -1;
  w.runs.pk = w.trace.pk = w.timing.pk = &pk;
  if (rc != 0) rc = h5_fail(err, s->path, "cannot write %s", s->tmp);
  for (uint64_t t = 0; rc == 0 && t < s->n_tasks; t++) rc = write_task(s, t, &w, err);
  int ended = appender_end(&w.runs) == 0;
  ended = appender_end(&w.trace) == 0 && ended;
  ended = appender_end(&w.timing) == 0 && ended;
  ended = packer_drain(&pk) == 0 && ended;
  packer_stop(&pk);
  appender_close(&w.runs);
  appender_close(&w.trace);
  appender_close(&w.timing);
  if (rc == 0 && !ended) rc = h5_fail(err, s->path, "cannot write %s", s->tmp);
  return rc;
}

/* Writes FILE.tmp from the journal: root attributes, /benchmark, the tables in order. */
static int write_complete(const mfbo_store *s, mfbo_error *err) {
  char *note = NULL, *sessions = NULL;
  size_t len = 0;
  int rc = read_sessions(s, &note, &len, &sessions, err);
  hid_t f = H5I_INVALID_HID;
  if (rc == 0 && (f = H5Fcreate(s->tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT)) < 0)
    rc = h5_fail(err, s->path, "cannot create %s", s->tmp);
  if (rc == 0 && (write_root_attributes(f, s, note, len, sessions) != 0 ||
                  write_benchmark(f, s) != 0))
    rc = h5_fail(err, s->path, "cannot write %s", s->tmp);
  if (rc == 0) rc = write_tables(s, f, err);
  if (f >= 0 && file_close(f) < 0 && rc == 0) rc = h5_fail(err, s->path, "cannot write %s", s->tmp);
  free(note);
  free(sessions);
  return rc;
}

int mfbo_store_finish(mfbo_store *s, mfbo_error *err) {
  mfbo_error local;
  if (!err) err = &local;
  if (s->complete) return 0;
  uint64_t done = mfbo_store_n_done(s);
  if (done < s->n_tasks)
    return store_fail(err, s->path, "%" PRIu64 " of %" PRIu64 " tasks are missing: the sweep is "
                      "not complete (%s is kept)", s->n_tasks - done, s->n_tasks, s->partial);
  snprintf(err->file, sizeof err->file, "%s", s->path);
  if (write_complete(s, err) != 0) {
    unlink(s->tmp);
    return -1;
  }
  if (fsync_path(s->tmp, 0) != 0 || rename(s->tmp, s->path) != 0) {
    store_fail(err, s->path, "cannot sync and rename %s: %s", s->tmp, strerror(errno));
    unlink(s->tmp);
    return -1;
  }
  char *dir = mfbo_path_dir(s->path);
  int synced = dir && fsync_path(dir, 1) == 0;
  int saved = errno;
  free(dir);
  unlink(s->partial); /* still locked by us: no other sweep has it open */
  mfbo_journal_close(s->journal);
  s->journal = NULL;
  s->complete = 1;
  if (!synced)
    return store_fail(err, s->path, "renamed, but cannot sync its directory: %s",
                      strerror(saved));
  return 0;
}

void mfbo_store_close(mfbo_store *s) {
  if (!s) return;
  if (s->journal) mfbo_journal_sync(s->journal, NULL); /* the last seconds' results, to disk */
  store_free(s);
}
