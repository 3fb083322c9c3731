/* external.c: a searcher that is another program (Optuna, BoTorch, your own), speaking the
 * line protocol of docs/external-protocol.md: one JSON object per line on its stdin and
 * stdout. The program is started (core/child.c, no shell) at the run's first ask, once per
 * run, in its own session: it is told the space, a seed, the budgets and the
 * fidelity range; it asks for batches of (configuration, fidelity); it is answered with
 * the measured times, and it says when it is done. Everything else stays here, as for a
 * built-in searcher: the run loop counts cost, enforces the budgets and writes the trace,
 * and the incumbent is chosen by population.c's rule from what was measured (the program
 * never sees a true time and cannot name its own incumbent). A program that crashes, hangs
 * past timeout_s, writes something that is not the protocol, or asks for a configuration
 * outside the space fails the run, with the last line of its stderr in the message; it is
 * killed (SIGTERM, then SIGKILL) and always reaped. */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/child.h"
#include "core/clock.h"
#include "core/space_json.h"
#include "mfbo/searcher.h"
#include "population.h"

#define EXT_PROTOCOL 1
#define EXT_MAX_WORDS 64
#define EXT_MAX_LINE (64L * 1024 * 1024) /* bytes of one message from the program */
#define EXT_GRACE_S 2.0                  /* wait for an exit before SIGTERM, then SIGKILL */

typedef struct {
  const mfbo_space *space;
  char *argv[EXT_MAX_WORDS + 1]; /* the command, split at white space, paths resolved */
  double timeout_s;
  int min_fidelity, max_fidelity;
  unsigned long seed;
  long budget_evals;
  double budget_cost_s;
  /* the program (core/child.c): NULL before it starts and after it is stopped */
  mfbo_child *child;
  int started, done;
  long n_messages; /* lines read from it, for messages */
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

/* Ends the program (closes its input, grace_s to exit, then SIGTERM and SIGKILL to its
 * group) and keeps it for its exit status and stderr. */
static void stop_child(external_state *st, double grace_s) {
  if (st->child) mfbo_child_stop(st->child, grace_s);
}

/* Fails the run: stops the program, then writes "what; stderr: ..." into err. */
__attribute__((format(printf, 3, 4))) static int ext_fail(external_state *st, mfbo_error *err,
                                                          const char *fmt, ...) {
  /* it ended by itself: say how */
  int ended_first = st->child && mfbo_child_wait(st->child, mfbo_now_s()) == 0;
  stop_child(st, 0.5);
  char what[200], how[96], tail[100];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  how[0] = tail[0] = '\0';
  if (ended_first) mfbo_child_exit_text(st->child, how, sizeof how);
  if (st->child) mfbo_child_stderr_tail(st->child, tail, sizeof tail);
  const char *slash = strrchr(st->argv[0], '/');
  mfbo_error_set(err, 0, "%s: %s%s%s%s", slash ? slash + 1 : st->argv[0], what, how,
                 tail[0] ? "; stderr: " : "", tail);
  st->done = 1;
  return -1;
}

/* Starts the program without a shell, its stdin and stdout one channel to us. */
static int start_child(external_state *st, mfbo_error *err) {
  mfbo_child_spec spec = {.argv = st->argv, .talk = 1, .stderr_mode = MFBO_CHILD_STDERR_KEEP,
                          .max_line = (size_t)EXT_MAX_LINE};
  int errnum = 0;
  st->started = 1;
  if (!(st->child = mfbo_child_start(&spec, &errnum)))
    return ext_fail(st, err, "cannot start: %s", strerror(errnum));
  return 0;
}

/* ---------------------------------------------------------------- lines */

/* Sends one message (a line) within timeout_s. */
static int send_message(external_state *st, json_t *msg, mfbo_error *err) {
  char *text = json_dumps(msg, JSON_COMPACT | JSON_ENSURE_ASCII);
  json_decref(msg);
  if (!text) return ext_fail(st, err, "out of memory");
  mfbo_child_io io = mfbo_child_write_line(st->child, text, mfbo_now_s() + st->timeout_s);
  free(text);
  if (io == MFBO_CHILD_TIMEOUT)
    return ext_fail(st, err, "did not read its input within timeout_s = %g s (killed)",
                    st->timeout_s);
  if (io != MFBO_CHILD_OK) {
    mfbo_child_wait(st->child, mfbo_now_s() + 0.5);
    return ext_fail(st, err, "stopped reading its input (%s)", strerror(EPIPE));
  }
  return 0;
}

/* Reads one line from the program (valid until the next read) within timeout_s. */
static int read_line(external_state *st, char **line, mfbo_error *err) {
  mfbo_child_io io = mfbo_child_read_line(st->child, mfbo_now_s() + st->timeout_s, line);
  if (io == MFBO_CHILD_OK) {
    st->n_messages++;
    return 0;
  }
  if (io == MFBO_CHILD_TOO_LONG)
    return ext_fail(st, err, "message %ld is longer than %ld bytes", st->n_messages + 1,
                    EXT_MAX_LINE);
  if (io == MFBO_CHILD_TIMEOUT)
    return ext_fail(st, err, "no answer within timeout_s = %g s (killed)", st->timeout_s);
  mfbo_child_wait(st->child, mfbo_now_s() + 0.5);
  return ext_fail(st, err, "ended its output before %s",
                  st->n_messages == 0 ? "its first message" : "saying it was done");
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

/* The space: parameters, their kinds and values, the default, and the members of a
 * restricted space (null for the full cartesian product). */
static json_t *space_json(const mfbo_space *s) {
  json_t *params = json_array();
  for (int j = 0; j < s->n_params; j++) {
    const mfbo_param *p = &s->params[j];
    json_t *values = json_array();
    for (int i = 0; i < p->n_values; i++) json_array_append_new(values, mfbo_space_value_json(p, i));
    json_array_append_new(params, json_pack("{s:s, s:s, s:o, s:o}", "name", p->name, "kind",
                                            kind_name(p->kind), "values", values, "default",
                                            mfbo_space_value_json(p, p->default_index)));
  }
  json_t *members = json_null();
  if (s->members) {
    members = json_array();
    int *cfg = malloc((size_t)s->n_params * sizeof *cfg);
    for (size_t k = 0; cfg && k < s->n_members; k++) {
      mfbo_space_decode(s, s->members[k], cfg);
      json_t *row = json_array();
      for (int j = 0; j < s->n_params; j++)
        json_array_append_new(row, mfbo_space_value_json(&s->params[j], cfg[j]));
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
    return ext_fail(st, err, "message %ld is not JSON (%s): '%s'", st->n_messages, jerr.text,
                    text);
  }
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
  if (st->child && !st->done) {
    /* the run loop ended the run (a budget) before the program said it was done */
    mfbo_child_write_line(st->child, "{\"type\":\"stop\"}", mfbo_now_s());
  }
  stop_child(st, EXT_GRACE_S);
  mfbo_child_free(st->child);
  for (int i = 0; i < EXT_MAX_WORDS && st->argv[i]; i++) free(st->argv[i]);
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
