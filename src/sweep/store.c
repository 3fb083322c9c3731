/* store.c: the results file in HDF5, format version 1 (docs/results-format.md); the only
 * HDF5 writer of the project. While a sweep runs, each finished task goes, packed by
 * mfbo_wire_pack, into the journal FILE.partial (journal.c: not HDF5, since a process killed
 * during HDF5's metadata writes leaves an unreadable file); the journal also keeps one note
 * per session (its provenance). mfbo_store_finish writes FILE.tmp from the journal in task_id
 * order, one task at a time, fsyncs it and renames it to FILE. What the file means is here:
 * create, resume, force, finish, and the sessions' provenance; how HDF5 tables are typed and
 * written is in src/h5/ (the tables' rows: src/h5/schema.h, shared with the reader). Two
 * rules: never keep more than one task's result and one block of rows in memory (a sweep of
 * 10,000 tasks stays far below 100 MB), and
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

#include "appender.h"
#include "attr.h"
#include "digest.h"
#include "fail.h"
#include "h5types.h"
#include "h5util.h"
#include "journal.h"
#include "core/child.h"
#include "core/path.h"
#include "core/stream.h"
#include "core/version.h"
#include "packer.h"
#include "schema.h"
#include "verify.h"
#include "wire.h"

#ifndef MFBO_VERSION
#define MFBO_VERSION "unknown"
#endif

#define FORMAT_NAME "mfbo-sweep"
#define TRACE_CHUNK_ROWS 4096 /* chunks of /trace; also the most trace rows in memory at once */
#define TABLE_CHUNK_ROWS 1024 /* chunks of /runs and /timing, and their rows in memory */
/* --resume reads a complete FILE (its root attributes, every dataset) in a child process
 * first; it has this long, plus a second per this many bytes (the child reads 15-60 MB/s
 * on the 2-core VM: docs/results-format.md). */
#define RESUME_CHECK_TIMEOUT_S 10.0
#define RESUME_CHECK_BYTES_PER_S 1e6

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
  mfbo_h5_table_type runs_t, trace_t, timing_t, instances_t;
};

/* ---------------------------------------------------------------- errors */

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
  mfbo_h5_explain(err);
  return -1;
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


/* ---------------------------------------------------------------- the store object */

static void store_free(mfbo_store *s) {
  if (!s) return;
  mfbo_journal_close(s->journal);
  mfbo_h5_table_type_free(&s->runs_t);
  mfbo_h5_table_type_free(&s->trace_t);
  mfbo_h5_table_type_free(&s->timing_t);
  mfbo_h5_table_type_free(&s->instances_t);
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
  mfbo_h5_table_type *types[] = {&s->runs_t, &s->trace_t, &s->timing_t, &s->instances_t};
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
  if (mfbo_h5_runs_type(&s->runs_t, s->space) || mfbo_h5_trace_type(&s->trace_t, s->space) ||
      mfbo_h5_timing_type(&s->timing_t) || mfbo_h5_instances_type(&s->instances_t, s->space)) {
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

/* What the journal's first session recorded under key ("" for a journal older than that
 * key) against what the job uses now; an error naming what changed and how to go on. */
static int check_same(const mfbo_store *s, const char *key, const char *now,
                      const char *what, mfbo_error *err) {
  if (mfbo_journal_n_notes(s->journal) == 0) return 0;
  char *note;
  size_t len;
  if (mfbo_journal_read_note(s->journal, 0, &note, &len, err) != 0) return -1;
  const char *then = note_value(note, len, key);
  int rc = 0;
  if (then[0] && strcmp(then, now) != 0)
    rc = store_fail(err, s->path, "%s changed since the sweep started (size, CRC32, Adler-32 "
                    "and path then: %s; now: %s): resuming would mix results of the old and "
                    "the new one; restore it, or start again with --force", what, then,
                    now[0] ? now : "none");
  free(note);
  return rc;
}

/* A journal whose first session predates "streams" hashed the data file's path into its
 * runs' random streams (results-format.md); this version hashes its bytes, so resuming such
 * a sweep of a job with a data file would mix two noise streams. */
static int check_streams(const mfbo_store *s, const char *data, mfbo_error *err) {
  if (mfbo_journal_n_notes(s->journal) == 0 || !data[0]) return 0;
  char *note;
  size_t len;
  if (mfbo_journal_read_note(s->journal, 0, &note, &len, err) != 0) return -1;
  int old = note_value(note, len, "streams")[0] == '\0';
  free(note);
  if (!old) return 0;
  return store_fail(err, s->path, "this sweep was started by an older mfbo-sweep, whose "
                    "random streams depend on the data file's path (this one's depend on its "
                    "bytes): resuming would mix the two; finish it with that version, or start "
                    "again with --force");
}

static int check_inputs(const mfbo_store *s, mfbo_error *err) {
  char data[1200], programs[8192];
  mfbo_data_digest(s->job, data, sizeof data);
  mfbo_programs_digest(s->job, programs, sizeof programs);
  return check_same(s, "data", data, "the job's data file", err) ||
         check_same(s, "programs", programs, "a program the job runs (an external "
                    "searcher's or a plugin)", err) ||
         check_streams(s, data, err) ? -1 : 0;
}

/* Adds this session's note to the journal; what is "created" or "resumed". */
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
  char data[1200], programs[8192];
  mfbo_data_digest(s->job, data, sizeof data);
  mfbo_programs_digest(s->job, programs, sizeof programs);
  if (!failed && data[0]) failed = note_add(&note, &len, "data", data);
  if (!failed && programs[0]) failed = note_add(&note, &len, "programs", programs);
  if (!failed) failed = note_add(&note, &len, "streams", MFBO_STREAMS_KEY);
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
      mfbo_h5_attr_str(f, "format", FORMAT_NAME) || mfbo_h5_attr_int(f, "format_version", MFBO_FORMAT_VERSION) ||
      mfbo_h5_attr_str(f, "program_version", note_value(note, len, "program_version")) ||
      mfbo_h5_attr_str(f, "git_revision", note_value(note, len, "git_revision")) ||
      mfbo_h5_attr_str(f, "created_utc", note_value(note, len, "utc")) ||
      mfbo_h5_attr_str(f, "finished_utc", now) ||
      mfbo_h5_attr_str(f, "command_line", note_value(note, len, "command_line")) ||
      mfbo_h5_attr_int(f, "mpi_ranks", ranks) ||
      mfbo_h5_attr_str(f, "mpi_library", note_value(note, len, "mpi_library")) ||
      mfbo_h5_attr_str(f, "hdf5_version", hdf5) ||
      mfbo_h5_attr_str(f, "gsl_version", note_value(note, len, "gsl_version")) ||
      mfbo_h5_attr_str(f, "sessions", sessions) || mfbo_h5_attr_str(f, "job", job->text) ||
      mfbo_h5_attr_str(f, "job_path", note_value(note, len, "job_path")) ||
      mfbo_h5_attr_str(f, "streams", note_value(note, len, "streams")) ||
      mfbo_h5_attr_str(f, "sweep_name", job->name) || mfbo_h5_attr_u64(f, "n_tasks", s->n_tasks);
  return failed ? -1 : 0;
}

/* /benchmark/values/NAME and, for string enums, /benchmark/labels/NAME. */
static int write_parameter_values(hid_t bench, const mfbo_space *space) {
  hid_t values = H5Gcreate2(bench, "values", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  hid_t labels = H5Gcreate2(bench, "labels", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  hid_t str = mfbo_h5_string_type(0, H5T_STR_NULLPAD, H5T_CSET_UTF8);
  int ok = values >= 0 && labels >= 0 && str >= 0;
  for (int j = 0; ok && j < space->n_params; j++) {
    const mfbo_param *p = &space->params[j];
    ok = mfbo_h5_array_write(values, p->name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, p->values,
                     (hsize_t)p->n_values) == 0;
    if (ok && p->labels)
      ok = mfbo_h5_array_write(labels, p->name, str, str, p->labels, (hsize_t)p->n_values) == 0;
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
    rc = mfbo_h5_attr_strings(bench, "parameter_names", names, (hsize_t)n) ||
                 mfbo_h5_attr_strings(bench, "parameter_kinds", kinds, (hsize_t)n)
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
  mfbo_h5_appender a;
  int rc = mfbo_h5_appender_open(&a, bench, "instances", &s->instances_t, (hsize_t)n, (hsize_t)n);
  if (!cfg) rc = -1;
  for (int i = 0; rc == 0 && i < n; i++) {
    const mfbo_benchmark *b = s->benches[i];
    mfbo_h5_instance_row *row = mfbo_h5_appender_row(&a);
    double *values = (double *)(row + 1);
    memset(row, 0, a.t->row_size);
    row->instance = s->job->instances[i];
    row->optimum_ms = b->optimum_ms;
    row->size = mfbo_space_size(b->space);
    if (b->optimum_index >= 0) mfbo_space_point(b->space, (uint64_t)b->optimum_index, cfg);
    for (int j = 0; j < s->n_params; j++)
      values[j] = b->optimum_index >= 0 ? mfbo_space_value(b->space, cfg, j) : NAN;
    rc = mfbo_h5_appender_commit(&a);
  }
  if (mfbo_h5_appender_end(&a) != 0) rc = -1;
  mfbo_h5_appender_close(&a);
  free(cfg);
  return rc;
}

static int write_benchmark(hid_t f, const mfbo_store *s) {
  const mfbo_job *job = s->job;
  char *settings = mfbo_settings_canonical(&job->benchmark);
  char *space_settings = mfbo_settings_canonical(&job->space);
  hid_t g = H5Gcreate2(f, "benchmark", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  int failed = !settings || !space_settings || g < 0 ||
               mfbo_h5_attr_str(g, "name", s->benches[0]->type->name) ||
               mfbo_h5_attr_str(g, "settings", settings) || mfbo_h5_attr_str(g, "space_settings", space_settings) ||
               mfbo_h5_attr_double(g, "optimum_ms", s->benches[0]->optimum_ms) ||
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
  if (mfbo_h5_attr_read_str(f, "format", &format) != 0 || strcmp(format, FORMAT_NAME) != 0 ||
      mfbo_h5_attr_read_long(f, "format_version", &version) != 0 || version < 1)
    rc = store_fail(err, s->path, "%s is not an mfbo-sweep results file", name);
  else if (version > MFBO_FORMAT_VERSION)
    rc = store_fail(err, s->path, "%s has format version %ld, newer than this program's (%d): "
                    "use a newer mfbo-sweep", name, version, MFBO_FORMAT_VERSION);
  else if (mfbo_h5_attr_read_str(f, "job", &job) != 0)
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
    mfbo_h5_file_close(f);
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
  if (check_inputs(s, err) != 0) return -1;
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
  mfbo_h5_file_close(f);
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
      same = mfbo_h5_attr_read_str(f, "sessions", &attr) == 0 && strcmp(attr, lines) == 0;
      mfbo_h5_file_close(f);
    }
  }
  H5Eclear2(H5E_DEFAULT);
  free(first);
  free(lines);
  free(attr);
  return same;
}

/* What --resume reads of a complete FILE (open_checked, made_from_journal): its format,
 * format_version, job and sessions attributes, then every dataset through its checksums
 * (h5/verify.h), in the child of check_readable. 1 (said on stderr) when a dataset does not
 * read back; else 0: what HDF5 says of the attributes the parent reads and says again. */
static int read_file_in_child(void *path) {
  static const char *const names[] = {"format", "job", "sessions"};
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  hid_t f = H5Fis_hdf5(path) > 0 ? H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT) : H5I_INVALID_HID;
  if (f < 0) return 0;
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    char *value = NULL;
    mfbo_h5_attr_read_str(f, names[i], &value);
    free(value);
  }
  long version;
  mfbo_h5_attr_read_long(f, "format_version", &version);
  char why[600];
  int rc = mfbo_h5_verify_datasets(f, why, sizeof why);
  mfbo_h5_file_close(f);
  if (rc != 0) fprintf(stderr, "%s\n", why);
  return rc != 0;
}

/* Refuses a FILE on which HDF5 crashes or hangs, or whose data fails its checksums (a
 * damaged file: tests/fuzz/README.md): what --resume reads of it, and every dataset, is
 * read in a child process first (core/child.h), given 10 s plus 1 s per MB. */
static int check_readable(const mfbo_store *s, mfbo_error *err) {
  char why[600];
  struct stat st;
  double timeout_s = RESUME_CHECK_TIMEOUT_S +
                     (stat(s->path, &st) == 0 ? (double)st.st_size / RESUME_CHECK_BYTES_PER_S : 0);
  mfbo_child_end end = mfbo_child_call(read_file_in_child, (void *)s->path, timeout_s, why,
                                       sizeof why);
  if (end == MFBO_CHILD_RETURNED) return 0;
  if (end == MFBO_CHILD_NOT_STARTED) return store_fail(err, s->path, "%s", why);
  return store_fail(err, s->path, "damaged results file (HDF5 failed on it in a separate "
                    "process: %s)", why);
}

static int open_resume(mfbo_store *s, const mfbo_provenance *prov, mfbo_error *err) {
  int file = mfbo_path_exists(s->path), partial = mfbo_path_exists(s->partial);
  if (file && check_readable(s, err) != 0) return -1;
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
  mfbo_h5_library_init();
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
                         hsize_t trace_start, mfbo_h5_run_row *row) {
  const mfbo_job_algorithm *a = &s->job->algorithms[task->algorithm_index];
  memset(row, 0, s->runs_t.row_size);
  row->task_id = task->task_id;
  copy_text(row->algorithm, MFBO_H5_LABEL_LEN, a->label);
  copy_text(row->algorithm_type, MFBO_H5_LABEL_LEN, a->type->name);
  row->seed = task->seed;
  row->instance = s->job->instances[task->instance_index];
  row->status = (int8_t)r->status;
  copy_text(row->message, MFBO_H5_MESSAGE_LEN, r->message);
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
                           long i, mfbo_h5_trace_row *row) {
  const mfbo_trace_row *in = &r->trace[i];
  *row = (mfbo_h5_trace_row){.task_id = task->task_id, .eval = in->eval, .fidelity = in->fidelity,
                     .measured_ms = in->measured_ms, .true_ms = in->true_ms,
                     .cost_s = in->cost_s, .cum_cost_s = in->cum_cost_s,
                     .incumbent_true_ms = in->incumbent_true_ms};
  parameter_values(s->benches[task->instance_index]->space,
                   r->trace_cfg + (size_t)i * (size_t)s->n_params, (double *)(row + 1));
}

/* The tables of the complete file, filled in task_id order. */
typedef struct {
  mfbo_h5_appender runs, trace, timing;
  uint64_t trace_rows; /* rows of /trace so far */
} tables;

/* Adds a task's /runs row, its /trace rows and its /timing row. */
static int add_task_rows(const mfbo_store *s, const mfbo_task *task, const mfbo_run_result *r,
                         double wall_s, int rank, tables *w) {
  fill_run_row(s, task, r, w->trace_rows, mfbo_h5_appender_row(&w->runs));
  *(mfbo_h5_timing_row *)mfbo_h5_appender_row(&w->timing) =
      (mfbo_h5_timing_row){.task_id = task->task_id, .rank = rank, .wall_s = wall_s};
  if (mfbo_h5_appender_commit(&w->runs) != 0 || mfbo_h5_appender_commit(&w->timing) != 0) return -1;
  for (long i = 0; i < r->n_evals; i++) {
    fill_trace_row(s, task, r, i, mfbo_h5_appender_row(&w->trace));
    if (mfbo_h5_appender_commit(&w->trace) != 0) return -1;
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
  mfbo_h5_packer pk;
  if (mfbo_h5_packer_start(&pk) != 0) return h5_fail(err, s->path, "out of memory writing %s", s->tmp);
  int rc = mfbo_h5_appender_open(&w.runs, f, "runs", &s->runs_t, rows, rows);
  if (mfbo_h5_appender_open(&w.trace, f, "trace", &s->trace_t, TRACE_CHUNK_ROWS, TRACE_CHUNK_ROWS))
    rc = -1;
  if (mfbo_h5_appender_open(&w.timing, f, "timing", &s->timing_t, rows, rows)) rc = -1;
  w.runs.pk = w.trace.pk = w.timing.pk = &pk;
  if (rc != 0) rc = h5_fail(err, s->path, "cannot write %s", s->tmp);
  for (uint64_t t = 0; rc == 0 && t < s->n_tasks; t++) rc = write_task(s, t, &w, err);
  int ended = mfbo_h5_appender_end(&w.runs) == 0;
  ended = mfbo_h5_appender_end(&w.trace) == 0 && ended;
  ended = mfbo_h5_appender_end(&w.timing) == 0 && ended;
  ended = mfbo_h5_packer_drain(&pk) == 0 && ended;
  mfbo_h5_packer_stop(&pk);
  mfbo_h5_appender_close(&w.runs);
  mfbo_h5_appender_close(&w.trace);
  mfbo_h5_appender_close(&w.timing);
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
  if (f >= 0 && mfbo_h5_file_close(f) < 0 && rc == 0) rc = h5_fail(err, s->path, "cannot write %s", s->tmp);
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
