/* external.c: a searcher that is another program (Optuna, BoTorch, your own), speaking the
 * line protocol of docs/external-protocol.md: one JSON object per line on its stdin and
 * stdout. The program is started (posix_spawn, no shell) at the run's first ask, once per
 * run, in its own process group: it is told the space, a seed, the budgets and the
 * fidelity range; it asks for batches of (configuration, fidelity); it is answered with
 * the measured times, and it says when it is done. Everything else stays here, as for a
 * built-in searcher: the run loop counts cost, enforces the budgets and writes the trace,
 * and the incumbent is chosen by population.c's rule from what was measured (the program
 * never sees a true time and cannot name its own incumbent). A program that crashes, hangs
 * past timeout_s, writes something that is not the protocol, or asks for a configuration
 * outside the space fails the run, with the last line of its stderr in the message; it is
 * killed (SIGTERM, then SIGKILL) and always reaped. */
#define _GNU_SOURCE /* posix_spawn_file_actions_addclosefrom_np (glibc 2.34) */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "mfbo/searcher.h"
#include "population.h"

#define EXT_PROTOCOL 1
#define EXT_MAX_WORDS 64
#define EXT_MAX_LINE (64L * 1024 * 1024) /* bytes of one message from the program */
#define EXT_ERR_TAIL 4096                /* bytes of its stderr kept */
#define EXT_GRACE_S 2.0                  /* wait for an exit before SIGTERM, then SIGKILL */

typedef struct {
  const mfbo_space *space;
  char *argv[EXT_MAX_WORDS + 1]; /* the command, split at white space, paths resolved */
  double timeout_s;
  int min_fidelity, max_fidelity;
  unsigned long seed;
  long budget_evals;
  double budget_cost_s;
  /* the program */
  pid_t pid;       /* 0: not running (never started, or reaped) */
  int sock;        /* its stdin and stdout (a socket pair: no SIGPIPE), -1 if closed */
  int errfd;       /* its stderr, -1 if closed */
  int started, done, status; /* status: waitpid's, once reaped */
  long n_messages; /* lines read from it, for messages */
  char *in;        /* bytes read from its stdout, not yet a whole line */
  size_t in_len, in_cap;
  char err_tail[EXT_ERR_TAIL]; /* the end of its stderr */
  size_t err_len;
  /* the last batch: how many requests, how many were measured, their times */
  int batch_n, n_told;
  double *told_ms;
  int cap_told;
  mfbo_population pop; /* one member per distinct configuration; its incumbent rule */
  int *cfg;            /* scratch, n_params */
} external_state;

/* ---------------------------------------------------------------- settings */

/* Resolves a word of the command: the program when it holds a '/', and any later word that
 * starts with ./ or ../, are relative to the job file's directory (settings->dir). */
static char *resolve_word(const mfbo_settings *s, const char *word, int first) {
  int relative = word[0] != '/' && (first ? strchr(word, '/') != NULL
                                          : strncmp(word, "./", 2) == 0 ||
                                                strncmp(word, "../", 3) == 0);
  if (!relative || !s->dir) return strdup(word);
  size_t n = strlen(s->dir) + strlen(word) + 2;
  char *out = malloc(n);
  if (out) snprintf(out, n, "%s%s%s", s->dir, s->dir[strlen(s->dir) - 1] == '/' ? "" : "/", word);
  return out;
}

static int read_command(external_state *st, mfbo_settings *settings, mfbo_error *err) {
  mfbo_setting *c = mfbo_settings_take(settings, "command");
  if (!c) {
    mfbo_error_set(err, settings->line,
                   "missing key 'command' (the program to run, e.g. command = "
                   "../adapters/optuna_tpe.py)");
    return -1;
  }
  char *text = strdup(c->value);
  if (!text) {
    mfbo_error_set(err, 0, "out of memory");
    return -1;
  }
  int n = 0, rc = 0;
  char *save = NULL;
  for (char *w = strtok_r(text, " \t", &save); w && rc == 0; w = strtok_r(NULL, " \t", &save)) {
    if (n == EXT_MAX_WORDS) {
      mfbo_error_set(err, c->line, "command: more than %d words", EXT_MAX_WORDS);
      rc = -1;
    } else if (!(st->argv[n] = resolve_word(settings, w, n == 0))) {
      mfbo_error_set(err, 0, "out of memory");
      rc = -1;
    } else {
      n++;
    }
  }
  free(text);
  if (rc == 0 && n == 0) {
    mfbo_error_set(err, c->line, "command is empty");
    rc = -1;
  }
  /* a program named by a path must exist and be executable (one on PATH is found later) */
  if (rc == 0 && strchr(st->argv[0], '/') && access(st->argv[0], X_OK) != 0) {
    mfbo_error_set(err, c->line, "command: %s: %s", st->argv[0], strerror(errno));
    rc = -1;
  }
  return rc;
}

static int external_init(void *vstate, const mfbo_space *space, mfbo_settings *settings,
                         gsl_rng *rng, mfbo_error *err) {
  external_state *st = vstate;
  st->space = space;
  st->sock = st->errfd = -1;
  st->timeout_s = 60;
  st->min_fidelity = 1;
  st->max_fidelity = 50;
  /* the program's seed: a function of the run (benchmark, label, settings, seed) */
  st->seed = gsl_rng_get(rng);
  if (read_command(st, settings, err) ||
      mfbo_settings_get_double(settings, "timeout_s", 0.001, 1e6, &st->timeout_s, err) ||
      mfbo_settings_get_int(settings, "min_fidelity", 1, 1000000, &st->min_fidelity, err) ||
      mfbo_settings_get_int(settings, "max_fidelity", 1, 1000000, &st->max_fidelity, err))
    return -1;
  if (st->max_fidelity < st->min_fidelity) {
    mfbo_setting *m = mfbo_settings_take(settings, "max_fidelity");
    mfbo_error_set(err, m ? m->line : settings->line,
                   "max_fidelity = %d is below min_fidelity = %d", st->max_fidelity,
                   st->min_fidelity);
    return -1;
  }
  mfbo_pop_settings pop = {.fidelity = 1, .rebench_fidelity = 1, .final_fidelity = 1};
  st->cfg = malloc((size_t)space->n_params * sizeof *st->cfg);
  if (!st->cfg || mfbo_pop_init(&st->pop, space, &pop) != 0) {
    mfbo_error_set(err, 0, "out of memory");
    return -1;
  }
  return 0;
}

static void external_set_budget(void *vstate, long max_evals, double max_cost_s) {
  external_state *st = vstate;
  st->budget_evals = max_evals;
  st->budget_cost_s = max_cost_s;
}

/* ---------------------------------------------------------------- the child */

static void close_fd(int *fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

/* Keeps the end of what the program wrote to stderr; 1 at its end of file. */
static int read_stderr(external_state *st) {
  char buf[4096];
  ssize_t n = read(st->errfd, buf, sizeof buf);
  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
    close_fd(&st->errfd);
    return 1;
  }
  if (n < 0) return 0;
  size_t k = (size_t)n;
  if (k >= EXT_ERR_TAIL) {
    memcpy(st->err_tail, buf + k - EXT_ERR_TAIL, EXT_ERR_TAIL);
    st->err_len = EXT_ERR_TAIL;
  } else {
    if (st->err_len + k > EXT_ERR_TAIL) {
      size_t drop = st->err_len + k - EXT_ERR_TAIL;
      memmove(st->err_tail, st->err_tail + drop, st->err_len - drop);
      st->err_len -= drop;
    }
    memcpy(st->err_tail + st->err_len, buf, k);
    st->err_len += k;
  }
  return 0;
}

/* Reaps the program if it has exited; 1 when it is (or was) reaped. */
static int try_reap(external_state *st) {
  if (st->pid <= 0) return 1;
  pid_t r = waitpid(st->pid, &st->status, WNOHANG);
  if (r == st->pid || (r < 0 && errno == ECHILD)) {
    st->pid = 0;
    return 1;
  }
  return 0;
}

/* Waits up to wait_s for the program to exit, reading its stderr meanwhile. */
static int wait_exit(external_state *st, double wait_s) {
  double end = mfbo_now_s() + wait_s;
  while (!try_reap(st)) {
    double left = end - mfbo_now_s();
    if (left <= 0) return 0;
    struct pollfd p = {.fd = st->errfd, .events = POLLIN};
    int ms = left > 0.01 ? 10 : 1;
    if (st->errfd >= 0 && poll(&p, 1, ms) > 0)
      read_stderr(st);
    else if (st->errfd < 0)
      nanosleep(&(struct timespec){0, 1000000L * ms}, NULL);
  }
  return 1;
}

/* Ends the program: closes its input, gives it grace_s to exit, then SIGTERM to its process
 * group, then SIGKILL; always reaps it and closes every pipe. */
static void stop_child(external_state *st, double grace_s) {
  close_fd(&st->sock);
  if (st->pid > 0 && !wait_exit(st, grace_s)) {
    kill(-st->pid, SIGTERM);
    if (!wait_exit(st, EXT_GRACE_S)) {
      kill(-st->pid, SIGKILL);
      while (st->pid > 0 && waitpid(st->pid, &st->status, 0) < 0 && errno == EINTR) {
      }
      st->pid = 0;
    }
  }
  /* whatever it wrote last; a grandchild holding the pipe open is not waited for */
  double end = mfbo_now_s() + 0.2;
  while (st->errfd >= 0 && mfbo_now_s() < end) {
    struct pollfd p = {.fd = st->errfd, .events = POLLIN};
    if (poll(&p, 1, 10) > 0) read_stderr(st);
  }
  close_fd(&st->errfd);
}

/* The last line or two of the program's stderr, at most max bytes, "" if none. */
static void stderr_tail(const external_state *st, char *out, size_t max) {
  size_t end = st->err_len;
  while (end > 0 && (st->err_tail[end - 1] == '\n' || st->err_tail[end - 1] == '\r' ||
                     st->err_tail[end - 1] == ' '))
    end--;
  size_t start = end;
  int lines = 0;
  while (start > 0 && lines < 2) {
    if (st->err_tail[start - 1] == '\n' && ++lines == 2) break;
    start--;
  }
  size_t n = end - start, skip = 0;
  if (n + 1 > max) skip = n + 1 - max;
  size_t k = 0;
  for (size_t i = start + skip; i < end && k + 1 < max; i++) {
    char c = st->err_tail[i];
    out[k++] = c == '\n' ? '|' : (c < ' ' ? ' ' : c);
  }
  out[k] = '\0';
}

/* How the program ended, for a message ("" while it runs). */
static void exit_text(const external_state *st, char *out, size_t len) {
  out[0] = '\0';
  if (st->pid > 0 || !st->started) return;
  if (WIFEXITED(st->status))
    snprintf(out, len, " (it exited with status %d)", WEXITSTATUS(st->status));
  else if (WIFSIGNALED(st->status))
    snprintf(out, len, " (it was killed by signal %d, %s)", WTERMSIG(st->status),
             strsignal(WTERMSIG(st->status)));
}

/* Fails the run: stops the program, then writes "what; stderr: ..." into err. */
__attribute__((format(printf, 3, 4))) static int ext_fail(external_state *st, mfbo_error *err,
                                                          const char *fmt, ...) {
  int ended_first = try_reap(st); /* it ended by itself: say how */
  stop_child(st, 0.5);
  char what[200], how[96], tail[100];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  how[0] = '\0';
  if (ended_first) exit_text(st, how, sizeof how);
  stderr_tail(st, tail, sizeof tail);
  const char *slash = strrchr(st->argv[0], '/');
  mfbo_error_set(err, 0, "%s: %s%s%s%s", slash ? slash + 1 : st->argv[0], what, how,
                 tail[0] ? "; stderr: " : "", tail);
  st->done = 1;
  return -1;
}

static int start_child(external_state *st, mfbo_error *err) {
  int sv[2], ep[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
    return ext_fail(st, err, "cannot make a socket pair: %s", strerror(errno));
  if (pipe2(ep, O_CLOEXEC) != 0) {
    close(sv[0]);
    close(sv[1]);
    return ext_fail(st, err, "cannot make a pipe: %s", strerror(errno));
  }
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t at;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, sv[1], 0);
  posix_spawn_file_actions_adddup2(&fa, sv[1], 1);
  posix_spawn_file_actions_adddup2(&fa, ep[1], 2);
  posix_spawn_file_actions_addclosefrom_np(&fa, 3); /* MPI's and HDF5's descriptors */
  posix_spawnattr_init(&at);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&at, &none);
  posix_spawnattr_setsigdefault(&at, &all);
  posix_spawnattr_setpgroup(&at, 0); /* a Ctrl-C to the sweep stops the sweep, not it */
  posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
                                    POSIX_SPAWN_SETPGROUP);
  extern char **environ;
  pid_t pid;
  int rc = posix_spawnp(&pid, st->argv[0], &fa, &at, st->argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&at);
  close(sv[1]);
  close(ep[1]);
  if (rc != 0) {
    close(sv[0]);
    close(ep[0]);
    return ext_fail(st, err, "cannot start: %s", strerror(rc));
  }
  st->pid = pid;
  st->started = 1;
  st->sock = sv[0];
  st->errfd = ep[0];
  fcntl(st->sock, F_SETFL, fcntl(st->sock, F_GETFL) | O_NONBLOCK);
  fcntl(st->errfd, F_SETFL, fcntl(st->errfd, F_GETFL) | O_NONBLOCK);
  return 0;
}

/* ---------------------------------------------------------------- lines */

/* Sends one message (a line), reading stderr meanwhile, within timeout_s. */
static int send_message(external_state *st, json_t *msg, mfbo_error *err) {
  char *text = json_dumps(msg, JSON_COMPACT | JSON_ENSURE_ASCII);
  json_decref(msg);
  if (!text) return ext_fail(st, err, "out of memory");
  size_t len = strlen(text) + 1, off = 0;
  text[len - 1] = '\n'; /* the NUL becomes the line's end */
  double end = mfbo_now_s() + st->timeout_s;
  int rc = 0;
  while (off < len && rc == 0) {
    ssize_t n = send(st->sock, text + off, len - off, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      off += (size_t)n;
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      wait_exit(st, 0.5);
      rc = ext_fail(st, err, "stopped reading its input (%s)", strerror(errno));
      break;
    }
    double left = end - mfbo_now_s();
    if (left <= 0) {
      rc = ext_fail(st, err, "did not read its input within timeout_s = %g s (killed)",
                    st->timeout_s);
      break;
    }
    struct pollfd p[2] = {{.fd = st->sock, .events = POLLOUT}, {.fd = st->errfd, .events = POLLIN}};
    int np = st->errfd >= 0 ? 2 : 1;
    if (poll(p, (nfds_t)np, (int)(left * 1000) + 1) > 0 && np == 2 && (p[1].revents & (POLLIN | POLLHUP)))
      read_stderr(st);
  }
  free(text);
  return rc;
}

/* Reads one line from the program into a NUL-terminated string (owned by st->in, valid
 * until the next read), within timeout_s. */
static int read_line(external_state *st, char **line, mfbo_error *err) {
  double end = mfbo_now_s() + st->timeout_s;
  for (;;) {
    char *nl = st->in_len ? memchr(st->in, '\n', st->in_len) : NULL;
    if (nl) {
      *nl = '\0';
      *line = st->in;
      st->n_messages++;
      return 0;
    }
    if (st->in_len >= (size_t)EXT_MAX_LINE)
      return ext_fail(st, err, "message %ld is longer than %ld bytes", st->n_messages + 1,
                      EXT_MAX_LINE);
    if (st->in_cap - st->in_len < 65536) {
      size_t cap = st->in_cap ? 2 * st->in_cap : 65536 * 2;
      char *p = realloc(st->in, cap);
      if (!p) return ext_fail(st, err, "out of memory");
      st->in = p;
      st->in_cap = cap;
    }
    ssize_t n = recv(st->sock, st->in + st->in_len, st->in_cap - st->in_len - 1, MSG_DONTWAIT);
    if (n > 0) {
      st->in_len += (size_t)n;
      continue;
    }
    if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
      wait_exit(st, 0.5);
      return ext_fail(st, err, "ended its output before %s",
                      st->n_messages == 0 ? "its first message" : "saying it was done");
    }
    double left = end - mfbo_now_s();
    if (left <= 0)
      return ext_fail(st, err, "no answer within timeout_s = %g s (killed)", st->timeout_s);
    struct pollfd p[2] = {{.fd = st->sock, .events = POLLIN}, {.fd = st->errfd, .events = POLLIN}};
    int np = st->errfd >= 0 ? 2 : 1;
    if (poll(p, (nfds_t)np, (int)(left * 1000) + 1) > 0 && np == 2 && (p[1].revents & (POLLIN | POLLHUP)))
      read_stderr(st);
  }
}

/* Drops the line just read (and its '\n') from the input buffer. */
static void consume_line(external_state *st, const char *line) {
  size_t used = strlen(line) + 1;
  memmove(st->in, st->in + used, st->in_len - used);
  st->in_len -= used;
}

/* ---------------------------------------------------------------- messages */

static const char *kind_name(mfbo_param_kind k) {
  switch (k) {
    case MFBO_PARAM_POW2: return "pow2";
    case MFBO_PARAM_INT: return "int";
    case MFBO_PARAM_ENUM: return "enum";
    case MFBO_PARAM_BOOL: return "bool";
  }
  return "enum";
}

/* Value i of parameter j as JSON: a label, true/false, an integer or a real. */
static json_t *value_json(const mfbo_param *p, int i) {
  if (p->labels) return json_string(p->labels[i]);
  if (p->kind == MFBO_PARAM_BOOL) return json_boolean(p->values[i] != 0);
  double v = p->values[i];
  if (v == floor(v) && fabs(v) < 9e15) return json_integer((json_int_t)v);
  return json_real(v);
}

/* The space: parameters, their kinds and values, the default, and the members of a
 * restricted space (null for the full cartesian product). */
static json_t *space_json(const mfbo_space *s) {
  json_t *params = json_array();
  for (int j = 0; j < s->n_params; j++) {
    const mfbo_param *p = &s->params[j];
    json_t *values = json_array();
    for (int i = 0; i < p->n_values; i++) json_array_append_new(values, value_json(p, i));
    json_array_append_new(params, json_pack("{s:s, s:s, s:o, s:o}", "name", p->name, "kind",
                                            kind_name(p->kind), "values", values, "default",
                                            value_json(p, p->default_index)));
  }
  json_t *members = json_null();
  if (s->members) {
    members = json_array();
    int *cfg = malloc((size_t)s->n_params * sizeof *cfg);
    for (size_t k = 0; cfg && k < s->n_members; k++) {
      mfbo_space_decode(s, s->members[k], cfg);
      json_t *row = json_array();
      for (int j = 0; j < s->n_params; j++)
        json_array_append_new(row, value_json(&s->params[j], cfg[j]));
      json_array_append_new(members, row);
    }
    free(cfg);
  }
  uint64_t size = mfbo_space_size(s);
  return json_pack("{s:o, s:I, s:o}", "params", params, "size",
                   (json_int_t)(size > (uint64_t)INT64_MAX ? INT64_MAX : size), "members",
                   members);
}

static json_t *start_json(const external_state *st) {
  json_t *evals = st->budget_evals > 0 ? json_integer(st->budget_evals) : json_null();
  json_t *cost = st->budget_cost_s > 0 ? json_real(st->budget_cost_s) : json_null();
  return json_pack("{s:s, s:i, s:I, s:o, s:{s:o, s:o}, s:{s:i, s:i}}", "type", "start",
                   "protocol", EXT_PROTOCOL, "seed", (json_int_t)st->seed, "space",
                   space_json(st->space), "budget", "evals", evals, "cost_s", cost,
                   "fidelity", "min", st->min_fidelity, "max", st->max_fidelity);
}

static json_t *results_json(const external_state *st) {
  json_t *results = json_array();
  for (int i = 0; i < st->n_told; i++)
    json_array_append_new(results, isfinite(st->told_ms[i])
                                       ? json_pack("{s:f}", "time_ms", st->told_ms[i])
                                       : json_pack("{s:b}", "failed", 1));
  return json_pack("{s:s, s:o}", "type", "results", "results", results);
}

/* The value index of a JSON value in parameter p, -1 if it is none of its values. */
static int value_index(const mfbo_param *p, const json_t *v) {
  for (int i = 0; i < p->n_values; i++) {
    if (p->labels) {
      if (json_is_string(v) && strcmp(json_string_value(v), p->labels[i]) == 0) return i;
    } else if (p->kind == MFBO_PARAM_BOOL) {
      if (json_is_boolean(v) && json_is_true(v) == (p->values[i] != 0)) return i;
    } else if (json_is_number(v) && json_number_value(v) == p->values[i]) {
      return i;
    }
  }
  return -1;
}

/* Reads request k {"config": {...}, "fidelity": r} into st->cfg and *fidelity. */
static int parse_request(external_state *st, json_t *req, int k, int *fidelity, mfbo_error *err) {
  const mfbo_space *s = st->space;
  json_t *config = json_object_get(req, "config");
  json_t *fid = json_object_get(req, "fidelity");
  long msg = st->n_messages;
  if (!json_is_object(req) || !json_is_object(config))
    return ext_fail(st, err, "message %ld, request %d: expected {\"config\": {...}, "
                    "\"fidelity\": N}", msg, k + 1);
  if (!json_is_integer(fid) || json_integer_value(fid) < st->min_fidelity ||
      json_integer_value(fid) > st->max_fidelity)
    return ext_fail(st, err, "message %ld, request %d: fidelity must be an integer from %d to %d",
                    msg, k + 1, st->min_fidelity, st->max_fidelity);
  *fidelity = (int)json_integer_value(fid);
  if ((int)json_object_size(config) != s->n_params)
    return ext_fail(st, err, "message %ld, request %d: the configuration has %d parameters, "
                    "the space %d", msg, k + 1, (int)json_object_size(config), s->n_params);
  for (int j = 0; j < s->n_params; j++) {
    json_t *v = json_object_get(config, s->params[j].name);
    if (!v)
      return ext_fail(st, err, "message %ld, request %d: no value for parameter %s", msg, k + 1,
                      s->params[j].name);
    if ((st->cfg[j] = value_index(&s->params[j], v)) < 0) {
      char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
      int r = ext_fail(st, err, "message %ld, request %d: %s = %.40s is outside the space", msg,
                       k + 1, s->params[j].name, text ? text : "?");
      free(text);
      return r;
    }
  }
  if (!mfbo_space_contains(s, st->cfg))
    return ext_fail(st, err, "message %ld, request %d: the configuration is not a member of the "
                    "space (see \"members\" in the start message)", msg, k + 1);
  return 0;
}

/* The member of the population with this configuration (added if new), -1: out of memory. */
static int member_of(external_state *st, const int *cfg) {
  if (mfbo_pop_visited(&st->pop, cfg)) {
    uint64_t code = mfbo_space_code(st->space, cfg);
    for (int m = 0; m < st->pop.n_members; m++)
      if (st->pop.members[m].code == code) return m;
  }
  return mfbo_pop_add(&st->pop, cfg);
}

/* Turns an "ask" message into the batch. */
static int parse_ask(external_state *st, json_t *msg, mfbo_batch *batch, mfbo_error *err) {
  json_t *reqs = json_object_get(msg, "requests");
  if (!json_is_array(reqs) || json_array_size(reqs) == 0)
    return ext_fail(st, err, "message %ld: 'ask' needs a non-empty array \"requests\" (send "
                    "{\"type\": \"done\"} to finish)", st->n_messages);
  if (json_array_size(reqs) > 1000000)
    return ext_fail(st, err, "message %ld: more than 1000000 requests", st->n_messages);
  for (size_t k = 0; k < json_array_size(reqs); k++) {
    int fidelity = 0;
    if (parse_request(st, json_array_get(reqs, k), (int)k, &fidelity, err) != 0) return -1;
    int m = member_of(st, st->cfg);
    if (m < 0 || mfbo_pop_request(&st->pop, batch, m, fidelity) != 0)
      return ext_fail(st, err, "out of memory");
  }
  if (batch->n > st->cap_told) {
    double *t = realloc(st->told_ms, (size_t)batch->n * sizeof *t);
    if (!t) return ext_fail(st, err, "out of memory");
    st->told_ms = t;
    st->cap_told = batch->n;
  }
  st->batch_n = batch->n;
  st->n_told = 0;
  return 0;
}

/* Reads the program's next message: a batch, or the end of the search. */
static int read_message(external_state *st, mfbo_batch *batch, mfbo_error *err) {
  char *line = NULL;
  if (read_line(st, &line, err) != 0) return -1;
  json_error_t jerr;
  json_t *msg = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
  int rc;
  if (!msg) {
    char text[48];
    snprintf(text, sizeof text, "%.40s", line);
    for (char *c = text; *c; c++)
      if ((unsigned char)*c < ' ' || (unsigned char)*c > '~') *c = '?';
    consume_line(st, line);
    return ext_fail(st, err, "message %ld is not JSON (%s): '%s'", st->n_messages, jerr.text,
                    text);
  }
  consume_line(st, line);
  const char *type = json_string_value(json_object_get(msg, "type"));
  if (!json_is_object(msg) || !type)
    rc = ext_fail(st, err, "message %ld: expected an object with a \"type\"", st->n_messages);
  else if (strcmp(type, "ask") == 0)
    rc = parse_ask(st, msg, batch, err);
  else if (strcmp(type, "done") == 0) {
    st->done = 1;
    rc = 0;
  } else
    rc = ext_fail(st, err, "message %ld: unknown type '%.40s' (expected 'ask' or 'done')",
                  st->n_messages, type);
  json_decref(msg);
  return rc;
}

/* ---------------------------------------------------------------- ask / tell */

static int external_ask(void *vstate, mfbo_batch *batch, mfbo_error *err) {
  external_state *st = vstate;
  if (st->done) return 0;
  json_t *out;
  if (!st->started) {
    if (start_child(st, err) != 0) return -1;
    out = start_json(st);
  } else {
    out = results_json(st);
  }
  if (!out) return ext_fail(st, err, "out of memory");
  if (send_message(st, out, err) != 0 || read_message(st, batch, err) != 0) return -1;
  if (st->done) stop_child(st, EXT_GRACE_S);
  return 0;
}

static void external_tell(void *vstate, const mfbo_batch *batch, int i) {
  external_state *st = vstate;
  mfbo_pop_tell(&st->pop, batch, i);
  st->told_ms[i] = batch->measured_ms[i];
  st->n_told = i + 1;
}

static int external_incumbent(const void *vstate, int *cfg) {
  const external_state *st = vstate;
  return mfbo_pop_incumbent_cfg(&st->pop, cfg);
}

static void external_free(void *vstate) {
  external_state *st = vstate;
  if (st->sock >= 0 && !st->done) {
    /* the run loop ended the run (a budget) before the program said it was done */
    json_t *stop = json_pack("{s:s}", "type", "stop");
    char *text = stop ? json_dumps(stop, JSON_COMPACT) : NULL;
    if (text) {
      size_t len = strlen(text);
      text[len] = '\n';
      if (send(st->sock, text, len + 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
        /* it is ended below all the same */
      }
    }
    free(text);
    json_decref(stop);
  }
  stop_child(st, EXT_GRACE_S);
  for (int i = 0; i < EXT_MAX_WORDS && st->argv[i]; i++) free(st->argv[i]);
  free(st->in);
  free(st->told_ms);
  free(st->cfg);
  mfbo_pop_free(&st->pop);
}

const mfbo_searcher_type mfbo_searcher_external = {
    .name = "external",
    .summary = "another program (Optuna, your own) over a JSON line protocol",
    .state_size = sizeof(external_state),
    .init = external_init,
    .ask = external_ask,
    .tell = external_tell,
    .incumbent = external_incumbent,
    .free = external_free,
    .set_budget = external_set_budget,
};
