/* mfbo-landscape: describe a job's benchmark landscape: the space, the optimum and where it
 * is, quantiles of the true time; with --csv, every configuration with its true time. A live
 * benchmark (type command) is only described: measuring it would run its command.
 * It only reads: nothing is written but stdout. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "core/version.h"
#include "mfbo/benchmark.h"
#include "mfbo/job.h"
#include "core/stream.h"

#define SAMPLE_SIZE 100000 /* configurations drawn when a space is too large to list */

static void usage(FILE *out) {
  fprintf(out,
          "usage: mfbo-landscape [JOB] [--csv] [--instance N]\n"
          "Describe the benchmark of JOB (default: the built-in default job): size of the\n"
          "space, its parameters, the optimum and where it is, quantiles of the true time.\n"
          "  --csv          one line per configuration: the parameter values, valid (0/1)\n"
          "                 and true_ms (header first)\n"
          "  --instance N   which benchmark instance of the job (default: its first)\n"
          "  -h, --help     this help\n"
          "  -V, --version  the version\n"
          "Exit codes: 0 success, 1 runtime failure, 2 bad usage or invalid job.\n");
}

static const char *kind_name(mfbo_param_kind k) {
  static const char *const names[] = {"power of two", "integer", "enum", "boolean"};
  return names[k];
}

static void print_csv(const mfbo_benchmark *b) {
  const mfbo_space *s = b->space;
  for (int j = 0; j < s->n_params; j++) printf("%s,", s->params[j].name);
  printf("valid,true_ms\n");
  int *cfg = malloc((size_t)s->n_params * sizeof *cfg);
  uint64_t size = mfbo_space_size(s);
  for (uint64_t k = 0; cfg && k < size; k++) {
    mfbo_space_point(s, k, cfg);
    for (int j = 0; j < s->n_params; j++) {
      char v[128];
      mfbo_space_format_value(s, j, cfg[j], v, sizeof v);
      printf("%s,", v);
    }
    double t = mfbo_benchmark_true_ms(b, cfg);
    if (isfinite(t))
      printf("1,%.17g\n", t);
    else
      printf("0,inf\n");
  }
  free(cfg);
}

static void print_params(const mfbo_space *s) {
  for (int j = 0; j < s->n_params; j++) {
    const mfbo_param *p = &s->params[j];
    char lo[128], hi[128], def[128];
    mfbo_space_format_value(s, j, 0, lo, sizeof lo);
    mfbo_space_format_value(s, j, p->n_values - 1, hi, sizeof hi);
    mfbo_space_format_value(s, j, p->default_index, def, sizeof def);
    printf("  %-20s %-13s %s..%s (%d values), default %s\n", p->name, kind_name(p->kind), lo,
           hi, p->n_values, def);
  }
}

/* True times of every configuration, or of a fixed random sample of a large space;
 * returns how many are valid (finite), sorted ascending in times[0..]. */
static size_t collect_times(const mfbo_benchmark *b, double *times, size_t n, int sampled) {
  int *cfg = malloc((size_t)b->space->n_params * sizeof *cfg);
  gsl_rng *rng = mfbo_stream_alloc(b->key, "landscape-sample");
  size_t valid = 0;
  for (size_t k = 0; cfg && rng && k < n; k++) {
    if (sampled)
      mfbo_space_random(b->space, rng, cfg);
    else
      mfbo_space_point(b->space, k, cfg);
    double t = mfbo_benchmark_true_ms(b, cfg);
    if (isfinite(t)) times[valid++] = t;
  }
  free(cfg);
  gsl_rng_free(rng);
  gsl_sort(times, 1, valid);
  return valid;
}

static void print_quantiles(const double *times, size_t valid, double optimum_ms) {
  static const double q[] = {0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0};
  static const char *const names[] = {"min", "10%", "25%", "median", "75%", "90%", "max"};
  printf("true time quantiles over valid configurations, ms:\n ");
  for (int i = 0; i < 7; i++)
    printf(" %s %.6g", names[i], gsl_stats_quantile_from_sorted_data(times, 1, valid, q[i]));
  printf("\n");
  if (isnan(optimum_ms)) return;
  size_t within5 = 0, within10 = 0;
  for (size_t i = 0; i < valid; i++) {
    within5 += times[i] <= 1.05 * optimum_ms;
    within10 += times[i] <= 1.10 * optimum_ms;
  }
  printf("within 5%% of the optimum: %zu (%.3g%%); within 10%%: %zu (%.3g%%)\n", within5,
         100.0 * within5 / valid, within10, 100.0 * within10 / valid);
}

static int print_summary(const mfbo_benchmark *b) {
  const mfbo_space *s = b->space;
  uint64_t size = mfbo_space_size(s);
  int sampled = size > MFBO_SPACE_ENUMERABLE;
  size_t n = sampled ? SAMPLE_SIZE : (size_t)size;
  printf("benchmark: %s, instance %d: %s\n", b->type->name, b->instance, b->type->summary);
  printf("space: %llu configurations, %d parameters%s\n", (unsigned long long)size,
         s->n_params, s->members ? " (restricted to the listed members)" : "");
  print_params(s);
  if (mfbo_benchmark_is_live(b)) {
    printf("live: each configuration is timed by running the benchmark's command when a sweep\n"
           "runs; nothing is measured here (no true times, no optimum, no quantiles)\n");
    return 0;
  }
  double *times = malloc((n ? n : 1) * sizeof *times);
  if (!times) return -1;
  size_t valid = collect_times(b, times, n, sampled);
  if (sampled)
    printf("statistics from %zu random configurations (the space is too large to list)\n", n);
  else
    printf("valid: %zu of %zu\n", valid, n);
  if (b->optimum_index >= 0) {
    int *cfg = malloc((size_t)s->n_params * sizeof *cfg);
    char where[1024];
    mfbo_space_point(s, (uint64_t)b->optimum_index, cfg);
    mfbo_space_format(s, cfg, where, sizeof where);
    printf("optimum: %.10g ms at %s\n", b->optimum_ms, where);
    free(cfg);
  }
  if (valid > 0) print_quantiles(times, valid, b->optimum_ms);
  free(times);
  return 0;
}

int main(int argc, char **argv) {
  static const struct option opts[] = {{"csv", no_argument, 0, 'c'},
                                       {"instance", required_argument, 0, 'i'},
                                       {"help", no_argument, 0, 'h'},
                                       {"version", no_argument, 0, 'V'},
                                       {0, 0, 0, 0}};
  int csv = 0, c;
  long instance = -1;
  while ((c = getopt_long(argc, argv, "hV", opts, NULL)) != -1) {
    switch (c) {
    case 'c': csv = 1; break;
    case 'i':
      if (mfbo_parse_long(optarg, &instance) != 0 || instance < 1) {
        fprintf(stderr, "mfbo-landscape: --instance needs a positive integer\n");
        return 2;
      }
      break;
    case 'h': usage(stdout); return 0;
    case 'V': printf("mfbo-landscape %s (git %s)\n", MFBO_VERSION, mfbo_git_revision); return 0;
    default: usage(stderr); return 2;
    }
  }
  if (argc - optind > 1) {
    usage(stderr);
    return 2;
  }
  mfbo_job job;
  mfbo_error err;
  mfbo_error_clear(&err);
  int rc = optind < argc ? mfbo_job_load_file(argv[optind], &job, &err)
                         : mfbo_job_load_text("(built-in default)", mfbo_default_job_text, &job,
                                              &err);
  if (rc != 0) {
    mfbo_error_print(&err, stderr);
    return 2;
  }
  if (instance < 0) instance = job.instances[0];
  /* an instance of the job was built by the loader; another one is built here */
  mfbo_benchmark *b = NULL, *own = NULL;
  for (int i = 0; i < job.n_instances; i++)
    if (job.instances[i] == instance && mfbo_benchmark_find_optimum(job.benchmarks[i]) == 0)
      b = job.benchmarks[i];
  if (!b)
    b = own = mfbo_benchmark_alloc(job.benchmark_type, &job.benchmark, &job.space,
                                   (int)instance, &err);
  if (!b) {
    snprintf(err.file, sizeof err.file, "%s", job.path);
    mfbo_error_print(&err, stderr);
    mfbo_job_free(&job);
    return 2;
  }
  if (csv && mfbo_benchmark_is_live(b)) {
    fprintf(stderr, "mfbo-landscape: %s: a live benchmark (type %s) has no true times to list "
            "with --csv: it would run its command once per configuration\n", job.path,
            b->type->name);
    rc = 2;
  } else if (csv && mfbo_space_size(b->space) > MFBO_SPACE_ENUMERABLE) {
    fprintf(stderr, "mfbo-landscape: %s: the space is too large to list with --csv\n", job.path);
    rc = 2;
  } else if (csv)
    print_csv(b);
  else
    rc = print_summary(b);
  mfbo_benchmark_free(own);
  mfbo_job_free(&job);
  if (rc == 2) return 2;
  if (fflush(stdout) != 0 || rc != 0) {
    fprintf(stderr, "mfbo-landscape: error writing the output\n");
    return 1;
  }
  return 0;
}
