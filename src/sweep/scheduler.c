/* scheduler.c: dynamic task scheduling over MPI. Rank 0 is the manager: it answers each
 * worker's request with the next task (or a stop), and writes results to the store as they
 * arrive, so it holds no trace longer than it takes to write it. Results do not depend on
 * which rank ran a task: a run is a pure function of its task. */
#include "scheduler.h"
#include "wire.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* TAG_TASK carries one or more task indices (a chunk); a worker returns each result but the
 * last of a chunk as TAG_RESULT_MORE (no answer wanted), the last as TAG_RESULT. */
enum { TAG_READY = 1, TAG_RESULT = 2, TAG_TASK = 3, TAG_STOP = 4, TAG_RESULT_MORE = 5 };

/* Chunks: a worker gets as many tasks of a label at once as take about CHUNK_TARGET_S by
 * the label's mean so far (at most CHUNK_MAX), so that rank 0 answers one message per chunk
 * instead of one per task when tasks are short; a label not timed yet goes one at a time. */
#define CHUNK_TARGET_S 0.02
#define CHUNK_MAX 64

static volatile sig_atomic_t stop_requested = 0;

static void on_signal(int sig) {
  (void)sig;
  stop_requested = 1;
}

void mfbo_sweep_install_signals(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGUSR1, &sa, NULL);
}

/* ---- which task next: labels that took longest so far first, unknown ones first of all */

typedef struct {
  pthread_mutex_t lock; /* rank 0's own worker thread takes tasks too */
  int n_labels;
  uint64_t **queue; /* per label: pending task indices in task_id order */
  uint64_t *len, *pos;
  double *sum_wall_s;
  long *n_timed;
} picker;

static int picker_init(picker *p, const mfbo_sweep *sw) {
  int n = sw->job->n_algorithms;
  pthread_mutex_init(&p->lock, NULL);
  p->n_labels = n;
  p->queue = calloc((size_t)n, sizeof *p->queue);
  p->len = calloc((size_t)n, sizeof *p->len);
  p->pos = calloc((size_t)n, sizeof *p->pos);
  p->sum_wall_s = calloc((size_t)n, sizeof *p->sum_wall_s);
  p->n_timed = calloc((size_t)n, sizeof *p->n_timed);
  if (!p->queue || !p->len || !p->pos || !p->sum_wall_s || !p->n_timed) return -1;
  for (int a = 0; a < n; a++)
    if (!(p->queue[a] = malloc((sw->n_tasks ? sw->n_tasks : 1) * sizeof **p->queue))) return -1;
  for (uint64_t t = 0; t < sw->n_tasks; t++) {
    int a = sw->tasks[t].algorithm_index;
    if (!mfbo_store_has_task(sw->store, sw->tasks[t].task_id)) p->queue[a][p->len[a]++] = t;
  }
  return 0;
}

static void picker_free(picker *p) {
  pthread_mutex_destroy(&p->lock);
  for (int a = 0; p->queue && a < p->n_labels; a++) free(p->queue[a]);
  free(p->queue);
  free(p->len);
  free(p->pos);
  free(p->sum_wall_s);
  free(p->n_timed);
}

/* Up to max next task indices, all of one label (the one expected to take longest), as
 * many as take about CHUNK_TARGET_S; returns how many (0 when none is left). */
static int picker_next_chunk(picker *p, uint64_t *out, int max) {
  pthread_mutex_lock(&p->lock);
  int best = -1;
  double best_s = -1;
  for (int a = 0; a < p->n_labels; a++) {
    if (p->pos[a] == p->len[a]) continue;
    double expected_s = p->n_timed[a] ? p->sum_wall_s[a] / (double)p->n_timed[a] : INFINITY;
    if (expected_s > best_s) {
      best_s = expected_s;
      best = a;
    }
  }
  int n = 0;
  if (best >= 0) {
    double fit = best_s > 0 ? CHUNK_TARGET_S / best_s : max;
    int want = fit < 1 ? 1 : fit > max ? max : (int)fit;
    while (n < want && p->pos[best] < p->len[best]) out[n++] = p->queue[best][p->pos[best]++];
  }
  pthread_mutex_unlock(&p->lock);
  return n;
}

/* The next task index, or -1 when none is left. */
static int64_t picker_next(picker *p) {
  uint64_t t;
  return picker_next_chunk(p, &t, 1) ? (int64_t)t : -1;
}

static void picker_timed(picker *p, int label, double wall_s) {
  pthread_mutex_lock(&p->lock);
  p->sum_wall_s[label] += wall_s;
  p->n_timed[label]++;
  pthread_mutex_unlock(&p->lock);
}

/* Called once no thread takes tasks any more. */
static int picker_left(const picker *p) {
  for (int a = 0; a < p->n_labels; a++)
    if (p->pos[a] < p->len[a]) return 1;
  return 0;
}

static int should_stop(const mfbo_sweep *sw, double start_s) {
  return stop_requested || (sw->deadline_s > 0 && mfbo_now_s() - start_s >= sw->deadline_s);
}

/* ---- running and recording one task */

static void run_task(const mfbo_sweep *sw, uint64_t t, mfbo_run_result *r, double *wall_s) {
  double start_s = mfbo_now_s();
  mfbo_task_run(sw->job, sw->benches, &sw->tasks[t], r);
  *wall_s = mfbo_now_s() - start_s;
}

static int record(const mfbo_sweep *sw, picker *p, uint64_t t, const mfbo_run_result *r,
                  double wall_s, int rank, mfbo_error *err) {
  picker_timed(p, sw->tasks[t].algorithm_index, wall_s);
  if (mfbo_store_append(sw->store, &sw->tasks[t], r, wall_s, rank, err) != 0) return -1;
  mfbo_progress_task_done(sw->progress, r->status != MFBO_RUN_OK);
  return 0;
}

static mfbo_sweep_outcome run_alone(const mfbo_sweep *sw, picker *p, mfbo_error *err) {
  double start_s = mfbo_now_s();
  int64_t t;
  while (!should_stop(sw, start_s) && (t = picker_next(p)) >= 0) {
    mfbo_run_result r;
    double wall_s;
    run_task(sw, (uint64_t)t, &r, &wall_s);
    int rc = record(sw, p, (uint64_t)t, &r, wall_s, 0, err);
    mfbo_run_result_free(&r);
    if (rc != 0) return MFBO_SWEEP_ERROR;
  }
  return picker_left(p) ? MFBO_SWEEP_STOPPED : MFBO_SWEEP_DONE;
}

/* Packs a result; a result too large to pack is replaced by a failed one without its trace. */
static char *pack_result(uint64_t t, mfbo_run_result *r, double wall_s, int *size) {
  char *buf = mfbo_wire_pack(t, r, wall_s, size);
  if (buf) return buf;
  r->n_evals = 0;
  r->status = MFBO_RUN_FAILED;
  snprintf(r->message, sizeof r->message, "result too large to send to rank 0");
  return mfbo_wire_pack(t, r, wall_s, size);
}

/* Unpacks a packed result and records it as run by rank. */
static int record_packed(const mfbo_sweep *sw, picker *p, const char *buf, int size, int rank,
                         mfbo_error *err) {
  mfbo_run_result r;
  uint64_t t;
  double wall_s;
  int rc = mfbo_wire_unpack(buf, (size_t)size, sw->benches[0]->space->n_params, &t, &r, &wall_s);
  if (rc == 0)
    rc = record(sw, p, t, &r, wall_s, rank, err);
  else
    mfbo_error_set(err, 0, "out of memory or a malformed result from rank %d", rank);
  mfbo_run_result_free(&r);
  return rc;
}

/* ---- rank 0's own worker: a thread that runs tasks and queues their packed results for
 * the main thread, which alone calls MPI and writes the results file */

typedef struct result_node {
  struct result_node *next;
  char *buf;
  int size;
} result_node;

typedef struct {
  const mfbo_sweep *sw;
  picker *p;
  double start_s;
  pthread_mutex_t lock; /* guards the fields below */
  result_node *head, *tail;
  int running; /* the thread may still queue results */
  int halt;    /* the main thread asks it to take no more tasks */
  int lost;    /* a result could not be queued (out of memory) */
  pthread_t thread;
} local_worker;

static void local_push(local_worker *lw, char *buf, int size) {
  result_node *node = malloc(sizeof *node);
  pthread_mutex_lock(&lw->lock);
  if (node && buf) {
    *node = (result_node){.buf = buf, .size = size};
    if (lw->tail)
      lw->tail->next = node;
    else
      lw->head = node;
    lw->tail = node;
  } else {
    lw->lost = lw->halt = 1;
    free(node);
    free(buf);
  }
  pthread_mutex_unlock(&lw->lock);
}

static int local_halted(local_worker *lw) {
  pthread_mutex_lock(&lw->lock);
  int halt = lw->halt;
  pthread_mutex_unlock(&lw->lock);
  return halt;
}

static void local_halt(local_worker *lw) {
  pthread_mutex_lock(&lw->lock);
  lw->halt = 1;
  pthread_mutex_unlock(&lw->lock);
}

static void *local_work(void *arg) {
  local_worker *lw = arg;
  int64_t t;
  while (!local_halted(lw) && !should_stop(lw->sw, lw->start_s) &&
         (t = picker_next(lw->p)) >= 0) {
    mfbo_run_result r;
    double wall_s;
    int size = 0;
    run_task(lw->sw, (uint64_t)t, &r, &wall_s);
    char *buf = pack_result((uint64_t)t, &r, wall_s, &size);
    mfbo_run_result_free(&r);
    local_push(lw, buf, size);
  }
  pthread_mutex_lock(&lw->lock);
  lw->running = 0;
  pthread_mutex_unlock(&lw->lock);
  return NULL;
}

static int local_start(local_worker *lw, const mfbo_sweep *sw, picker *p, double start_s) {
  *lw = (local_worker){.sw = sw, .p = p, .start_s = start_s, .running = 1};
  pthread_mutex_init(&lw->lock, NULL);
  if (pthread_create(&lw->thread, NULL, local_work, lw) == 0) return 0;
  pthread_mutex_destroy(&lw->lock);
  return -1;
}

/* Takes every queued result; sets *running to whether the thread may queue more. */
static result_node *local_take(local_worker *lw, int *running) {
  pthread_mutex_lock(&lw->lock);
  result_node *all = lw->head;
  lw->head = lw->tail = NULL;
  *running = lw->running;
  pthread_mutex_unlock(&lw->lock);
  return all;
}

/* Records (unless an earlier write failed) and frees a list of queued results; returns
 * whether the sweep has failed, and then halts the thread. */
static int local_record(local_worker *lw, result_node *list, int failed, mfbo_error *err) {
  const mfbo_sweep *sw = lw->sw;
  picker *p = lw->p;
  pthread_mutex_lock(&lw->lock);
  int lost = lw->lost;
  pthread_mutex_unlock(&lw->lock);
  if (lost && !failed) {
    mfbo_error_set(err, 0, "out of memory keeping a result of rank 0");
    failed = 1;
  }
  while (list) {
    result_node *next = list->next;
    if (!failed && record_packed(sw, p, list->buf, list->size, 0, err) != 0) failed = 1;
    free(list->buf);
    free(list);
    list = next;
  }
  if (failed) local_halt(lw);
  return failed;
}

/* Polling without spinning a core (ranks are often oversubscribed): naps that grow from
 * 10 us to 1 ms, so a busy exchange stays fast and an idle one cheap. */
#define NAP_MIN_NS 10000L
static void nap(long *nap_ns) {
  struct timespec t = {0, *nap_ns};
  nanosleep(&t, NULL);
  if (*nap_ns < 1000000) *nap_ns *= 2;
}

static void wait_message(MPI_Comm comm, int source, MPI_Status *st) {
  int flag = 0;
  for (long nap_ns = NAP_MIN_NS;; nap(&nap_ns)) {
    MPI_Iprobe(source, MPI_ANY_TAG, comm, &flag, st);
    if (flag) return;
  }
}

/* Receives a worker's result and stores it, unless the sweep has already failed: then the
 * result is received all the same (and dropped), so that the message cannot be probed again
 * and its worker counted as stopped twice while another worker is never told to stop. */
static int receive_result(const mfbo_sweep *sw, picker *p, MPI_Comm comm, MPI_Status *st,
                          int failed, mfbo_error *err) {
  int size;
  MPI_Get_count(st, MPI_BYTE, &size);
  char *buf = malloc(size > 0 ? (size_t)size : 1);
  if (!buf) { /* the message cannot be left in the queue: stop the whole job (the journal
               * keeps every result written so far) */
    fprintf(stderr, "mfbo-sweep: out of memory receiving a result of %d bytes\n", size);
    MPI_Abort(comm, 1);
  }
  MPI_Recv(buf, size, MPI_BYTE, st->MPI_SOURCE, st->MPI_TAG, comm, MPI_STATUS_IGNORE);
  int rc = failed ? 0 : record_packed(sw, p, buf, size, st->MPI_SOURCE, err);
  free(buf);
  return rc;
}

/* Answers one message from a worker: stores its result, then sends it the next task or a
 * stop. Returns 1 if that worker was stopped. */
static int serve(const mfbo_sweep *sw, picker *p, MPI_Comm comm, MPI_Status *st, int *failed,
                 double start_s, mfbo_error *err) {
  if (st->MPI_TAG == TAG_RESULT || st->MPI_TAG == TAG_RESULT_MORE) {
    if (receive_result(sw, p, comm, st, *failed, err) != 0) *failed = 1;
    if (st->MPI_TAG == TAG_RESULT_MORE) return 0; /* the rest of its chunk is running */
  } else {
    MPI_Recv(NULL, 0, MPI_BYTE, st->MPI_SOURCE, TAG_READY, comm, MPI_STATUS_IGNORE);
  }
  uint64_t chunk[CHUNK_MAX];
  int n = *failed || should_stop(sw, start_s) ? 0 : picker_next_chunk(p, chunk, CHUNK_MAX);
  if (n > 0) {
    MPI_Send(chunk, n, MPI_UINT64_T, st->MPI_SOURCE, TAG_TASK, comm);
    return 0;
  }
  MPI_Send(NULL, 0, MPI_BYTE, st->MPI_SOURCE, TAG_STOP, comm);
  return 1;
}

/* Rank 0 with workers: answers them, and runs tasks in its own worker thread too (when MPI
 * allows threads), so that no core waits on a scheduler. */
static mfbo_sweep_outcome manage(const mfbo_sweep *sw, picker *p, MPI_Comm comm, int n_ranks,
                                 mfbo_error *err) {
  double start_s = mfbo_now_s();
  int workers = n_ranks - 1, failed = 0, running = 0, started = 0;
  local_worker lw;
  if (sw->rank0_computes) started = running = local_start(&lw, sw, p, start_s) == 0;
  long nap_ns = NAP_MIN_NS;
  while (workers > 0 || running) {
    int busy = 0;
    if (running) {
      result_node *done = local_take(&lw, &running);
      busy = done != NULL;
      failed = local_record(&lw, done, failed, err);
    }
    MPI_Status st;
    int flag = 0;
    if (workers > 0) MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, comm, &flag, &st);
    if (flag) {
      workers -= serve(sw, p, comm, &st, &failed, start_s, err);
      if (failed && started) local_halt(&lw);
      busy = 1;
    }
    if (busy)
      nap_ns = NAP_MIN_NS;
    else
      nap(&nap_ns);
  }
  if (started) {
    pthread_join(lw.thread, NULL);
    failed = local_record(&lw, local_take(&lw, &running), failed, err);
    pthread_mutex_destroy(&lw.lock);
  }
  if (failed) return MFBO_SWEEP_ERROR;
  return picker_left(p) ? MFBO_SWEEP_STOPPED : MFBO_SWEEP_DONE;
}

static void work(const mfbo_sweep *sw, MPI_Comm comm) {
  MPI_Send(NULL, 0, MPI_BYTE, 0, TAG_READY, comm);
  for (;;) {
    MPI_Status st;
    wait_message(comm, 0, &st);
    if (st.MPI_TAG == TAG_STOP) {
      MPI_Recv(NULL, 0, MPI_BYTE, 0, TAG_STOP, comm, MPI_STATUS_IGNORE);
      return;
    }
    uint64_t chunk[CHUNK_MAX];
    int n;
    MPI_Recv(chunk, CHUNK_MAX, MPI_UINT64_T, 0, TAG_TASK, comm, &st);
    MPI_Get_count(&st, MPI_UINT64_T, &n);
    for (int i = 0; i < n; i++) {
      mfbo_run_result r;
      double wall_s;
      run_task(sw, chunk[i], &r, &wall_s);
      int size = 0;
      char *buf = pack_result(chunk[i], &r, wall_s, &size);
      MPI_Send(buf, size, MPI_BYTE, 0, i + 1 < n ? TAG_RESULT_MORE : TAG_RESULT, comm);
      free(buf);
      mfbo_run_result_free(&r);
    }
  }
}

mfbo_sweep_outcome mfbo_sweep_run(const mfbo_sweep *sw, MPI_Comm comm, mfbo_error *err) {
  int rank, n_ranks;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &n_ranks);
  if (rank != 0) {
    work(sw, comm);
    return MFBO_SWEEP_DONE;
  }
  picker p;
  memset(&p, 0, sizeof p);
  if (picker_init(&p, sw) != 0) {
    fprintf(stderr, "mfbo-sweep: out of memory planning %llu tasks\n",
            (unsigned long long)sw->n_tasks);
    MPI_Abort(comm, 1);
  }
  mfbo_sweep_outcome out =
      n_ranks == 1 ? run_alone(sw, &p, err) : manage(sw, &p, comm, n_ranks, err);
  picker_free(&p);
  return out;
}
