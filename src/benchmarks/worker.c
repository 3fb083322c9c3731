/* worker.c: the `worker` benchmark: a live landscape measured by a persistent worker
 * process, the way Helion, TVM/Ansor and Inductor measure kernels: the command is started
 * once (per rank: one worker per GPU), pays its start-up (Python, torch, CUDA context,
 * inputs) once, and is then fed configurations as JSON lines (docs/live.md):
 *   worker -> {"ready": true[, "device": "...", "device_index": N, "reset": true]}
 *   runner -> {"config": {"NAME": value, ...}, "reps": N}
 *   worker -> {"time_ms": [t1, ...][, "compile_s": x]}  or  {"failed": "why"}
 *   runner -> {"reset": true}   (at each run's start, if the worker said it can reset)
 * The measured time is the median of the times; an evaluation's cost is its wall time in
 * the worker, and each run is charged the worker's start-up once. A worker that exits, is
 * killed, writes anything but an answer, or overruns timeout_s has its process group
 * killed; the configuration is invalid (INFINITY) and the next evaluation starts a fresh
 * worker. So does a {"failed"} whose text names a sticky CUDA error, which leaves the
 * context unusable. The child process itself is core/child.c's. */
#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "core/child.h"
#include "core/clock.h"
#include "core/space_json.h"
#include "live.h"
#include "mfbo/benchmark.h"

#define WORKER_MAX_LINE ((size_t)16 << 20) /* bytes of one answer */
#define WORKER_STOP_GRACE_S 2.0            /* for it to exit at the end of its input */

/* The worker process: mutable behind the benchmark's const state. */
typedef struct {
  mfbo_child *child;  /* NULL: not running */
  int can_reset;      /* its ready line said "reset": true */
  double startup_s;   /* wall time of its last start, up to its ready line */
  double pending_s;   /* start-up to charge to the next evaluation (a new run's) */
  long starts;
} worker_proc;

typedef struct {
  char *command; /* as written; run as /bin/sh -c "exec COMMAND" */
  char *dir;     /* the job file's directory (NULL: the current one) */
  double timeout_s, start_timeout_s;
  int final_reps;
  int report_failures;
  worker_proc *proc;
} worker_state;

/* ---------------------------------------------------------------- the type */

static void worker_stop(worker_proc *p) {
  if (!p->child) return;
  mfbo_child_stop(p->child, WORKER_STOP_GRACE_S);
  mfbo_child_free(p->child);
  p->child = NULL;
}

static void worker_free(void *vstate) {
  worker_state *st = vstate;
  if (st->proc) worker_stop(st->proc);
  free(st->proc);
  free(st->command);
  free(st->dir);
  memset(st, 0, sizeof *st);
}

static int worker_init(void *vstate, mfbo_settings *settings, int instance, mfbo_space *space,
                       mfbo_error *err) {
  (void)instance; /* one machine, one landscape: every instance is the same */
  worker_state *st = vstate;
  static const char *const failure_choices[] = {"report", "silent", NULL};
  int failures = 0;
  st->timeout_s = 60;
  st->start_timeout_s = 300;
  st->final_reps = 100;
  mfbo_setting *command = mfbo_settings_take(settings, "command");
  if (mfbo_settings_get_double(settings, "timeout_s", 0.001, 1e6, &st->timeout_s, err) ||
      mfbo_settings_get_double(settings, "start_timeout_s", 0.001, 1e6, &st->start_timeout_s,
                               err) ||
      mfbo_settings_get_int(settings, "final_reps", 1, 1000000, &st->final_reps, err) ||
      mfbo_settings_get_choice(settings, "failures", failure_choices, &failures, err))
    return -1;
  st->report_failures = failures == 0;
  if (!command || !command->value[0]) {
    mfbo_error_set(err, command ? command->line : settings->line,
                   "missing key 'command' in [benchmark] (the worker program, e.g. command = "
                   "python3 worker_matmul.py)");
    return -1;
  }
  size_t n = strlen(command->value) + 6;
  if (!(st->command = malloc(n)) || !(st->proc = calloc(1, sizeof *st->proc)) ||
      (settings->dir && !(st->dir = strdup(settings->dir)))) {
    mfbo_error_set(err, command->line, "out of memory");
    return -1;
  }
  snprintf(st->command, n, "exec %s", command->value); /* the worker is the child itself */
  return mfbo_live_add_params(settings, space, err);
}

/* ---------------------------------------------------------------- talking to it */

/* Why an evaluation failed, for the report. */
typedef struct {
  char text[400];
  int restart; /* the worker must be started anew */
} worker_why;

static void why_set(worker_why *w, int restart, const char *text) {
  snprintf(w->text, sizeof w->text, "%s", text);
  w->restart = restart;
}

/* "...: <what>; stderr: <tail>" for a worker that misbehaved (it is killed after). */
static void why_broken(worker_why *w, const worker_proc *p, const char *what) {
  char how[96] = "", tail[160] = "";
  int status;
  if (mfbo_child_reaped(p->child, &status) || mfbo_child_wait(p->child, mfbo_now_s() + 0.2) == 0)
    mfbo_child_exit_text(p->child, how, sizeof how);
  mfbo_child_stderr_tail(p->child, tail, sizeof tail);
  snprintf(w->text, sizeof w->text, "%s%s%s%s (worker restarted)", what, how,
           tail[0] ? "; stderr: " : "", tail);
  w->restart = 1;
}

/* Reads one answer line, parsed; NULL (why set) when there is none by the deadline. */
static json_t *read_answer(worker_proc *p, double deadline_s, const char *waiting_for,
                           worker_why *w) {
  char *line = NULL, what[200];
  mfbo_child_io io = mfbo_child_read_line(p->child, deadline_s, &line);
  if (io != MFBO_CHILD_OK) {
    if (io == MFBO_CHILD_TIMEOUT)
      snprintf(what, sizeof what, "no %s within its time-out (killed)", waiting_for);
    else if (io == MFBO_CHILD_TOO_LONG)
      snprintf(what, sizeof what, "an answer longer than %zu bytes", WORKER_MAX_LINE);
    else if (mfbo_child_pending(p->child) > 0)
      snprintf(what, sizeof what, "it ended in the middle of a line, before its %s",
               waiting_for);
    else
      snprintf(what, sizeof what, "it ended its output before its %s", waiting_for);
    why_broken(w, p, what);
    return NULL;
  }
  json_error_t jerr;
  json_t *msg = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
  if (!json_is_object(msg)) {
    char text[64];
    snprintf(text, sizeof text, "%.50s", line);
    for (char *c = text; *c; c++)
      if ((unsigned char)*c < ' ' || (unsigned char)*c > '~') *c = '?';
    snprintf(what, sizeof what, "its %s is not a JSON object: '%s'", waiting_for, text);
    json_decref(msg);
    why_broken(w, p, what);
    return NULL;
  }
  return msg;
}

/* Waits for {"ready": true}; -1 (why set) if it does not come. */
static int await_ready(worker_proc *p, double deadline_s, worker_why *w) {
  json_t *msg = read_answer(p, deadline_s, "ready line", w);
  if (!msg) return -1;
  int ok = json_is_true(json_object_get(msg, "ready"));
  if (ok) p->can_reset = json_is_true(json_object_get(msg, "reset"));
  json_decref(msg);
  if (!ok) why_broken(w, p, "its first line is not {\"ready\": true}");
  return ok ? 0 : -1;
}

static void kill_worker(worker_proc *p) {
  mfbo_child_free(p->child);
  p->child = NULL;
}

/* Starts the worker and waits for it to be ready; -1 (why set) if it cannot. */
static int start_worker(const worker_state *st, worker_why *w) {
  worker_proc *p = st->proc;
  char *argv[] = {"/bin/sh", "-c", st->command, NULL};
  mfbo_child_spec spec = {.argv = argv, .dir = st->dir, .talk = 1,
                          .stderr_mode = MFBO_CHILD_STDERR_KEEP, .max_line = WORKER_MAX_LINE};
  int errnum = 0;
  double t0 = mfbo_now_s();
  p->starts++;
  if (!(p->child = mfbo_child_start(&spec, &errnum))) {
    char what[160];
    snprintf(what, sizeof what, "cannot start the worker: %s", strerror(errnum));
    why_set(w, 1, what);
    return -1;
  }
  if (await_ready(p, t0 + st->start_timeout_s, w) != 0) {
    kill_worker(p);
    return -1;
  }
  p->startup_s = mfbo_now_s() - t0;
  return 0;
}

/* Does a failure's text say the CUDA context is damaged (Helion's sticky errors)? */
static int sticky_error(const char *text) {
  static const char *const words[] = {"illegal memory access", "misaligned address",
                                      "unspecified launch failure", "illegal instruction",
                                      NULL};
  size_t n = strlen(text);
  char *low = malloc(n + 1);
  if (!low) return 0;
  for (size_t i = 0; i <= n; i++) low[i] = (char)tolower((unsigned char)text[i]);
  int sticky = 0;
  for (int i = 0; words[i] && !sticky; i++) sticky = strstr(low, words[i]) != NULL;
  free(low);
  return sticky;
}

/* The median of an answer's times, or INFINITY with why set. */
static double time_of(json_t *msg, worker_proc *p, worker_why *w) {
  json_t *failed = json_object_get(msg, "failed"), *times = json_object_get(msg, "time_ms");
  if (failed) {
    const char *text = json_is_string(failed) ? json_string_value(failed) : "(no reason given)";
    char what[300];
    snprintf(what, sizeof what, "failed: %.250s", text);
    why_set(w, sticky_error(text), what);
    return INFINITY;
  }
  size_t n = json_is_array(times) ? json_array_size(times) : 0;
  double *t = n ? malloc(n * sizeof *t) : NULL;
  int ok = t != NULL;
  for (size_t i = 0; ok && i < n; i++) {
    json_t *v = json_array_get(times, i);
    t[i] = json_is_number(v) ? json_number_value(v) : -1;
    ok = isfinite(t[i]) && t[i] >= 0;
  }
  double median = INFINITY;
  if (ok) {
    gsl_sort(t, 1, n);
    median = gsl_stats_median_from_sorted_data(t, 1, n);
  } else {
    why_broken(w, p, "its answer is neither {\"time_ms\": [numbers >= 0, ...]} nor "
                     "{\"failed\": \"why\"}");
  }
  free(t);
  return median;
}

/* Sends one configuration and reads its answer. */
static double ask_worker(const worker_state *st, const mfbo_space *space, const int *cfg,
                         int reps, worker_why *w) {
  worker_proc *p = st->proc;
  json_t *req = json_pack("{s:o?, s:i}", "config", mfbo_space_config_json(space, cfg), "reps",
                          reps);
  char *text = req ? json_dumps(req, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
  json_decref(req);
  if (!text) {
    why_set(w, 0, "out of memory");
    return INFINITY;
  }
  double deadline = mfbo_now_s() + st->timeout_s;
  mfbo_child_io io = mfbo_child_write_line(p->child, text, deadline);
  free(text);
  if (io != MFBO_CHILD_OK) {
    why_broken(w, p, io == MFBO_CHILD_TIMEOUT ? "it did not read its input within timeout_s"
                                              : "it stopped reading its input");
    return INFINITY;
  }
  json_t *msg = read_answer(p, deadline, "answer", w);
  if (!msg) return INFINITY;
  double ms = time_of(msg, p, w);
  json_decref(msg);
  return ms;
}

static void report(const worker_state *st, const mfbo_space *space, const int *cfg, int reps,
                   const worker_why *w) {
  if (!st->report_failures) return;
  char where[1024];
  mfbo_space_format(space, cfg, where, sizeof where);
  fprintf(stderr, "worker benchmark: %s (reps %d): %s\n", where, reps, w->text);
}

static void worker_measure_live(const void *vstate, const mfbo_space *space, const int *cfg,
                                int reps, int compiled, double *measured_ms, double *cost_s) {
  (void)compiled; /* the worker's wall time says what compiling cost */
  const worker_state *st = vstate;
  worker_proc *p = st->proc;
  worker_why w = {"", 0};
  double t0 = mfbo_now_s(), charged = 0;
  if (reps == 0) {
    reps = st->final_reps; /* the final re-measurement: not the search's cost */
  } else {
    charged = p->pending_s;
    p->pending_s = 0;
  }
  *measured_ms = INFINITY;
  if (p->child || start_worker(st, &w) == 0) *measured_ms = ask_worker(st, space, cfg, reps, &w);
  if (!isfinite(*measured_ms)) report(st, space, cfg, reps, &w);
  if (w.restart && p->child) kill_worker(p);
  *cost_s = mfbo_now_s() - t0 + charged;
}

/* A run starts: it is charged the start-up of the worker it inherits, which forgets what it
 * compiled (when it can) so that every run pays its own compiles. */
static void worker_begin_run(const void *vstate) {
  const worker_state *st = vstate;
  worker_proc *p = st->proc;
  p->pending_s = 0;
  if (!p->child) return; /* its first evaluation starts one, and pays for it */
  p->pending_s = p->startup_s;
  if (!p->can_reset) return;
  worker_why w = {"", 0};
  double deadline = mfbo_now_s() + st->start_timeout_s;
  if (mfbo_child_write_line(p->child, "{\"reset\":true}", deadline) != MFBO_CHILD_OK ||
      await_ready(p, deadline, &w) != 0) {
    if (st->report_failures) fprintf(stderr, "worker benchmark: reset: %s\n", w.text);
    kill_worker(p);
    p->pending_s = 0;
  }
}

const mfbo_benchmark_type mfbo_benchmark_worker = {
    .name = "worker",
    .summary = "a live landscape timed by a persistent worker process fed JSON lines "
               "(command = ..., param.NAME = values; docs/live.md)",
    .state_size = sizeof(worker_state),
    .init = worker_init,
    .free = worker_free,
    .measure_live = worker_measure_live,
    .begin_run = worker_begin_run,
};
