/* mfbo-analyze: the post-hoc analysis of a results file of mfbo-sweep: the summary on stdout
 * and in DIR/summary.txt, DIR/summary.csv, and the figures with their gnuplot scripts. This
 * file only wires things together: results (HDF5) -> analysis (statistics) -> summary and
 * plot writers. It never writes into the results file. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analysis.h"
#include "plot.h"
#include "core/version.h"
#include "results.h"
#include "summary.h"

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2 };

#define MAX_TARGETS 32

typedef struct {
  const char *file;
  char *dir; /* malloc'ed */
  const char *baseline;
  double targets[MAX_TARGETS];
  size_t n_targets;
  mfbo_plot_format format;
  int quiet;
} options;

static void usage(FILE *out) {
  fprintf(out,
      "usage: mfbo-analyze FILE [-o DIR] [--baseline LABEL] [--targets LIST]\n"
      "                    [--format png|svg|pdf] [--quiet]\n"
      "Analyse a results file of mfbo-sweep (its format: results-format.md, installed under\n"
      "share/doc/mfbo): print the summary (the seed's table, cost, success rate and ERT per\n"
      "target with bootstrap intervals, speedup in cost, the configuration returned most\n"
      "often, pairwise rank-sum tests) and write it to\n"
      "DIR/summary.txt and DIR/summary.csv, with the figures (convergence against evaluations\n"
      "and against cost, runtime ECDF, final regret) and, beside each, its gnuplot script.\n"
      "  -o, --output DIR     where to write (default: FILE without .h5, plus -analysis)\n"
      "  -b, --baseline LABEL the algorithm speedups are relative to (default: pattern, or the\n"
      "                       first algorithm if the file has no pattern)\n"
      "  -t, --targets LIST   regret targets, e.g. 1%%,5%%,10%% or 0.01,0.05,0.1 (the default)\n"
      "  -f, --format F       figures as png (default), svg or pdf\n"
      "  -q, --quiet          no progress on stderr\n"
      "  -h, --help           this help\n"
      "  -V, --version        the version\n"
      "Exit codes: 0 done, 1 runtime failure (I/O, gnuplot), 2 bad usage or input (missing file,\n"
      "not a results file, a newer format, an incomplete sweep); nothing is written then.\n");
}

/* One target: "5%" or "0.05". */
static int parse_target(const char *text, double *out) {
  char *end;
  errno = 0;
  double v = strtod(text, &end);
  if (end == text || errno != 0) return -1;
  if (*end == '%') {
    v /= 100;
    end++;
  }
  if (*end != '\0' || !isfinite(v) || v < 0) return -1;
  *out = v;
  return 0;
}

static int cmp_double(const void *x, const void *y) {
  double a = *(const double *)x, b = *(const double *)y;
  return (a > b) - (a < b);
}

/* A comma-separated list of targets, sorted, duplicates removed. */
static int parse_targets(const char *list, options *o) {
  char *copy = strdup(list), *save = NULL;
  if (!copy) return -1;
  o->n_targets = 0;
  int rc = 0;
  for (char *tok = strtok_r(copy, ",", &save); tok && rc == 0; tok = strtok_r(NULL, ",", &save)) {
    while (*tok == ' ') tok++;
    if (o->n_targets == MAX_TARGETS || parse_target(tok, &o->targets[o->n_targets]) != 0) rc = -1;
    else o->n_targets++;
  }
  free(copy);
  if (rc != 0 || o->n_targets == 0) return -1;
  qsort(o->targets, o->n_targets, sizeof(double), cmp_double);
  size_t kept = 1;
  for (size_t i = 1; i < o->n_targets; i++)
    if (o->targets[i] != o->targets[kept - 1]) o->targets[kept++] = o->targets[i];
  o->n_targets = kept;
  return 0;
}

/* FILE without .h5, plus -analysis. */
static char *default_dir(const char *file) {
  size_t n = strlen(file);
  if (n > 3 && strcmp(file + n - 3, ".h5") == 0) n -= 3;
  char *dir = malloc(n + sizeof "-analysis");
  if (dir) snprintf(dir, n + sizeof "-analysis", "%.*s-analysis", (int)n, file);
  return dir;
}

/* Returns -1 to go on, else the exit code. */
static int parse_options(int argc, char **argv, options *o) {
  static const struct option opts[] = {
      {"output", required_argument, 0, 'o'}, {"baseline", required_argument, 0, 'b'},
      {"targets", required_argument, 0, 't'}, {"format", required_argument, 0, 'f'},
      {"quiet", no_argument, 0, 'q'},       {"help", no_argument, 0, 'h'},
      {"version", no_argument, 0, 'V'},     {0, 0, 0, 0}};
  memset(o, 0, sizeof *o);
  const char *dir = NULL;
  parse_targets("0.01,0.05,0.10", o);
  int c;
  while ((c = getopt_long(argc, argv, "o:b:t:f:qhV", opts, NULL)) != -1) {
    switch (c) {
    case 'o': dir = optarg; break;
    case 'b': o->baseline = optarg; break;
    case 't':
      if (parse_targets(optarg, o) != 0) {
        fprintf(stderr, "mfbo-analyze: --targets %s: expected regrets >= 0 separated by commas, "
                "e.g. 1%%,5%%,10%% or 0.01,0.05 (at most %d)\n", optarg, MAX_TARGETS);
        return EXIT_USAGE;
      }
      break;
    case 'f':
      if (mfbo_plot_format_parse(optarg, &o->format) != 0) {
        fprintf(stderr, "mfbo-analyze: --format %s: must be png, svg or pdf\n", optarg);
        return EXIT_USAGE;
      }
      break;
    case 'q': o->quiet = 1; break;
    case 'h': usage(stdout); return EXIT_OK;
    case 'V': printf("mfbo-analyze %s (git %s)\n", MFBO_VERSION, mfbo_git_revision); return EXIT_OK;
    default: usage(stderr); return EXIT_USAGE;
    }
  }
  if (argc - optind != 1) {
    fprintf(stderr, "mfbo-analyze: %s\n", argc - optind ? "one results FILE, please" : "no results FILE");
    usage(stderr);
    return EXIT_USAGE;
  }
  o->file = argv[optind];
  o->dir = dir ? strdup(dir) : default_dir(o->file);
  if (!o->dir) return EXIT_FAILED;
  return -1;
}

/* mkdir -p */
static int make_dir(const char *dir) {
  char *path = strdup(dir);
  if (!path) return -1;
  int rc = 0;
  for (char *p = path + 1; rc == 0; p++) {
    char saved = *p;
    if (saved != '/' && saved != '\0') continue;
    *p = '\0';
    struct stat st;
    if (mkdir(path, 0777) != 0 && !(errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode)))
      rc = -1;
    *p = saved;
    if (saved == '\0') break;
  }
  free(path);
  return rc;
}

/* The summary on stdout, in DIR/summary.txt and DIR/summary.csv. */
static int write_summaries(const mfbo_analysis *a, const char *dir, FILE *log) {
  mfbo_summary_text(a, stdout);
  fflush(stdout);
  size_t n = strlen(dir) + 32;
  char *txt = malloc(n), *csv = malloc(n);
  int rc = -1;
  if (txt && csv) {
    snprintf(txt, n, "%s/summary.txt", dir);
    snprintf(csv, n, "%s/summary.csv", dir);
    FILE *ft = fopen(txt, "w"), *fc = ft ? fopen(csv, "w") : NULL;
    if (ft) mfbo_summary_text(a, ft);
    if (fc) mfbo_summary_csv(a, fc);
    int ok = ft && fc && !ferror(ft) && !ferror(fc);
    ok = (ft ? fclose(ft) == 0 : 0) && ok;
    ok = (fc ? fclose(fc) == 0 : 0) && ok;
    if (!ok) fprintf(stderr, "mfbo-analyze: cannot write %s or %s: %s\n", txt, csv, strerror(errno));
    else if (log) fprintf(log, "mfbo-analyze: wrote %s and %s\n", txt, csv);
    rc = ok ? 0 : -1;
  }
  free(txt);
  free(csv);
  return rc;
}

static int analyse(const options *o) {
  FILE *log = o->quiet ? NULL : stderr;
  mfbo_results results;
  mfbo_error err;
  mfbo_results_status status = mfbo_results_open_isolated(o->file, &results, &err);
  if (status != MFBO_RESULTS_OK) {
    mfbo_error_print(&err, stderr);
    return status == MFBO_RESULTS_BAD_INPUT ? EXIT_USAGE : EXIT_FAILED;
  }
  mfbo_analysis a;
  mfbo_analysis_options ao = {.baseline = o->baseline, .targets = o->targets,
                              .n_targets = o->n_targets, .log = log};
  int bad_input = 0, code = EXIT_OK;
  if (mfbo_analysis_run(&results, &ao, &a, &bad_input, &err) != 0) {
    mfbo_error_print(&err, stderr);
    code = bad_input || mfbo_results_damaged(&results) ? EXIT_USAGE : EXIT_FAILED;
  } else if (make_dir(o->dir) != 0) {
    fprintf(stderr, "mfbo-analyze: cannot create %s: %s\n", o->dir, strerror(errno));
    code = EXIT_FAILED;
  } else if (write_summaries(&a, o->dir, log) != 0 ||
             mfbo_plot_all(&a, o->dir, o->format, log, &err) != 0) {
    if (err.msg[0]) mfbo_error_print(&err, stderr);
    code = EXIT_FAILED;
  } else if (log) {
    fprintf(log, "mfbo-analyze: done: the summary (summary.txt, summary.csv) and the figures "
            "(*.%s, each beside its .gp script) are in %s/\n", mfbo_plot_format_ext(o->format),
            o->dir);
  }
  mfbo_analysis_free(&a);
  mfbo_results_close(&results);
  return code;
}

int main(int argc, char **argv) {
  options o;
  int code = parse_options(argc, argv, &o);
  if (code < 0) code = analyse(&o);
  free(o.dir);
  return code;
}
