/* test_store.c: the results file (src/sweep/store.c) and the journal of a running sweep
 * (src/sweep/journal.c). Random-search runs on the seed benchmark are appended out of order,
 * finished and read back with the plain HDF5 API: row counts, task_id order,
 * trace_start/trace_len, every value; two arrival orders give identical /runs, /trace and
 * /benchmark (bytes, h5diff, h5dump); --resume skips finished tasks and refuses another job
 * or a newer format; a new sweep never touches an existing file; a writer killed with SIGKILL
 * (after some tasks, or while appending) leaves a partial that resumes to the same results;
 * a second writer is refused; foreign files get clear errors; 10,000 tasks stay far below
 * 100 MB. The journal: cut at every byte of its last two records, it resumes with exactly
 * the whole records; garbage and flipped bytes are found by the CRC; another job's journal
 * and a second open are refused.
 * Usage: test_store [TESTS_SOURCE_DIR] (with it, also runs results_example.py on a file).
 * TEST_STORE_KEEP=1 keeps the files it wrote. */
#include <dirent.h>
#include <inttypes.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hdf5.h>

#include "check.h"
#include "journal.h"
#include "mfbo/job.h"
#include "mfbo/run.h"
#include "store.h"
#include "tasks.h"

#define N_PARAMS 5

static const char job_text[] =
    "; test_store's job: 2 instances x 2 algorithms x 4 seeds\n"
    "[sweep]\n"
    "name = store-test\n"
    "seeds = 1-4\n"
    "budget_evals = 40\n"
    "\n"
    "[benchmark]\n"
    "type = seed\n"
    "instances = 1-2\n"
    "\n"
    "[algorithm random]\n"
    "\n"
    "[algorithm quick]\n"
    "type = random\n"
    "preset = quick\n";

#define FAILED_TASK 5 /* this task gets a failed run: no evaluations, no incumbent */

static char dir[64];
static mfbo_job job;
static mfbo_benchmark **benches;
static mfbo_task *tasks;
static uint64_t n_tasks;
static mfbo_run_result *results;
static const mfbo_provenance prov = {.command_line = "test_store", .mpi_ranks = 1,
                                     .mpi_library = "none"};

/* ---------------------------------------------------------------- fixtures */

/* DIR/name, in one of 16 rotating buffers. */
static const char *in_dir(const char *name) {
  static char bufs[16][512];
  static int next;
  char *b = bufs[next++ % 16];
  snprintf(b, sizeof bufs[0], "%s/%s", dir, name);
  return b;
}

static mfbo_benchmark **build_benches(mfbo_job *j) {
  mfbo_benchmark **b = calloc((size_t)j->n_instances, sizeof *b);
  mfbo_error err;
  for (int i = 0; b && i < j->n_instances; i++) {
    b[i] = mfbo_benchmark_alloc(j->benchmark_type, &j->benchmark, &j->space, j->instances[i],
                                &err);
    CHECK(b[i] != NULL);
  }
  return b;
}

static void free_benches(mfbo_benchmark **b, int n) {
  for (int i = 0; i < n; i++) mfbo_benchmark_free(b[i]);
  free(b);
}

static void run_tasks(void) {
  results = calloc(n_tasks, sizeof *results);
  mfbo_settings bad;
  mfbo_settings_init(&bad);
  mfbo_settings_add(&bad, "count", "-3", 1, NULL);
  for (uint64_t t = 0; t < n_tasks; t++) {
    const mfbo_task *task = &tasks[t];
    mfbo_job_algorithm *a = &job.algorithms[task->algorithm_index];
    mfbo_run_spec spec = {.benchmark = benches[task->instance_index], .label = a->label,
                          .searcher = a->type, .settings = &a->settings, .seed = task->seed,
                          .budget = job.budget};
    if (t == FAILED_TASK) spec.settings = &bad;
    mfbo_run(&spec, &results[t]);
  }
  mfbo_settings_free(&bad);
  CHECK(results[FAILED_TASK].status == MFBO_RUN_FAILED && results[FAILED_TASK].n_evals == 0);
  CHECK(results[0].status == MFBO_RUN_OK && results[0].n_evals == 40);
}

/* The tasks in a shuffled order (a fixed permutation for each key). */
static void shuffled(uint64_t *order, unsigned key) {
  for (uint64_t i = 0; i < n_tasks; i++) order[i] = i;
  unsigned x = key * 2654435761u + 1;
  for (uint64_t i = n_tasks - 1; i > 0; i--) {
    x = x * 1103515245u + 12345u;
    uint64_t j = (x >> 8) % (i + 1), tmp = order[i];
    order[i] = order[j];
    order[j] = tmp;
  }
}

static mfbo_store *open_store(const char *path, mfbo_store_mode mode, mfbo_error *err) {
  return mfbo_store_open(path, &job, benches, &prov, mode, err);
}

/* Appends order[from..to) with wall time 1000 + task_id and rank task_id % 3. */
static void append_range(mfbo_store *s, const uint64_t *order, uint64_t from, uint64_t to) {
  mfbo_error err;
  for (uint64_t i = from; i < to; i++) {
    uint64_t t = order[i];
    int rc = mfbo_store_append(s, &tasks[t], &results[t], 1000.0 + (double)t, (int)(t % 3), &err);
    CHECK(rc == 0);
    if (rc != 0) mfbo_error_print(&err, stderr);
  }
}

/* A complete file of every task, appended in order. */
static void make_complete(const char *path, const uint64_t *order) {
  mfbo_error err;
  mfbo_store *s = open_store(path, MFBO_STORE_NEW, &err);
  CHECK(s != NULL);
  if (!s) return;
  append_range(s, order, 0, n_tasks);
  CHECK(mfbo_store_n_done(s) == n_tasks);
  CHECK(mfbo_store_finish(s, &err) == 0);
  mfbo_store_close(s);
}

static char *file_bytes(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  rewind(f);
  char *buf = malloc((size_t)n + 1);
  *size = buf ? fread(buf, 1, (size_t)n, f) : 0;
  fclose(f);
  return buf;
}

static int same_bytes(const char *a, size_t na, const char *path) {
  size_t nb = 0;
  char *b = file_bytes(path, &nb);
  int same = b && na == nb && memcmp(a, b, na) == 0;
  free(b);
  return same;
}

static int exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

/* ---------------------------------------------------------------- reading back */

typedef struct {
  uint64_t task_id;
  char algorithm[64];
  int64_t seed;
  int32_t instance;
  int8_t status;
  int64_t n_evals;
  double cost_s, incumbent_true_ms, regret;
  uint64_t trace_start, trace_len;
  double params[N_PARAMS];
} run_back;

typedef struct {
  uint64_t task_id;
  int64_t eval;
  int32_t fidelity;
  double measured_ms, true_ms, cost_s, cum_cost_s, incumbent_true_ms;
  double params[N_PARAMS];
} trace_back;

typedef struct {
  uint64_t task_id;
  int32_t rank;
  double wall_s;
} timing_back;

static const char *const param_names[N_PARAMS] = {"BLOCK_M", "BLOCK_N", "BLOCK_K", "num_warps",
                                                  "num_stages"};

static void insert_params(hid_t t, size_t offset) {
  for (int j = 0; j < N_PARAMS; j++)
    H5Tinsert(t, param_names[j], offset + (size_t)j * sizeof(double), H5T_NATIVE_DOUBLE);
}

static hid_t run_back_type(void) {
  hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(run_back));
  hid_t label = H5Tcopy(H5T_C_S1);
  H5Tset_size(label, 64);
  H5Tset_strpad(label, H5T_STR_NULLPAD);
  H5Tset_cset(label, H5T_CSET_UTF8);
  hid_t status = H5Tenum_create(H5T_NATIVE_INT8);
  int8_t ok = 0, failed = 1;
  H5Tenum_insert(status, "ok", &ok);
  H5Tenum_insert(status, "failed", &failed);
  H5Tinsert(t, "task_id", offsetof(run_back, task_id), H5T_NATIVE_UINT64);
  H5Tinsert(t, "algorithm", offsetof(run_back, algorithm), label);
  H5Tinsert(t, "seed", offsetof(run_back, seed), H5T_NATIVE_INT64);
  H5Tinsert(t, "instance", offsetof(run_back, instance), H5T_NATIVE_INT32);
  H5Tinsert(t, "status", offsetof(run_back, status), status);
  H5Tinsert(t, "n_evals", offsetof(run_back, n_evals), H5T_NATIVE_INT64);
  H5Tinsert(t, "cost_s", offsetof(run_back, cost_s), H5T_NATIVE_DOUBLE);
  H5Tinsert(t, "incumbent_true_ms", offsetof(run_back, incumbent_true_ms), H5T_NATIVE_DOUBLE);
  H5Tinsert(t, "regret", offsetof(run_back, regret), H5T_NATIVE_DOUBLE);
  H5Tinsert(t, "trace_start", offsetof(run_back, trace_start), H5T_NATIVE_UINT64);
  H5Tinsert(t, "trace_len", offsetof(run_back, trace_len), H5T_NATIVE_UINT64);
  insert_params(t, offsetof(run_back, params));
  H5Tclose(label);
  H5Tclose(status);
  return t;
}

static hid_t trace_back_type(void) {
  hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(trace_back));
  H5Tinsert(t, "task_id", offsetof(trace_back, task_id), H5T_NATIVE_UINT64);
  H5Tinsert(t, "eval", offsetof(trace_back, eval), H5T_NATIVE_INT64);
  H5Tinsert(t, "fidelity", offsetof(trace_back, fidelity), H5T_NATIVE_INT32);
  H5Tinsert(t, "measured_ms", offsetof(trace_back, measured_ms), H5T_NATIVE_DOUBLE);
  H5Tinsert(t, "true_ms", offsetof(trace_back, true_ms), H5T_NATIVE_DOUBLE);
  H5Tinsert(t, "cost_s", offsetof(trace_back, cost_s), H5T_NATIVE_DOUBLE);
  H5Tinsert(t, "cum_cost_s", offsetof(trace_back, cum_cost_s), H5T_NATIVE_DOUBLE);
  H5Tinsert(t, "incumbent_true_ms", offsetof(trace_back, incumbent_true_ms), H5T_NATIVE_DOUBLE);
  insert_params(t, offsetof(trace_back, params));
  return t;
}

static hid_t timing_back_type(void) {
  hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(timing_back));
  H5Tinsert(t, "task_id", offsetof(timing_back, task_id), H5T_NATIVE_UINT64);
  H5Tinsert(t, "rank", offsetof(timing_back, rank), H5T_NATIVE_INT32);
  H5Tinsert(t, "wall_s", offsetof(timing_back, wall_s), H5T_NATIVE_DOUBLE);
  return t;
}

/* Reads a whole 1-D dataset in the memory type mem (closed here); *n rows. */
static void *read_all(hid_t f, const char *name, hid_t mem, size_t *n) {
  hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
  hid_t space = H5Dget_space(d);
  hssize_t rows = H5Sget_simple_extent_npoints(space);
  void *buf = calloc((size_t)(rows > 0 ? rows : 1), H5Tget_size(mem));
  int rc = H5Dread(d, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
  CHECK(d >= 0 && rows >= 0 && rc >= 0);
  *n = rows > 0 ? (size_t)rows : 0;
  H5Sclose(space);
  H5Dclose(d);
  H5Tclose(mem);
  return buf;
}

/* A dataset exactly as stored: its file type and its bytes. */
static void *read_raw(hid_t f, const char *name, size_t *bytes, hid_t *type) {
  hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
  *type = H5Dget_type(d);
  size_t n;
  H5Dclose(d);
  void *buf = read_all(f, name, H5Tcopy(*type), &n);
  *bytes = n * H5Tget_size(*type);
  return buf;
}

static char *read_str_attr(hid_t loc, const char *name) {
  hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, H5T_VARIABLE);
  H5Tset_cset(t, H5T_CSET_UTF8);
  char *p = NULL;
  CHECK(a >= 0 && H5Aread(a, t, &p) >= 0);
  char *copy = strdup(p ? p : "");
  H5free_memory(p);
  H5Tclose(t);
  H5Aclose(a);
  return copy;
}

static double read_double_attr(hid_t loc, const char *name) {
  double v = NAN;
  hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
  CHECK(a >= 0 && H5Aread(a, H5T_NATIVE_DOUBLE, &v) >= 0);
  H5Aclose(a);
  return v;
}

static int same_double(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

/* ---------------------------------------------------------------- checks of a complete file */

static void check_run_row(const run_back *row, const mfbo_run_result *r, const mfbo_task *task) {
  const mfbo_space *space = benches[task->instance_index]->space;
  char label[65] = {0};
  memcpy(label, row->algorithm, 64);
  CHECK(strcmp(label, job.algorithms[task->algorithm_index].label) == 0);
  CHECK(row->seed == task->seed && row->instance == job.instances[task->instance_index]);
  CHECK(row->status == (int8_t)r->status && row->n_evals == r->n_evals);
  CHECK(same_double(row->cost_s, r->cost_s) && same_double(row->regret, r->regret));
  CHECK(same_double(row->incumbent_true_ms, r->has_incumbent ? r->incumbent_true_ms : INFINITY));
  CHECK(row->trace_len == (uint64_t)r->n_evals);
  for (int j = 0; j < N_PARAMS; j++)
    CHECK(same_double(row->params[j], r->has_incumbent
                                          ? mfbo_space_value(space, r->incumbent_cfg, j)
                                          : NAN));
}

static void check_trace_rows(const trace_back *rows, const mfbo_run_result *r,
                             const mfbo_task *task) {
  const mfbo_space *space = benches[task->instance_index]->space;
  for (long i = 0; i < r->n_evals; i++) {
    const trace_back *b = &rows[i];
    const mfbo_trace_row *a = &r->trace[i];
    CHECK(b->task_id == task->task_id && b->eval == a->eval && b->eval == i + 1);
    CHECK(b->fidelity == a->fidelity && same_double(b->measured_ms, a->measured_ms));
    CHECK(same_double(b->true_ms, a->true_ms) && same_double(b->cost_s, a->cost_s));
    CHECK(same_double(b->cum_cost_s, a->cum_cost_s));
    CHECK(same_double(b->incumbent_true_ms, a->incumbent_true_ms));
    for (int j = 0; j < N_PARAMS; j++)
      CHECK(b->params[j] == mfbo_space_value(space, r->trace_cfg + i * N_PARAMS, j));
  }
}

static void check_root(hid_t f) {
  char *format = read_str_attr(f, "format"), *text = read_str_attr(f, "job");
  char *finished = read_str_attr(f, "finished_utc"), *hdf5 = read_str_attr(f, "hdf5_version");
  CHECK(strcmp(format, "mfbo-sweep") == 0 && strcmp(text, job_text) == 0);
  CHECK(strlen(finished) == 20 && finished[10] == 'T' && strcmp(hdf5, "1.10.8") >= 0);
  long version = 0;
  uint64_t n = 0;
  hid_t a = H5Aopen(f, "format_version", H5P_DEFAULT);
  CHECK(H5Aread(a, H5T_NATIVE_LONG, &version) >= 0 && version == 1);
  H5Aclose(a);
  a = H5Aopen(f, "n_tasks", H5P_DEFAULT);
  CHECK(H5Aread(a, H5T_NATIVE_UINT64, &n) >= 0 && n == n_tasks);
  H5Aclose(a);
  free(format);
  free(text);
  free(finished);
  free(hdf5);
}

static void check_benchmark(hid_t f) {
  hid_t g = H5Gopen2(f, "benchmark", H5P_DEFAULT);
  char *name = read_str_attr(g, "name");
  CHECK(strcmp(name, "seed") == 0);
  CHECK(read_double_attr(g, "optimum_ms") == benches[0]->optimum_ms);
  free(name);
  H5Gclose(g);
  size_t n;
  double *m = read_all(f, "benchmark/values/BLOCK_M", H5Tcopy(H5T_NATIVE_DOUBLE), &n);
  CHECK(n == 4 && m[0] == 32 && m[3] == 256);
  free(m);
  hid_t t = H5Tcreate(H5T_COMPOUND, 3 * sizeof(double));
  H5Tinsert(t, "optimum_ms", 0, H5T_NATIVE_DOUBLE);
  H5Tinsert(t, "size", sizeof(double), H5T_NATIVE_DOUBLE);
  H5Tinsert(t, "BLOCK_M", 2 * sizeof(double), H5T_NATIVE_DOUBLE);
  double *inst = read_all(f, "benchmark/instances", t, &n);
  CHECK(n == 2 && inst[0] == benches[0]->optimum_ms && inst[1] == 1024);
  CHECK(inst[2] == 32 || inst[2] == 64 || inst[2] == 128 || inst[2] == 256);
  free(inst);
}

/* Reads a complete file back and checks it against the runs. */
static void check_complete(const char *path) {
  char partial[600], tmp[600];
  snprintf(partial, sizeof partial, "%s.partial", path);
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  CHECK(exists(path) && !exists(partial) && !exists(tmp));
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  CHECK(f >= 0);
  if (f < 0) return;
  check_root(f);
  check_benchmark(f);
  size_t n_runs, n_trace, n_timing;
  run_back *runs = read_all(f, "runs", run_back_type(), &n_runs);
  trace_back *trace = read_all(f, "trace", trace_back_type(), &n_trace);
  timing_back *timing = read_all(f, "timing", timing_back_type(), &n_timing);
  CHECK(n_runs == n_tasks && n_timing == n_tasks);
  uint64_t next = 0;
  for (uint64_t t = 0; t < n_runs && t < n_tasks; t++) {
    CHECK(runs[t].task_id == t && runs[t].trace_start == next);
    CHECK(timing[t].task_id == t && timing[t].wall_s == 1000.0 + (double)t &&
          timing[t].rank == (int)(t % 3));
    check_run_row(&runs[t], &results[t], &tasks[t]);
    if (runs[t].trace_start + runs[t].trace_len <= n_trace)
      check_trace_rows(trace + runs[t].trace_start, &results[t], &tasks[t]);
    next += runs[t].trace_len;
  }
  CHECK(next == n_trace);
  free(runs);
  free(trace);
  free(timing);
  H5Fclose(f);
}

/* /runs, /trace and /benchmark agree byte for byte (types included). */
static void check_same_tables(const char *a, const char *b) {
  static const char *const names[] = {"runs", "trace", "benchmark/instances",
                                      "benchmark/values/BLOCK_M", "benchmark/values/num_stages"};
  hid_t fa = H5Fopen(a, H5F_ACC_RDONLY, H5P_DEFAULT), fb = H5Fopen(b, H5F_ACC_RDONLY, H5P_DEFAULT);
  CHECK(fa >= 0 && fb >= 0);
  for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
    size_t na, nb;
    hid_t ta, tb;
    void *da = read_raw(fa, names[i], &na, &ta), *db = read_raw(fb, names[i], &nb, &tb);
    CHECK(na > 0 && na == nb && memcmp(da, db, na) == 0 && H5Tequal(ta, tb) > 0);
    free(da);
    free(db);
    H5Tclose(ta);
    H5Tclose(tb);
  }
  H5Fclose(fa);
  H5Fclose(fb);
}

/* The same, and as users see them: h5diff of /benchmark (attributes too), h5dump of each
 * table. */
static void check_same_results(const char *a, const char *b) {
  check_same_tables(a, b);
  char cmd[2048];
  snprintf(cmd, sizeof cmd, "h5diff %s %s /benchmark /benchmark", a, b);
  CHECK(system(cmd) == 0);
  static const char *const objects[] = {"-d /runs", "-d /trace", "-g /benchmark"};
  for (size_t i = 0; i < 3; i++) {
    snprintf(cmd, sizeof cmd,
             "h5dump %s %s | tail -n +2 > %s/dump_a && h5dump %s %s | tail -n +2 > %s/dump_b && "
             "test -s %s/dump_a && cmp -s %s/dump_a %s/dump_b",
             objects[i], a, dir, objects[i], b, dir, dir, dir, dir);
    CHECK(system(cmd) == 0);
  }
}

/* ---------------------------------------------------------------- the tests */

static uint64_t *order_a, *order_b;

static void test_complete_files(void) {
  make_complete(in_dir("a.h5"), order_a);
  check_complete(in_dir("a.h5"));
  make_complete(in_dir("b.h5"), order_b);
  check_same_results(in_dir("a.h5"), in_dir("b.h5"));
}

static void test_resume(void) {
  const char *path = in_dir("c.h5");
  mfbo_error err;
  mfbo_store *s = open_store(path, MFBO_STORE_NEW, &err);
  CHECK(s != NULL && !mfbo_store_complete(s));
  if (!s) return;
  append_range(s, order_b, 0, n_tasks / 2);
  mfbo_store_close(s);
  CHECK(exists(in_dir("c.h5.partial")) && !exists(path));

  s = open_store(path, MFBO_STORE_RESUME, &err);
  CHECK(s != NULL);
  if (!s) return;
  CHECK(!mfbo_store_complete(s) && mfbo_store_n_done(s) == n_tasks / 2);
  for (uint64_t i = 0; i < n_tasks; i++)
    CHECK(mfbo_store_has_task(s, order_b[i]) == (i < n_tasks / 2));
  /* a task twice, or finishing early, is refused */
  CHECK(mfbo_store_append(s, &tasks[order_b[0]], &results[order_b[0]], 1, 0, &err) != 0 &&
        strstr(err.msg, "already stored") != NULL);
  CHECK(mfbo_store_finish(s, &err) != 0 && strstr(err.msg, "not complete") != NULL);
  append_range(s, order_b, n_tasks / 2, n_tasks);
  CHECK(mfbo_store_finish(s, &err) == 0);
  mfbo_store_close(s);
  CHECK(exists(path) && !exists(in_dir("c.h5.partial")));
  check_same_results(in_dir("a.h5"), path);
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  char *sessions = read_str_attr(f, "sessions");
  char *second = strchr(sessions, '\n');
  CHECK(strstr(sessions, " created by mfbo-sweep ") && second &&
        strstr(second, " resumed by mfbo-sweep ") && strchr(second + 1, '\n'));
  free(sessions);
  H5Fclose(f);

  /* resuming a complete file: nothing to do, nothing written */
  size_t n;
  char *before = file_bytes(path, &n);
  s = open_store(path, MFBO_STORE_RESUME, &err);
  CHECK(s != NULL && mfbo_store_complete(s) && mfbo_store_n_done(s) == n_tasks);
  CHECK(s && mfbo_store_has_task(s, 0) && mfbo_store_has_task(s, n_tasks - 1));
  CHECK(s && mfbo_store_append(s, &tasks[0], &results[0], 1, 0, &err) != 0);
  CHECK(s && mfbo_store_finish(s, &err) == 0);
  mfbo_store_close(s);
  CHECK(same_bytes(before, n, path));

  /* a finish stopped between its rename and its unlink: the complete file wins */
  FILE *stale = fopen(in_dir("c.h5.partial"), "w");
  fputs("stale", stale);
  fclose(stale);
  s = open_store(path, MFBO_STORE_RESUME, &err);
  CHECK(s != NULL && mfbo_store_complete(s) && !exists(in_dir("c.h5.partial")));
  mfbo_store_close(s);
  CHECK(same_bytes(before, n, path));
  free(before);
}

static void test_new_refuses_existing(void) {
  mfbo_error err;
  size_t n;
  char *before = file_bytes(in_dir("a.h5"), &n);
  CHECK(open_store(in_dir("a.h5"), MFBO_STORE_NEW, &err) == NULL);
  CHECK(strstr(err.msg, "exists: use --resume to continue it or --force to replace it") != NULL);
  CHECK(strcmp(err.file, in_dir("a.h5")) == 0 && err.line == 0);
  CHECK(same_bytes(before, n, in_dir("a.h5")) && !exists(in_dir("a.h5.partial")));
  free(before);

  /* a partial alone is refused too */
  mfbo_store *s = open_store(in_dir("e.h5"), MFBO_STORE_NEW, &err);
  append_range(s, order_a, 0, 3);
  mfbo_store_close(s);
  before = file_bytes(in_dir("e.h5.partial"), &n);
  CHECK(open_store(in_dir("e.h5"), MFBO_STORE_NEW, &err) == NULL && strstr(err.msg, "exists"));
  CHECK(same_bytes(before, n, in_dir("e.h5.partial")));
  free(before);

  /* --force replaces it */
  s = open_store(in_dir("e.h5"), MFBO_STORE_FORCE, &err);
  CHECK(s != NULL && mfbo_store_n_done(s) == 0);
  mfbo_store_close(s);
  s = open_store(in_dir("e.h5"), MFBO_STORE_RESUME, &err);
  CHECK(s != NULL && mfbo_store_n_done(s) == 0);
  mfbo_store_close(s);

  /* and a complete file */
  before = file_bytes(in_dir("a.h5"), &n);
  FILE *f = fopen(in_dir("f.h5"), "wb");
  CHECK(f && fwrite(before, 1, n, f) == n);
  fclose(f);
  free(before);
  /* which stays, untouched, until the new one is complete (issue 14, case 5) */
  s = open_store(in_dir("f.h5"), MFBO_STORE_FORCE, &err);
  CHECK(s != NULL && mfbo_store_n_done(s) == 0 && !mfbo_store_complete(s));
  before = file_bytes(in_dir("a.h5"), &n);
  CHECK(same_bytes(before, n, in_dir("f.h5")) && exists(in_dir("f.h5.partial")));
  free(before);
  mfbo_store_close(s);
}

static void write_bytes(const char *path, const char *bytes, size_t n);

/* Resumes e.h5.partial and the complete a.h5 with the job text (its own job, or another)
 * text: 0 when both were accepted, else -1 with the refusals' messages in msg. */
static int resume_with(const char *text, char *msg, size_t size) {
  mfbo_job other;
  mfbo_error err;
  CHECK(mfbo_job_load_text("other.ini", text, &other, &err) == 0);
  mfbo_benchmark **b = build_benches(&other);
  int rc = 0;
  msg[0] = '\0';
  const char *names[] = {"e.h5", "a.h5"};
  for (int i = 0; i < 2; i++) {
    char partial[1100];
    snprintf(partial, sizeof partial, "%s.partial", in_dir(names[i]));
    size_t n = 0;
    char *before = i == 0 ? file_bytes(partial, &n) : NULL;
    mfbo_store *s = mfbo_store_open(in_dir(names[i]), &other, b, &prov, MFBO_STORE_RESUME, &err);
    if (s) {
      mfbo_store_close(s); /* a session note was added: put the journal back */
      if (before) write_bytes(partial, before, n);
    } else {
      rc = -1;
      size_t at = strlen(msg);
      snprintf(msg + at, size - at, "%s | ", err.msg);
      if (before) CHECK(same_bytes(before, n, partial)); /* a refusal writes nothing */
    }
    free(before);
  }
  free_benches(b, other.n_instances);
  mfbo_job_free(&other);
  return rc;
}

/* --resume compares the job's canonical form (issue 14): comments, white space, the order of
 * keys and of [sweep] and [benchmark] may change; a value, a key, a section or the order of
 * the algorithms may not, and the refusal says what differs. */
static void test_different_job(void) {
  char text[sizeof job_text + 256], msg[1024];
  snprintf(text, sizeof text, "%s; one more comment\n", job_text);
  CHECK(resume_with(text, msg, sizeof msg) == 0);
  /* the same job, rearranged: [benchmark] first, keys reordered, spaces, a list rewritten */
  const char *body = strstr(job_text, "[algorithm random]");
  snprintf(text, sizeof text,
           "[benchmark]\ninstances = 2, 1\ntype   =   seed ; the seed's\n\n"
           "[sweep]\nbudget_evals = 40\nseeds = 1-2, 3-4\nname = store-test\n%s", body);
  CHECK(resume_with(text, msg, sizeof msg) == 0);
  /* a changed value */
  snprintf(text, sizeof text, "%s", job_text);
  char *at = strstr(text, "budget_evals = 40");
  if (at) memcpy(at, "budget_evals = 41", 17);
  CHECK(resume_with(text, msg, sizeof msg) == -1);
  CHECK(strstr(msg, "e.h5.partial was made from a different job: [sweep] budget_evals: 40 in "
                    "the journal, 41 now; use a new output file, undo the change, or start "
                    "again with --force") != NULL);
  CHECK(strstr(msg, "a.h5 was made from a different job: [sweep] budget_evals: 40 in ") != NULL);
  /* a section more, and the algorithms in another order */
  snprintf(text, sizeof text, "%s[algorithm pattern]\n", job_text);
  CHECK(resume_with(text, msg, sizeof msg) == -1 &&
        strstr(msg, "[algorithm pattern] not in the journal, in the job now") != NULL);
  snprintf(text, sizeof text, "%.*s[algorithm quick]\ntype = random\npreset = quick\n"
           "[algorithm random]\n", (int)(body - job_text), job_text);
  CHECK(resume_with(text, msg, sizeof msg) == -1 &&
        strstr(msg, "the order of the algorithms (task ids follow it): random, quick in the "
                    "journal, quick, random now") != NULL);
  if (!strstr(msg, "the order of the algorithms")) fprintf(stderr, "test_store: %s\n", msg);
}

static void write_text(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  fputs(text, f);
  fclose(f);
}

static void test_foreign_files(void) {
  mfbo_error err;
  write_text(in_dir("text.h5"), "this is not HDF5\n");
  CHECK(open_store(in_dir("text.h5"), MFBO_STORE_RESUME, &err) == NULL);
  CHECK(strstr(err.msg, "not an HDF5 file") != NULL && strcmp(err.file, in_dir("text.h5")) == 0);
  write_text(in_dir("text2.h5.partial"), "");
  CHECK(open_store(in_dir("text2.h5"), MFBO_STORE_RESUME, &err) == NULL);
  CHECK(strstr(err.msg, "text2.h5.partial is not an mfbo-sweep journal") != NULL);
  mfbo_store *s = open_store(in_dir("cut.h5"), MFBO_STORE_NEW, &err);
  mfbo_store_close(s);
  CHECK(truncate(in_dir("cut.h5.partial"), 40) == 0); /* within the job text */
  CHECK(open_store(in_dir("cut.h5"), MFBO_STORE_RESUME, &err) == NULL);
  CHECK(strstr(err.msg, "cut.h5.partial has a damaged header") != NULL);

  hid_t f = H5Fcreate(in_dir("other.h5"), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  H5Fclose(f);
  CHECK(open_store(in_dir("other.h5"), MFBO_STORE_RESUME, &err) == NULL);
  CHECK(strstr(err.msg, "not an mfbo-sweep results file") != NULL);
  /* a partial of the versions that wrote HDF5 partials */
  f = H5Fcreate(in_dir("old.h5.partial"), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  H5Fclose(f);
  CHECK(open_store(in_dir("old.h5"), MFBO_STORE_RESUME, &err) == NULL);
  CHECK(strstr(err.msg, "is an HDF5 partial file of an older mfbo-sweep") != NULL);

  CHECK(open_store("/nonexistent-dir-of-test-store/x.h5", MFBO_STORE_NEW, &err) == NULL);
  CHECK(strstr(err.msg, "directory /nonexistent-dir-of-test-store does not exist") != NULL);
}

/* String enums get /benchmark/labels/NAME; a parameter named like a column is refused. */
static void test_labels_and_names(void) {
  mfbo_job one;
  mfbo_error err;
  CHECK(mfbo_job_load_text("one.ini", "[sweep]\nseeds = 1\n[benchmark]\ntype = seed\n"
                           "[algorithm random]\n", &one, &err) == 0);
  mfbo_benchmark **b = build_benches(&one);
  mfbo_param *stages = &b[0]->space->params[4];
  static const char *const names[] = {"two", "three", "four", "f\xc3\xbcnf"};
  stages->labels = calloc(4, sizeof *stages->labels);
  for (int i = 0; i < 4; i++) stages->labels[i] = strdup(names[i]);
  uint64_t n_one;
  mfbo_task *t = mfbo_tasks_make(&one, &n_one);
  mfbo_run_result r;
  mfbo_task_run(&one, b, &t[0], &r);
  mfbo_store *s = mfbo_store_open(in_dir("labels.h5"), &one, b, &prov, MFBO_STORE_NEW, &err);
  CHECK(s != NULL && n_one == 1);
  CHECK(s && mfbo_store_append(s, &t[0], &r, 1.0, 0, &err) == 0);
  CHECK(s && mfbo_store_finish(s, &err) == 0);
  mfbo_store_close(s);
  mfbo_run_result_free(&r);
  free(t);
  hid_t f = H5Fopen(in_dir("labels.h5"), H5F_ACC_RDONLY, H5P_DEFAULT);
  hid_t str = H5Tcopy(H5T_C_S1);
  H5Tset_size(str, H5T_VARIABLE);
  H5Tset_cset(str, H5T_CSET_UTF8);
  size_t n;
  char **labels = read_all(f, "benchmark/labels/num_stages", H5Tcopy(str), &n);
  CHECK(n == 4 && strcmp(labels[1], "three") == 0 && strcmp(labels[3], names[3]) == 0);
  for (size_t i = 0; i < n; i++) H5free_memory(labels[i]);
  free(labels);
  CHECK(H5Lexists(f, "benchmark/labels/BLOCK_M", H5P_DEFAULT) == 0);
  H5Tclose(str);
  H5Fclose(f);

  snprintf(b[0]->space->params[1].name, MFBO_NAME_MAX, "seed");
  CHECK(mfbo_store_open(in_dir("clash.h5"), &one, b, &prov, MFBO_STORE_NEW, &err) == NULL);
  CHECK(strstr(err.msg, "the parameter 'seed' has the name of a results column") != NULL);
  CHECK(!exists(in_dir("clash.h5.partial")));
  free_benches(b, one.n_instances);
  mfbo_job_free(&one);
}

static void copy_file(const char *from, const char *to) {
  size_t n;
  char *bytes = file_bytes(from, &n);
  FILE *f = fopen(to, "wb");
  CHECK(bytes && f && fwrite(bytes, 1, n, f) == n);
  if (f) fclose(f);
  free(bytes);
}

/* A complete file or a journal written by a newer program is refused. */
static void test_newer_format(void) {
  mfbo_error err;
  copy_file(in_dir("a.h5"), in_dir("newer.h5"));
  hid_t f = H5Fopen(in_dir("newer.h5"), H5F_ACC_RDWR, H5P_DEFAULT);
  hid_t a = H5Aopen(f, "format_version", H5P_DEFAULT);
  int two = 2;
  CHECK(H5Awrite(a, H5T_NATIVE_INT, &two) >= 0);
  H5Aclose(a);
  H5Fclose(f);
  CHECK(open_store(in_dir("newer.h5"), MFBO_STORE_RESUME, &err) == NULL);
  CHECK(strstr(err.msg, "newer.h5 has format version 2, newer than this program's (1)") != NULL);

  mfbo_store *s = open_store(in_dir("newer2.h5"), MFBO_STORE_NEW, &err);
  mfbo_store_close(s);
  FILE *j = fopen(in_dir("newer2.h5.partial"), "r+b");
  uint32_t version = 2; /* the u32 after the 19 bytes of "MFBO-SWEEP-JOURNAL\n" */
  CHECK(j && fseek(j, 19, SEEK_SET) == 0 && fwrite(&version, 4, 1, j) == 1);
  if (j) fclose(j);
  CHECK(open_store(in_dir("newer2.h5"), MFBO_STORE_RESUME, &err) == NULL);
  CHECK(strstr(err.msg, "has journal format version 2, newer than this program's (1)") != NULL);
}

/* While one process has the partial open, a second one is refused (the journal's flock). */
static void test_two_writers(void) {
  const char *path = in_dir("two.h5");
  mfbo_error err;
  mfbo_store *s = open_store(path, MFBO_STORE_NEW, &err);
  append_range(s, order_a, 0, 2);
  mfbo_store_close(s);
  int ready[2], go[2];
  CHECK(pipe(ready) == 0 && pipe(go) == 0);
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    mfbo_store *c = open_store(path, MFBO_STORE_RESUME, &err);
    char x = c ? 'y' : 'n';
    if (write(ready[1], &x, 1) != 1 || read(go[0], &x, 1) != 1) _exit(3);
    mfbo_store_close(c);
    _exit(0);
  }
  char x = 0;
  CHECK(read(ready[0], &x, 1) == 1 && x == 'y');
  s = open_store(path, MFBO_STORE_RESUME, &err);
  CHECK(s == NULL && strstr(err.msg, "two.h5.partial is being written by another mfbo-sweep"));
  if (s) mfbo_store_close(s);
  /* --force does not remove it from under the other sweep either */
  s = open_store(path, MFBO_STORE_FORCE, &err);
  CHECK(s == NULL && strstr(err.msg, "is being written by another mfbo-sweep") != NULL);
  if (s) mfbo_store_close(s);
  CHECK(write(go[1], "g", 1) == 1);
  int status = 0;
  waitpid(pid, &status, 0);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  for (int i = 0; i < 2; i++) {
    close(ready[i]);
    close(go[i]);
  }
  s = open_store(path, MFBO_STORE_RESUME, &err);
  CHECK(s != NULL && mfbo_store_n_done(s) == 2);
  mfbo_store_close(s);
}

/* A child appends n tasks and dies without closing; the partial must resume with them. */
static void test_killed_writer(const char *name, int sigkill) {
  const char *path = in_dir(name);
  const uint64_t n = 5;
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    mfbo_error err;
    mfbo_store *s = open_store(path, MFBO_STORE_NEW, &err);
    if (!s) _exit(2);
    append_range(s, order_a, 0, n);
    if (sigkill) raise(SIGKILL);
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  CHECK(sigkill ? WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL
                : WIFEXITED(status) && WEXITSTATUS(status) == 0);
  mfbo_error err;
  mfbo_store *s = open_store(path, MFBO_STORE_RESUME, &err);
  CHECK(s != NULL);
  if (!s) {
    mfbo_error_print(&err, stderr);
    return;
  }
  CHECK(mfbo_store_n_done(s) == n);
  for (uint64_t i = 0; i < n_tasks; i++) CHECK(mfbo_store_has_task(s, order_a[i]) == (i < n));
  append_range(s, order_a, n, n_tasks);
  CHECK(mfbo_store_finish(s, &err) == 0);
  mfbo_store_close(s);
  check_same_results(in_dir("a.h5"), path);
}

static void test_python_example(const char *source_dir) {
  char cmd[2048];
  if (system("/usr/bin/python3 -c 'import h5py, pandas' 2>/dev/null") != 0) {
    fprintf(stderr, "test_store: /usr/bin/python3 lacks h5py or pandas "
                    "(apt-get install python3-h5py python3-pandas)\n");
    CHECK(!"python3 with h5py and pandas");
    return;
  }
  snprintf(cmd, sizeof cmd,
           "/usr/bin/python3 %s/results_example.py %s > %s/example.txt && "
           "grep -q incumbent_true_ms %s/example.txt && grep -q quick %s/example.txt && "
           "grep -q random %s/example.txt",
           source_dir, in_dir("a.h5"), dir, dir, dir, dir);
  CHECK(system(cmd) == 0);
}

/* ---------------------------------------------------------------- 10,000 tasks */

static long peak_rss_kb(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long kb = 0;
  while (f && fgets(line, sizeof line, f))
    if (strncmp(line, "VmHWM:", 6) == 0) kb = strtol(line + 6, NULL, 10);
  if (f) fclose(f);
  return kb;
}

/* A made-up result of n evaluations (values depend on the task id). */
static void fake_result(mfbo_run_result *r, uint64_t t, long n) {
  for (long i = 0; i < n; i++) {
    r->trace[i] = (mfbo_trace_row){.eval = i + 1, .fidelity = 1, .measured_ms = 2.0 + (double)t,
                                   .true_ms = 2.0 + (double)i, .cost_s = 0.5,
                                   .cum_cost_s = 0.5 * (double)(i + 1), .incumbent_true_ms = 2.5};
    for (int j = 0; j < N_PARAMS; j++)
      r->trace_cfg[i * N_PARAMS + j] = (int)((t + (uint64_t)i + (uint64_t)j) % 4);
  }
  r->n_evals = n;
  r->cost_s = 0.5 * (double)n;
  r->has_incumbent = 1;
  r->incumbent_true_ms = 2.5;
  r->regret = 0.25;
}

/* Rows [start, start + n) of a table in the memory type mem (closed here). */
static void *read_rows(hid_t f, const char *name, hid_t mem, hsize_t start, hsize_t n) {
  hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
  hid_t fspace = H5Dget_space(d), mspace = H5Screate_simple(1, &n, NULL);
  void *buf = calloc((size_t)n, H5Tget_size(mem));
  H5Sselect_hyperslab(fspace, H5S_SELECT_SET, &start, NULL, &n, NULL);
  CHECK(H5Dread(d, mem, mspace, fspace, H5P_DEFAULT, buf) >= 0);
  H5Sclose(mspace);
  H5Sclose(fspace);
  H5Dclose(d);
  H5Tclose(mem);
  return buf;
}

#define BIG_EVALS 100
#define LONG_TASK 7       /* this task has LONG_EVALS evaluations: more than one block */
#define LONG_EVALS 9000

static void check_big_file(const char *path, uint64_t n) {
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  size_t rows;
  timing_back *timing = read_all(f, "timing", timing_back_type(), &rows);
  CHECK(rows == n && timing[n - 1].task_id == n - 1);
  free(timing);
  run_back *runs = read_all(f, "runs", run_back_type(), &rows);
  uint64_t next = 0;
  for (uint64_t t = 0; t < rows; t++) {
    CHECK(runs[t].task_id == t && runs[t].trace_start == next);
    CHECK(runs[t].trace_len == (t == LONG_TASK ? LONG_EVALS : BIG_EVALS));
    next += runs[t].trace_len;
  }
  hid_t d = H5Dopen2(f, "trace", H5P_DEFAULT);
  hid_t space = H5Dget_space(d);
  CHECK(H5Sget_simple_extent_npoints(space) == (hssize_t)next);
  H5Sclose(space);
  H5Dclose(d);
  trace_back *trace = read_rows(f, "trace", trace_back_type(), runs[LONG_TASK].trace_start - 1,
                                LONG_EVALS + 2);
  CHECK(trace[0].task_id == LONG_TASK - 1 && trace[LONG_EVALS + 1].task_id == LONG_TASK + 1);
  for (long i = 1; i <= LONG_EVALS; i++)
    CHECK(trace[i].task_id == LONG_TASK && trace[i].eval == i &&
          trace[i].measured_ms == 2.0 + LONG_TASK);
  free(trace);
  free(runs);
  H5Fclose(f);
}

/* 10,000 tasks (one of 9,000 evaluations, the others of 100) arriving out of order in
 * windows of 64: the writer's peak memory grows by less than 100 MB, and the complete file
 * has every row in order. */
static void test_large_sweep(void) {
  static const char text[] = "[sweep]\nseeds = 1-2500\n[benchmark]\ntype = seed\n"
                             "instances = 1-2\n[algorithm random]\n[algorithm quick]\n"
                             "type = random\npreset = quick\n";
  mfbo_job big;
  mfbo_error err;
  CHECK(mfbo_job_load_text("big.ini", text, &big, &err) == 0);
  mfbo_benchmark **b = build_benches(&big);
  uint64_t n;
  mfbo_task *t = mfbo_tasks_make(&big, &n);
  CHECK(n == 10000);
  long before_kb = peak_rss_kb();
  mfbo_store *s = mfbo_store_open(in_dir("big.h5"), &big, b, &prov, MFBO_STORE_NEW, &err);
  CHECK(s != NULL);
  mfbo_run_result r = {.n_params = N_PARAMS,
                       .trace = calloc(LONG_EVALS, sizeof(mfbo_trace_row)),
                       .trace_cfg = calloc(LONG_EVALS * N_PARAMS, sizeof(int)),
                       .incumbent_cfg = calloc(N_PARAMS, sizeof(int))};
  for (uint64_t i = 0; s && i < n; i++) {
    uint64_t id = (i & ~(uint64_t)63) + 63 - (i & 63); /* reversed within windows of 64 */
    if (id >= n) id = i;
    fake_result(&r, id, id == LONG_TASK ? LONG_EVALS : BIG_EVALS);
    CHECK(mfbo_store_append(s, &t[id], &r, 1.0, 1, &err) == 0);
  }
  CHECK(s && mfbo_store_finish(s, &err) == 0);
  mfbo_store_close(s);
  long grown_mb = (peak_rss_kb() - before_kb) / 1024;
  fprintf(stderr, "test_store: 10,000 tasks, 1 million evaluations: peak memory grew by %ld MB\n",
          grown_mb);
#ifndef __SANITIZE_ADDRESS__ /* AddressSanitizer's quarantine keeps freed memory */
  CHECK(grown_mb < 100);
#endif
  check_big_file(in_dir("big.h5"), n);
  mfbo_run_result_free(&r);
  free(t);
  free_benches(b, big.n_instances);
  mfbo_job_free(&big);
}

/* ---------------------------------------------------------------- the journal */

#define J_TASKS 8
#define J_RECORDS 5 /* a note, then tasks 0 .. J_RECORDS-1 */
static const char j_job[] = "[sweep]\nname = journal-test\n";

/* The payload of task t: 13 t + 7 bytes that depend on t. */
static size_t j_payload(uint64_t t, unsigned char *buf) {
  size_t n = (size_t)t * 13 + 7;
  for (size_t i = 0; i < n; i++) buf[i] = (unsigned char)(t * 31 + i * 7);
  return n;
}

static long file_size(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static void write_bytes(const char *path, const char *bytes, size_t n) {
  FILE *f = fopen(path, "wb");
  CHECK(f && fwrite(bytes, 1, n, f) == n);
  if (f) fclose(f);
}

/* A journal of a note and J_RECORDS tasks; ends[0] is where the note ends, ends[t + 1] where
 * task t's record ends. */
static void make_journal(const char *path, long ends[J_RECORDS + 1]) {
  mfbo_error err;
  unsigned char buf[256];
  unlink(path);
  mfbo_journal *j = mfbo_journal_create(path, j_job, J_TASKS, &err);
  CHECK(j != NULL);
  if (!j) return;
  CHECK(mfbo_journal_append(j, MFBO_JOURNAL_NOTE, 0, "a note", 7, &err) == 0);
  ends[0] = file_size(path);
  for (uint64_t t = 0; t < J_RECORDS; t++) {
    CHECK(mfbo_journal_append(j, t, (int32_t)t + 100, buf, j_payload(t, buf), &err) == 0);
    ends[t + 1] = file_size(path);
  }
  mfbo_journal_close(j);
}

/* j holds the note and exactly tasks 0 .. n-1, with their payloads and ranks. */
static void check_journal(mfbo_journal *j, uint64_t n) {
  unsigned char want[256];
  char *data;
  size_t len;
  int32_t rank;
  mfbo_error err;
  CHECK(mfbo_journal_n_tasks_done(j) == n && mfbo_journal_n_notes(j) == 1);
  CHECK(mfbo_journal_read_note(j, 0, &data, &len, &err) == 0 && len == 7 &&
        strcmp(data, "a note") == 0);
  free(data);
  for (uint64_t t = 0; t < J_TASKS; t++) {
    CHECK(mfbo_journal_has(j, t) == (t < n));
    if (t >= n) continue;
    size_t want_len = j_payload(t, want);
    CHECK(mfbo_journal_read(j, t, &data, &len, &rank, &err) == 0);
    CHECK(data && len == want_len && memcmp(data, want, len) == 0 && rank == (int32_t)t + 100);
    free(data);
  }
}

/* Cut at every byte offset of its last two records, a journal resumes with exactly the
 * records that were whole, the file cut after them, and takes the next record there. */
static void test_journal_torn(void) {
  const char *full = in_dir("j.partial"), *cut = in_dir("cut.partial");
  long ends[J_RECORDS + 1];
  unsigned char buf[256];
  make_journal(full, ends);
  size_t size;
  char *bytes = file_bytes(full, &size);
  CHECK(bytes && (long)size == ends[J_RECORDS]);
  for (long at = ends[J_RECORDS - 2]; bytes && at <= (long)size; at++) {
    write_bytes(cut, bytes, (size_t)at);
    uint64_t whole = 0;
    while (whole < J_RECORDS && ends[whole + 1] <= at) whole++;
    mfbo_error err;
    mfbo_journal *j = mfbo_journal_open(cut, j_job, J_TASKS, &err);
    CHECK(j != NULL);
    if (!j) continue;
    check_journal(j, whole);
    CHECK(mfbo_journal_dropped(j) == (uint64_t)(at - ends[whole]));
    CHECK(file_size(cut) == ends[whole]);
    CHECK(mfbo_journal_append(j, whole, (int32_t)whole + 100, buf, j_payload(whole, buf),
                              &err) == 0);
    mfbo_journal_close(j);
    j = mfbo_journal_open(cut, j_job, J_TASKS, &err);
    CHECK(j && mfbo_journal_dropped(j) == 0);
    if (j) check_journal(j, whole + 1);
    mfbo_journal_close(j);
  }
  free(bytes);
}

/* Opens bytes as a journal: it keeps tasks 0 .. whole-1 and the first kept bytes. */
static void check_damaged(const char *what, const char *bytes, size_t n, uint64_t whole,
                          long kept) {
  const char *path = in_dir("bad.partial");
  int failures = check_failures;
  mfbo_error err;
  write_bytes(path, bytes, n);
  mfbo_journal *j = mfbo_journal_open(path, j_job, J_TASKS, &err);
  CHECK(j != NULL);
  if (j) {
    check_journal(j, whole);
    CHECK(mfbo_journal_dropped(j) == (uint64_t)((long)n - kept) && file_size(path) == kept);
  }
  mfbo_journal_close(j);
  if (check_failures != failures) fprintf(stderr, "test_store: ... with %s\n", what);
}

/* A garbage tail, a flipped byte in the last record: the CRC finds them; the file is cut
 * there. A flipped byte in a middle record: only that record is skipped. */
static void test_journal_corrupt(void) {
  long ends[J_RECORDS + 1];
  make_journal(in_dir("j.partial"), ends);
  size_t size;
  char *bytes = file_bytes(in_dir("j.partial"), &size);
  char *b = malloc(size + 100);
  CHECK(bytes && b);
  if (!bytes || !b) return;
  memcpy(b, bytes, size);
  for (int i = 0; i < 100; i++) b[size + (size_t)i] = (char)(i * 37 + 11);
  check_damaged("a garbage tail", b, size + 100, J_RECORDS, (long)size);
  memcpy(b + size, bytes + ends[3], 40); /* the head of a record, and a little of its payload */
  check_damaged("a record head at the end", b, size + 40, J_RECORDS, (long)size);
  b[size - 3] ^= 0x10;
  check_damaged("a flipped byte in the last payload", b, size, J_RECORDS - 1, ends[J_RECORDS - 1]);
  memcpy(b, bytes, size);
  b[ends[J_RECORDS - 1] + 12] ^= 0x01; /* the task_id of the last record */
  check_damaged("a flipped byte in the last record's head", b, size, J_RECORDS - 1,
                ends[J_RECORDS - 1]);
  /* a flipped byte in a middle record (its payload, then its head's length): that record is
   * skipped, the whole records after it are kept, nothing is cut (issue 14, case 6) */
  for (int in_head = 0; in_head < 2; in_head++) {
    const char *path = in_dir("bad.partial");
    int failures = check_failures;
    mfbo_error err;
    unsigned char rec[256];
    memcpy(b, bytes, size);
    b[ends[1] + (in_head ? 5 : 30)] ^= 0x40; /* task 1 */
    write_bytes(path, b, size);
    mfbo_journal *j = mfbo_journal_open(path, j_job, J_TASKS, &err);
    CHECK(j != NULL);
    if (!j) continue;
    uint64_t first = 0;
    CHECK(mfbo_journal_n_tasks_done(j) == J_RECORDS - 1 && !mfbo_journal_has(j, 1) &&
          mfbo_journal_has(j, 0) && mfbo_journal_has(j, J_RECORDS - 1));
    CHECK(mfbo_journal_damaged(j, &first) == (uint64_t)(ends[2] - ends[1]) &&
          first == (uint64_t)ends[1]);
    CHECK(mfbo_journal_dropped(j) == 0 && file_size(path) == (long)size);
    /* task 1 runs again: appended at the end, found by the next open beside the others */
    CHECK(mfbo_journal_append(j, 1, 101, rec, j_payload(1, rec), &err) == 0);
    mfbo_journal_close(j);
    j = mfbo_journal_open(path, j_job, J_TASKS, &err);
    CHECK(j != NULL);
    if (j) {
      check_journal(j, J_RECORDS);
      CHECK(mfbo_journal_damaged(j, NULL) == (uint64_t)(ends[2] - ends[1]));
    }
    mfbo_journal_close(j);
    if (check_failures != failures)
      fprintf(stderr, "test_store: ... with a flipped byte in a middle record's %s\n",
              in_head ? "head" : "payload");
  }
  free(b);
  free(bytes);
}

/* Another job's journal, a damaged header, a second open, a task out of range or twice. */
static void test_journal_refusals(void) {
  const char *path = in_dir("j.partial");
  long ends[J_RECORDS + 1];
  mfbo_error err;
  make_journal(path, ends);
  size_t n;
  char *before = file_bytes(path, &n);
  CHECK(mfbo_journal_open(path, "[sweep]\nname = another\n", J_TASKS, &err) == NULL);
  CHECK(strstr(err.msg, "j.partial was made from a different job: [sweep] name: journal-test "
                        "in the journal, another now"));
  CHECK(mfbo_journal_create(path, j_job, J_TASKS, &err) == NULL && strstr(err.msg, "exists"));
  CHECK(same_bytes(before, n, path));
  before[40] ^= 0x01; /* in the job text */
  write_bytes(in_dir("header.partial"), before, n);
  CHECK(mfbo_journal_open(in_dir("header.partial"), j_job, J_TASKS, &err) == NULL);
  CHECK(strstr(err.msg, "header.partial has a damaged header") != NULL);
  free(before);

  mfbo_journal *a = mfbo_journal_open(path, j_job, J_TASKS, &err);
  mfbo_journal *b = mfbo_journal_open(path, j_job, J_TASKS, &err);
  CHECK(a != NULL && b == NULL);
  CHECK(strstr(err.msg, "j.partial is being written by another mfbo-sweep") != NULL);
  CHECK(mfbo_journal_remove(path, &err) != 0 && exists(path));
  CHECK(a && mfbo_journal_append(a, J_TASKS, 0, "x", 1, &err) != 0);
  CHECK(a && mfbo_journal_append(a, 0, 0, "x", 1, &err) != 0 && strstr(err.msg, "already"));
  mfbo_journal_close(a);
  b = mfbo_journal_open(path, j_job, J_TASKS, &err);
  CHECK(b != NULL && mfbo_journal_dropped(b) == 0);
  if (b) check_journal(b, J_RECORDS);
  mfbo_journal_close(b);
  CHECK(mfbo_journal_remove(path, &err) == 0 && !exists(path));
}

#define MIDWAY_EVALS 1500 /* results of ~120 KB: the child spends its time writing them */

/* A made-up result of task id for test_killed_midway. */
static void midway_result(mfbo_run_result *r, uint64_t id) {
  fake_result(r, id, MIDWAY_EVALS + (long)(id % 7));
}

/* A child appends a sweep's tasks (out of order) and is killed with SIGKILL while it does,
 * four times, each child resuming the last one's partial; the parent resumes the last and
 * finishes it: /runs, /trace and /benchmark are those of a sweep run straight through. */
static void test_killed_midway(void) {
  static const char text[] = "[sweep]\nseeds = 1-25\n[benchmark]\ntype = seed\n"
                             "instances = 1-2\n[algorithm random]\n[algorithm quick]\n"
                             "type = random\npreset = quick\n";
  mfbo_job kj;
  mfbo_error err;
  CHECK(mfbo_job_load_text("midway.ini", text, &kj, &err) == 0);
  mfbo_benchmark **b = build_benches(&kj);
  uint64_t n;
  mfbo_task *t = mfbo_tasks_make(&kj, &n);
  mfbo_run_result r = {.n_params = N_PARAMS,
                       .trace = calloc(MIDWAY_EVALS + 7, sizeof(mfbo_trace_row)),
                       .trace_cfg = calloc((MIDWAY_EVALS + 7) * N_PARAMS, sizeof(int)),
                       .incumbent_cfg = calloc(N_PARAMS, sizeof(int))};
  const char *path = in_dir("midway.h5");
  mfbo_store *s = mfbo_store_open(in_dir("straight.h5"), &kj, b, &prov, MFBO_STORE_NEW, &err);
  for (uint64_t id = 0; s && id < n; id++) {
    midway_result(&r, id);
    CHECK(mfbo_store_append(s, &t[id], &r, 1.0, 1, &err) == 0);
  }
  CHECK(s && mfbo_store_finish(s, &err) == 0);
  mfbo_store_close(s);
  for (int kill_no = 0; kill_no < 4; kill_no++) {
    int ready[2];
    CHECK(pipe(ready) == 0);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
      mfbo_store *c = mfbo_store_open(path, &kj, b, &prov, MFBO_STORE_RESUME, &err);
      uint64_t done = 0;
      for (uint64_t i = 0; c && i < n; i++) {
        uint64_t id = i * 7919 % n; /* a permutation: 7919 is prime */
        if (mfbo_store_has_task(c, id)) continue;
        midway_result(&r, id);
        if (mfbo_store_append(c, &t[id], &r, 1.0, 1, &err) != 0) _exit(3);
        if (++done == 5 && write(ready[1], "k", 1) != 1) _exit(4);
      }
      if (done < 5 && write(ready[1], "k", 1) != 1) _exit(4);
      for (;;) pause(); /* never finishes: killed */
    }
    char x;
    CHECK(read(ready[0], &x, 1) == 1);
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    close(ready[0]);
    close(ready[1]);
  }
  s = mfbo_store_open(path, &kj, b, &prov, MFBO_STORE_RESUME, &err);
  CHECK(s != NULL && mfbo_store_n_done(s) >= 20);
  if (s) fprintf(stderr, "test_store: 4 kills mid-way left %" PRIu64 " of %" PRIu64 " tasks\n",
                 mfbo_store_n_done(s), n);
  for (uint64_t id = 0; s && id < n; id++) {
    if (mfbo_store_has_task(s, id)) continue;
    midway_result(&r, id);
    CHECK(mfbo_store_append(s, &t[id], &r, 1.0, 1, &err) == 0);
  }
  CHECK(s && mfbo_store_finish(s, &err) == 0);
  mfbo_store_close(s);
  check_same_tables(in_dir("straight.h5"), path);
  mfbo_run_result_free(&r);
  free(t);
  free_benches(b, kj.n_instances);
  mfbo_job_free(&kj);
}

/* ---------------------------------------------------------------- main */

static void remove_dir(void) {
  DIR *d = opendir(dir);
  struct dirent *e;
  while (d && (e = readdir(d)))
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) unlink(in_dir(e->d_name));
  if (d) closedir(d);
  rmdir(dir);
}

int main(int argc, char **argv) {
  snprintf(dir, sizeof dir, "/tmp/test_store.XXXXXX");
  mfbo_error err;
  if (!mkdtemp(dir) || mfbo_job_load_text("store-test.ini", job_text, &job, &err) != 0) {
    mfbo_error_print(&err, stderr);
    return 1;
  }
  test_large_sweep(); /* first, so that its memory is measured from a small start */
  benches = build_benches(&job);
  tasks = mfbo_tasks_make(&job, &n_tasks);
  CHECK(n_tasks == 16);
  run_tasks();
  order_a = malloc(n_tasks * sizeof *order_a);
  order_b = malloc(n_tasks * sizeof *order_b);
  shuffled(order_a, 1);
  for (uint64_t i = 0; i < n_tasks; i++) order_b[i] = n_tasks - 1 - i;
  CHECK(order_a[0] != 0 || order_a[1] != 1);

  test_complete_files();
  test_resume();
  test_new_refuses_existing();
  test_different_job();
  test_foreign_files();
  test_newer_format();
  test_labels_and_names();
  test_two_writers();
  test_killed_writer("killed.h5", 1);
  test_killed_writer("exited.h5", 0);
  test_journal_torn();
  test_journal_corrupt();
  test_journal_refusals();
  test_killed_midway();
  if (argc > 1) test_python_example(argv[1]);

  if (check_failures == 0 && !getenv("TEST_STORE_KEEP")) remove_dir();
  else fprintf(stderr, "test_store: files kept in %s\n", dir);
  for (uint64_t t = 0; t < n_tasks; t++) mfbo_run_result_free(&results[t]);
  free(results);
  free(order_a);
  free(order_b);
  free(tasks);
  free_benches(benches, job.n_instances);
  mfbo_job_free(&job);
  CHECK_DONE();
}
