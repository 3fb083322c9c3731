/* command.c: the `command` benchmark: a live landscape. A configuration is measured by
 * running a user command (through /bin/sh, in the job file's directory) that times it:
 * the configuration reaches the command as environment variables MFBO_NAME=value and as
 * {NAME} placeholders in the command text, the fidelity as MFBO_REPS / {REPS}; the command
 * prints one `time_ms=X` line per timed repetition (and optionally `compile_s=X`). The
 * measured time is the median of the printed times; the cost is the command's real wall
 * time. A non-zero exit, a timeout (the command's process group is killed) or output
 * without a valid time line is a failed configuration (INFINITY), as a Kernel Tuner
 * failure is. The true time is unknown (docs/live.md): the run loop records NaN and
 * re-measures the configuration a run returns at final_reps repetitions.
 * Parameters are declared in [benchmark] as `param.NAME = v1, v2, ...`; their kinds are
 * inferred from the values as for Kernel Tuner data (docs/job-format.md). */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <string.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "mfbo/benchmark.h"
#include "core/child.h"
#include "core/clock.h"
#include "live.h"

extern char **environ;

#define CMD_MAX_OUTPUT ((size_t)1 << 20) /* bytes of output read; the rest is discarded */

typedef struct {
  char *command;     /* as written, placeholders unexpanded */
  char *dir;         /* where it runs: the job file's directory (NULL: the current one) */
  double timeout_s;
  int final_reps;
  int charge_compile_once; /* 1: a re-evaluation is not charged the compile_s it prints */
  int report_failures;     /* 1: say on stderr why a configuration failed */
} cmd_state;

/* ---------------------------------------------------------------- the type */

static void cmd_free(void *vstate) {
  cmd_state *st = vstate;
  free(st->command);
  free(st->dir);
  memset(st, 0, sizeof *st);
}

static int cmd_init(void *vstate, mfbo_settings *settings, int instance, mfbo_space *space,
                    mfbo_error *err) {
  (void)instance; /* one machine, one landscape: every instance is the same */
  cmd_state *st = vstate;
  static const char *const charge_choices[] = {"always", "once", NULL};
  static const char *const failure_choices[] = {"report", "silent", NULL};
  int charge = 0, failures = 0;
  st->timeout_s = 60;
  st->final_reps = 100;
  mfbo_setting *command = mfbo_settings_take(settings, "command");
  if (mfbo_settings_get_double(settings, "timeout_s", 0.001, 1e6, &st->timeout_s, err) ||
      mfbo_settings_get_int(settings, "final_reps", 1, 1000000, &st->final_reps, err) ||
      mfbo_settings_get_choice(settings, "charge_compile", charge_choices, &charge, err) ||
      mfbo_settings_get_choice(settings, "failures", failure_choices, &failures, err))
    return -1;
  st->charge_compile_once = charge == 1;
  st->report_failures = failures == 0;
  if (!command || !command->value[0]) {
    mfbo_error_set(err, command ? command->line : settings->line,
                   "missing key 'command' in [benchmark] (the command that times one "
                   "configuration, e.g. command = sh run.sh)");
    return -1;
  }
  if (!(st->command = strdup(command->value)) ||
      (settings->dir && !(st->dir = strdup(settings->dir)))) {
    mfbo_error_set(err, command->line, "out of memory");
    return -1;
  }
  return mfbo_live_add_params(settings, space, err);
}

/* ---------------------------------------------------------------- running the command */

/* Appends text to a growing string; -1 out of memory. */
static int append(char **buf, size_t *len, size_t *cap, const char *text, size_t n) {
  if (*len + n + 1 > *cap) {
    size_t c = 2 * (*len + n + 1);
    char *b = realloc(*buf, c);
    if (!b) return -1;
    *buf = b;
    *cap = c;
  }
  memcpy(*buf + *len, text, n);
  *len += n;
  (*buf)[*len] = '\0';
  return 0;
}

/* The value of placeholder name[0..n) ({NAME} of a parameter, {REPS}); NULL if it is none. */
static const char *placeholder(const mfbo_space *space, const int *cfg, int reps,
                               const char *name, size_t n, char *buf, size_t size) {
  if (n == 4 && strncmp(name, "REPS", 4) == 0) {
    snprintf(buf, size, "%d", reps);
    return buf;
  }
  for (int j = 0; j < space->n_params; j++)
    if (strlen(space->params[j].name) == n && strncmp(space->params[j].name, name, n) == 0) {
      mfbo_space_format_value(space, j, cfg[j], buf, size);
      return buf;
    }
  return NULL;
}

/* The command text with every {NAME} of a parameter and {REPS} replaced; other text,
 * braces included (${HOME}), is left as it is. NULL: out of memory. */
static char *expand(const char *command, const mfbo_space *space, const int *cfg, int reps) {
  char *out = NULL, value[256];
  size_t len = 0, cap = 0;
  if (append(&out, &len, &cap, "", 0) != 0) return NULL;
  for (const char *c = command; *c;) {
    const char *close = *c == '{' ? strchr(c, '}') : NULL;
    const char *v = close ? placeholder(space, cfg, reps, c + 1, (size_t)(close - c - 1), value,
                                        sizeof value)
                          : NULL;
    int rc = v ? append(&out, &len, &cap, v, strlen(v)) : append(&out, &len, &cap, c, 1);
    if (rc != 0) {
      free(out);
      return NULL;
    }
    c = v ? close + 1 : c + 1;
  }
  return out;
}

static void free_env(char **env, const mfbo_space *space) {
  for (int i = 0; env && i <= space->n_params; i++) free(env[i]);
  free(env);
}

/* The environment of the command: MFBO_NAME=value per parameter and MFBO_REPS, then this
 * process's other variables (an inherited MFBO_* is left out: glibc's getenv would find it
 * first). NULL-terminated; free with free_env. */
static char **make_env(const mfbo_space *space, const int *cfg, int reps) {
  size_t n = 0, m = (size_t)space->n_params + 1, k = 0;
  while (environ[n]) n++;
  char **env = calloc(m + n + 1, sizeof *env);
  if (!env) return NULL;
  char value[256], entry[512];
  for (int j = 0; j < space->n_params; j++) {
    mfbo_space_format_value(space, j, cfg[j], value, sizeof value);
    snprintf(entry, sizeof entry, "MFBO_%s=%s", space->params[j].name, value);
    env[k++] = strdup(entry);
  }
  snprintf(entry, sizeof entry, "MFBO_REPS=%d", reps);
  env[k++] = strdup(entry);
  int oom = 0;
  for (size_t i = 0; i < m; i++) oom |= env[i] == NULL;
  for (size_t i = 0; i < n; i++)
    if (strncmp(environ[i], "MFBO_", 5) != 0) env[k++] = environ[i];
  if (oom) {
    free_env(env, space);
    return NULL;
  }
  return env;
}

/* What running the command gave. */
typedef struct {
  char *out;     /* its standard output (at most CMD_MAX_OUTPUT bytes), NUL-terminated */
  size_t len;
  int full;      /* CMD_MAX_OUTPUT reached: the rest is read and discarded */
  int status;    /* as waitpid reports it */
  int timed_out; /* killed at timeout_s */
  int spawn_errno;
} cmd_output;

/* Runs the command through /bin/sh in its own session (core/child.c): its output is read
 * until the shell has exited (a descendant that keeps the output open is not waited for)
 * or timeout_s has passed; then its process group is killed. */
static void run_command(const cmd_state *st, const char *command, char **env, cmd_output *o) {
  char *argv[] = {"/bin/sh", "-c", (char *)command, NULL};
  mfbo_child_spec spec = {.argv = argv, .env = env, .dir = st->dir,
                          .stderr_mode = MFBO_CHILD_STDERR_INHERIT};
  double deadline = mfbo_now_s() + st->timeout_s;
  mfbo_child *c = mfbo_child_start(&spec, &o->spawn_errno);
  if (!c) return;
  char *out;
  mfbo_child_io rc = mfbo_child_read_all(c, deadline, CMD_MAX_OUTPUT, &out, &o->len, &o->full);
  o->timed_out = rc == MFBO_CHILD_TIMEOUT || mfbo_child_wait(c, deadline) != 0;
  if (o->timed_out) mfbo_child_kill(c);
  mfbo_child_reaped(c, &o->status);
  if (o->len > 0 && !(o->out = strdup(out))) o->spawn_errno = ENOMEM;
  mfbo_child_free(c);
}

/* ---------------------------------------------------------------- reading its output */

/* The value of a `key=number` line (number >= 0), 1 if the line has the key, -1 if the
 * number is bad, 0 if it is another line. */
static int field(const char *line, const char *key, double *out) {
  size_t n = strlen(key);
  if (strncmp(line, key, n) != 0 || line[n] != '=') return 0;
  return mfbo_parse_double(line + n + 1, out) == 0 && isfinite(*out) && *out >= 0 ? 1 : -1;
}

/* The times (ms) and compile_s the output prints; why it is unusable in why (else ""). */
static size_t parse_output(char *out, double *times, size_t max, double *compile_s,
                           char *why, size_t size) {
  size_t n = 0;
  char *save = NULL;
  why[0] = '\0';
  for (char *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    size_t len = strlen(line);
    while (len > 0 && isspace((unsigned char)line[len - 1])) line[--len] = '\0';
    double v;
    int t = field(line, "time_ms", &v), c = t ? 0 : field(line, "compile_s", compile_s);
    if (t < 0 || c < 0) {
      snprintf(why, size, "bad output line '%.80s' (expected a number >= 0)", line);
      return 0;
    }
    if (t > 0 && n < max) times[n++] = v;
  }
  if (n == 0) snprintf(why, size, "no time_ms=... line in its output");
  return n;
}

/* The median of the printed times, or INFINITY with why set. */
static double measured_of(cmd_output *o, double *compile_s, char *why, size_t size) {
  if (o->spawn_errno) {
    snprintf(why, size, "cannot start: %s", strerror(o->spawn_errno));
    return INFINITY;
  }
  if (o->timed_out) {
    snprintf(why, size, "timed out (killed)");
    return INFINITY;
  }
  if (WIFSIGNALED(o->status)) {
    snprintf(why, size, "killed by signal %d", WTERMSIG(o->status));
    return INFINITY;
  }
  if (!WIFEXITED(o->status) || WEXITSTATUS(o->status) != 0) {
    snprintf(why, size, "exit status %d", WIFEXITED(o->status) ? WEXITSTATUS(o->status) : -1);
    return INFINITY;
  }
  if (!o->out) {
    snprintf(why, size, "no output (no time_ms=... line)");
    return INFINITY;
  }
  size_t max = o->len / 8 + 1; /* a time line has at least 9 bytes */
  double *times = malloc(max * sizeof *times);
  size_t n = times ? parse_output(o->out, times, max, compile_s, why, size) : 0;
  if (!times) snprintf(why, size, "out of memory");
  double median = INFINITY;
  if (n > 0) {
    gsl_sort(times, 1, n);
    median = gsl_stats_median_from_sorted_data(times, 1, n);
  }
  free(times);
  return median;
}

static void cmd_measure_live(const void *vstate, const mfbo_space *space, const int *cfg,
                             int reps, int compiled, double *measured_ms, double *cost_s) {
  const cmd_state *st = vstate;
  if (reps == 0) reps = st->final_reps;
  char *command = expand(st->command, space, cfg, reps);
  char **env = make_env(space, cfg, reps);
  cmd_output o = {0};
  double start = mfbo_now_s(), compile_s = 0;
  if (command && env)
    run_command(st, command, env, &o);
  else
    o.spawn_errno = ENOMEM;
  *cost_s = mfbo_now_s() - start;
  char why[256];
  *measured_ms = measured_of(&o, &compile_s, why, sizeof why);
  if (compiled && st->charge_compile_once) *cost_s = fmax(0, *cost_s - compile_s);
  if (!isfinite(*measured_ms) && st->report_failures) {
    char where[1024];
    mfbo_space_format(space, cfg, where, sizeof where);
    fprintf(stderr, "command benchmark: %s (reps %d): %s\n", where, reps, why);
  }
  free(o.out);
  free_env(env, space);
  free(command);
}

const mfbo_benchmark_type mfbo_benchmark_command = {
    .name = "command",
    .summary = "a live landscape: each configuration is timed by running a command "
               "(command = ..., param.NAME = values; docs/live.md)",
    .state_size = sizeof(cmd_state),
    .init = cmd_init,
    .free = cmd_free,
    .measure_live = cmd_measure_live,
};
