/* sections.c: a job's parsed sections turned into the job: [sweep] into its fields, the
 * [benchmark] and [algorithm LABEL] types looked up in the type tables (types.c) or loaded
 * from a plugin (plugin.c). */
#include "reader.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mfbo/plugin.h"

static int parse_list_setting(parser *p, const mfbo_setting *it, long lo, long hi, long **out,
                              int *n) {
  if (mfbo_parse_int_list(it->value, lo, hi, out, n, p->err, it->line) == 0) return 0;
  char msg[sizeof p->err->msg];
  snprintf(msg, sizeof msg, "%s", p->err->msg);
  return job_fail(p, it->line, "%s: %s", it->key, msg);
}


/* ---------------------------------------------------------------- [sweep] */

/* "dir/name.ini" -> "name" */
void job_basename_stem(const char *path, char *out, size_t size) {
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  const char *dot = strrchr(base, '.');
  int len = (int)(dot && dot != base ? (size_t)(dot - base) : strlen(base));
  snprintf(out, size, "%.*s", len, base);
}

static int copy_value(parser *p, const mfbo_setting *it, char *dst, size_t size) {
  if (it->value[0] == '\0') return job_fail(p, it->line, "%s is empty", it->key);
  if (strlen(it->value) >= size)
    return job_fail(p, it->line, "%s is too long (at most %zu characters)", it->key, size - 1);
  snprintf(dst, size, "%s", it->value);
  return 0;
}

int job_finish_sweep(parser *p, const char *default_name) {
  mfbo_job *job = p->job;
  mfbo_settings *s = &p->sweep;
  const mfbo_setting *it = mfbo_settings_take(s, "name");
  if (it && copy_value(p, it, job->name, sizeof job->name) != 0) return -1;
  if (!it) snprintf(job->name, sizeof job->name, "%s", default_name);
  if (job->name[0] == '\0') return job_fail(p, p->sweep_line, "the job needs a name (name = ...)");
  it = mfbo_settings_take(s, "output");
  if (it && copy_value(p, it, job->output, sizeof job->output) != 0) return -1;
  if (!it) snprintf(job->output, sizeof job->output, "%s.h5", job->name);
  it = mfbo_settings_take(s, "seeds");
  if (!it) return job_fail(p, p->sweep_line, "missing key 'seeds' in [sweep] (e.g. seeds = 1-30)");
  if (parse_list_setting(p, it, 0, LONG_MAX, &job->seeds, &job->n_seeds) != 0) return -1;
  mfbo_budget *b = &job->budget;
  it = mfbo_settings_take(s, "budget_evals");
  if (it && (mfbo_parse_long(it->value, &b->max_evals) != 0 || b->max_evals < 0))
    return job_fail(p, it->line, "budget_evals = '%s': expected an integer >= 0 (0: no limit)",
                it->value);
  it = mfbo_settings_take(s, "budget_cost_s");
  if (it && (mfbo_parse_double(it->value, &b->max_cost_s) != 0 || b->max_cost_s < 0))
    return job_fail(p, it->line, "budget_cost_s = '%s': expected seconds >= 0 (0: no limit)",
                it->value);
  return 0;
}

/* ---------------------------------------------------------------- types */

static void benchmark_names(char *buf, size_t size) {
  size_t at = 0;
  buf[0] = '\0';
  for (int i = 0; mfbo_benchmark_types[i] && at < size; i++)
    at += (size_t)snprintf(buf + at, size - at, "%s%s", i ? ", " : "",
                           mfbo_benchmark_types[i]->name);
}

static void searcher_names(char *buf, size_t size) {
  size_t at = 0;
  buf[0] = '\0';
  for (int i = 0; mfbo_searcher_types[i] && at < size; i++)
    at += (size_t)snprintf(buf + at, size - at, "%s%s", i ? ", " : "",
                           mfbo_searcher_types[i]->name);
}

int job_finish_benchmark(parser *p) {
  mfbo_job *job = p->job;
  char known[256];
  const mfbo_setting *it = mfbo_settings_take(&p->bench_meta, "type");
  if (!it) return job_fail(p, p->benchmark_line, "missing key 'type' in [benchmark]");
  job->benchmark_type = mfbo_benchmark_type_find(it->value);
  if (!job->benchmark_type) {
    benchmark_names(known, sizeof known);
    return job_fail(p, it->line, "unknown benchmark type '%s' (known: %s)", it->value, known);
  }
  mfbo_setting one = {"instances", "1", p->benchmark_line, 1};
  it = mfbo_settings_take(&p->bench_meta, "instances");
  long *vals = NULL;
  int n = 0;
  if (parse_list_setting(p, it ? it : &one, 1, INT_MAX, &vals, &n) != 0) return -1;
  job->instances = malloc((size_t)n * sizeof *job->instances);
  if (!job->instances) {
    free(vals);
    return job_fail(p, 0, "out of memory");
  }
  for (int i = 0; i < n; i++) job->instances[i] = (int)vals[i];
  job->n_instances = n;
  free(vals);
  return 0;
}

/* The type called name from the plugin the setting names (relative to the job's directory). */
static int load_plugin(parser *p, mfbo_job_algorithm *a, const mfbo_setting *plugin,
                       const char *name) {
  char path[4096], where[1024], msg[sizeof p->err->msg];
  if (plugin->value[0] == '\0') return job_fail(p, plugin->line, "plugin is empty");
  if (mfbo_settings_find_file(&p->job->benchmark, plugin->value, path, sizeof path, where,
                              sizeof where) != 0)
    return job_fail(p, plugin->line, "plugin %s: not found (looked in %s)", plugin->value, where);
  a->type = mfbo_plugin_searcher(path, name, msg, sizeof msg);
  if (!a->type) return job_fail(p, plugin->line, "%s", msg);
  return (a->plugin = strdup(path)) ? 0 : job_fail(p, 0, "out of memory");
}

int job_finish_algorithms(parser *p) {
  mfbo_job *job = p->job;
  char known[256];
  for (int i = 0; i < job->n_algorithms; i++) {
    mfbo_job_algorithm *a = &job->algorithms[i];
    const mfbo_setting *it = mfbo_settings_take(&p->alg_meta[i], "type");
    const char *name = it ? it->value : a->label;
    const mfbo_setting *plugin = mfbo_settings_take(&p->alg_meta[i], "plugin");
    if (plugin) {
      if (load_plugin(p, a, plugin, name) != 0) return -1;
      continue;
    }
    a->type = mfbo_searcher_type_find(name);
    if (!a->type) {
      searcher_names(known, sizeof known);
      return job_fail(p, it ? it->line : a->line, "unknown algorithm type '%s' (known: %s)", name,
                  known);
    }
  }
  return 0;
}

int job_check_sections(parser *p) {
  if (!p->sweep_line) return job_fail(p, 0, "missing section [sweep]");
  if (!p->benchmark_line) return job_fail(p, 0, "missing section [benchmark]");
  if (p->job->n_algorithms == 0)
    return job_fail(p, 0, "no [algorithm LABEL] section: the job has nothing to run");
  return 0;
}

