/* plot.c: the figures, as self-contained gnuplot scripts run by gnuplot (see plot.h); the
 * only gnuplot code of the project. A script is built in memory: a header saying what the
 * figure shows and how its data are laid out, the style (analysis/mfbo-style.gp), the
 * terminal, the data inline, then the plot command. Curves are written as step functions
 * (each change drawn as a vertical jump), so that lines and bands show exactly the values
 * computed in analysis.c. Log axes get only positive values: regret 0 is drawn at a floor
 * that the axis label states, and +inf (no incumbent yet) is written as NaN (not drawn). */
#include "plot.h"

#include "core/child.h"
#include "core/clock.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MFBO_VERSION
#define MFBO_VERSION "unknown"
#endif

#define LOG_FLOOR_DEFAULT 1e-4
#define STDERR_KEEP 2000 /* bytes of gnuplot's stderr quoted in an error */
#define GNUPLOT_TIMEOUT_S 600 /* one figure; a hung gnuplot is killed */
#define BAND_INNER_ALPHA 0.30
#define BAND_OUTER_ALPHA 0.12

const char *const mfbo_plot_names[] = {"convergence-evals", "convergence-cost", "ecdf-cost",
                                       "final-regret"};
const int mfbo_plot_count = 4;

/* ---------------------------------------------------------------- formats */

int mfbo_plot_format_parse(const char *text, mfbo_plot_format *out) {
  static const char *const names[] = {"png", "svg", "pdf"};
  for (int i = 0; i < 3; i++)
    if (strcmp(text, names[i]) == 0) {
      *out = (mfbo_plot_format)i;
      return 0;
    }
  return -1;
}

const char *mfbo_plot_format_ext(mfbo_plot_format f) {
  return f == MFBO_PLOT_SVG ? "svg" : f == MFBO_PLOT_PDF ? "pdf" : "png";
}

static const char *terminal_line(mfbo_plot_format f) {
  switch (f) {
  case MFBO_PLOT_SVG:
    return "set terminal svg size 1000,650 dynamic noenhanced font 'Sans,11' background rgb 'white'";
  case MFBO_PLOT_PDF:
    return "set terminal pdfcairo size 9in,5.85in noenhanced font 'Sans,10'";
  default:
    return "set terminal pngcairo size 1000,650 noenhanced font 'Sans,11'";
  }
}

/* ---------------------------------------------------------------- values */

/* Accumulates what the floor depends on: the smallest positive value, any zero. */
typedef struct {
  double smallest;
  int zero;
} floor_scan;

static void floor_add(floor_scan *f, const double *values, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (values[i] > 0 && values[i] < f->smallest) f->smallest = values[i];
    f->zero = f->zero || values[i] <= 0;
  }
}

static double floor_of(const floor_scan *f) {
  double below = isfinite(f->smallest) ? pow(10, floor(log10(f->smallest)) - 1) : LOG_FLOOR_DEFAULT;
  return f->zero && below > LOG_FLOOR_DEFAULT ? LOG_FLOOR_DEFAULT : below;
}

double mfbo_plot_log_floor(const double *values, size_t n) {
  floor_scan f = {INFINITY, 0};
  floor_add(&f, values, n);
  return floor_of(&f);
}

/* What a log axis gets for v: NaN for +inf (not drawn), the floor for anything below it. */
static double on_log_axis(double v, double floor_value) {
  if (!isfinite(v)) return NAN;
  return v < floor_value ? floor_value : v;
}

static int same_value(double a, double b) {
  return a == b || (isnan(a) && isnan(b));
}

static void put_number(FILE *fp, double v) {
  if (isnan(v)) fputs(" NaN", fp);
  else fprintf(fp, " %.9g", v);
}

/* A gnuplot single-quoted string ('' stands for one quote). */
static void put_quoted(FILE *fp, const char *s) {
  fputc('\'', fp);
  for (; *s; s++) {
    if (*s == '\'') fputc('\'', fp);
    if (*s != '\n') fputc(*s, fp);
  }
  fputc('\'', fp);
}

/* The targets for titles: "regret <= 1%, 5%, 10%". */
static void targets_text(const mfbo_analysis *a, char *buf, size_t size) {
  size_t used = (size_t)snprintf(buf, size, "regret <= ");
  for (size_t j = 0; j < a->n_targets && used < size; j++)
    used += (size_t)snprintf(buf + used, size - used, "%s%.6g%%", j ? ", " : "",
                             a->targets[j] * 100);
}

/* The file an error is about (cut to fit). */
static void error_file(mfbo_error *err, const char *path) {
  /* memcpy, not strncpy or snprintf: gcc 12 with the sanitizers flags both
   * (-Wstringop-truncation, -Wformat-truncation) although the cut is wanted */
  size_t n = strlen(path);
  if (n >= sizeof err->file) n = sizeof err->file - 1;
  memcpy(err->file, path, n);
  err->file[n] = '\0';
}

/* ---------------------------------------------------------------- a script */

typedef struct {
  const mfbo_analysis *a;
  const char *name; /* "convergence-evals" */
  mfbo_plot_format format;
  FILE *fp;         /* the script being built (a memory stream) */
  char *text;
  size_t len;
} script;

static int script_open(script *s, const mfbo_analysis *a, const char *name,
                       mfbo_plot_format format, const char *what, mfbo_error *err) {
  memset(s, 0, sizeof *s);
  s->a = a;
  s->name = name;
  s->format = format;
  s->fp = open_memstream(&s->text, &s->len);
  if (!s->fp) {
    mfbo_error_set(err, 0, "cannot build %s.gp: %s", name, strerror(errno));
    return -1;
  }
  const mfbo_results *r = a->results;
  fprintf(s->fp, "# %s.gp: %s\n", name, what);
  fprintf(s->fp, "# Written by mfbo-analyze %s from %s (sweep %s, benchmark %s).\n", MFBO_VERSION,
          r->path, r->sweep_name ? r->sweep_name : "?", r->benchmark_name ? r->benchmark_name : "?");
  fprintf(s->fp, "# Self-contained: re-render with `gnuplot %s.gp` in this directory (writes "
          "%s.%s); restyle by editing it.\n", name, name, mfbo_plot_format_ext(format));
  return 0;
}

/* The style, the terminal and the output, after the script's own comments. */
static void script_preamble(script *s) {
  fprintf(s->fp, "\n# ---- style (analysis/mfbo-style.gp)\n%s\n# ---- terminal\n%s\n", mfbo_gnuplot_style,
          terminal_line(s->format));
  fprintf(s->fp, "set output '%s.%s'\n\n", s->name, mfbo_plot_format_ext(s->format));
}

/* Runs gnuplot on dir/script in dir (core/child.c); 0 when it exits 0 with nothing on
 * stderr/stdout within GNUPLOT_TIMEOUT_S. */
static int run_gnuplot(const char *dir, const char *script_file, mfbo_error *err) {
  char *argv[] = {"gnuplot", "--default-settings", (char *)script_file, NULL};
  mfbo_child_spec spec = {.argv = argv, .dir = dir, .stderr_mode = MFBO_CHILD_STDERR_MERGE};
  int errnum = 0;
  mfbo_child *c = mfbo_child_start(&spec, &errnum);
  if (!c) {
    mfbo_error_set(err, 0, "cannot run gnuplot%s: %s", errnum == ENOENT ? " (install gnuplot-nox)" : "",
                   strerror(errnum));
    return -1;
  }
  double deadline = mfbo_now_s() + GNUPLOT_TIMEOUT_S;
  char *out;
  size_t total = 0;
  int full = 0;
  int late = mfbo_child_read_all(c, deadline, STDERR_KEEP, &out, &total, &full) ==
                 MFBO_CHILD_TIMEOUT ||
             mfbo_child_wait(c, deadline) != 0;
  if (late) mfbo_child_kill(c);
  int status = 0;
  mfbo_child_reaped(c, &status);
  char kept[STDERR_KEEP + 1];
  snprintf(kept, sizeof kept, "%s", out);
  mfbo_child_free(c);
  if (late) {
    mfbo_error_set(err, 0, "gnuplot did not finish %s within %d s (killed)", script_file,
                   GNUPLOT_TIMEOUT_S);
    return -1;
  }
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (code == 0 && total == 0 && !full) return 0;
  mfbo_error_set(err, 0, "gnuplot %s (exit %d)%s%.400s", code ? "failed" : "warned",
                 code, kept[0] ? ": " : "", kept);
  return -1;
}

static int write_file(const char *path, const char *text, size_t len) {
  FILE *f = fopen(path, "w");
  if (!f) return -1;
  int ok = fwrite(text, 1, len, f) == len;
  return fclose(f) == 0 && ok ? 0 : -1;
}

/* Writes dir/NAME.gp, renders it, checks the figure is there. */
static int script_render(script *s, const char *dir, FILE *log, mfbo_error *err) {
  if (fclose(s->fp) != 0) {
    free(s->text);
    return -1;
  }
  s->fp = NULL;
  char gp[4096], fig[4096], file[256];
  snprintf(file, sizeof file, "%s.gp", s->name);
  snprintf(gp, sizeof gp, "%s/%s.gp", dir, s->name);
  snprintf(fig, sizeof fig, "%s/%s.%s", dir, s->name, mfbo_plot_format_ext(s->format));
  int rc = write_file(gp, s->text, s->len);
  free(s->text);
  s->text = NULL;
  if (rc != 0) {
    error_file(err, gp);
    mfbo_error_set(err, 0, "cannot write: %s", strerror(errno));
    return -1;
  }
  unlink(fig);
  if (run_gnuplot(dir, file, err) != 0) {
    error_file(err, gp);
    return -1;
  }
  struct stat st;
  if (stat(fig, &st) != 0 || st.st_size == 0) {
    error_file(err, gp);
    mfbo_error_set(err, 0, "gnuplot wrote no %s", fig);
    return -1;
  }
  if (log) fprintf(log, "mfbo-analyze: wrote %s (script %s)\n", fig, gp);
  return 0;
}

/* ---------------------------------------------------------------- convergence */

static void put_row(FILE *fp, double x, const double *v) {
  fprintf(fp, "%.9g", x);
  for (int q = 0; q < MFBO_N_QUANTILES; q++) put_number(fp, v[q]);
  fputc('\n', fp);
}

/* Has the curve a median to draw (some run had an incumbent at some point)? */
static int curve_drawable(const mfbo_curve *c) {
  if (!(c->x_end > 0)) return 0;
  if (isfinite(c->q_end[MFBO_Q50])) return 1;
  for (size_t g = 0; g < c->n; g++)
    if (isfinite(c->q[MFBO_Q50][g])) return 1;
  return 0;
}

/* With more than three algorithms the 10-90% bands overlap into one grey mass (seen in the
 * study's six-algorithm figures): only the 25-75% bands are drawn then; the data blocks
 * keep q10 and q90 for anyone who wants them back. */
static int outer_bands(const mfbo_analysis *a) { return a->n_algos <= 3; }

/* The quantiles at grid point g as drawn: on the log axis, and a band with an undefined
 * edge (more runs than it spans have no incumbent yet) undefined as a whole. */
static void band_values(const double *raw, double floor_value, double *v) {
  for (int i = 0; i < MFBO_N_QUANTILES; i++) v[i] = on_log_axis(raw[i], floor_value);
  if (isnan(v[MFBO_Q90])) v[MFBO_Q10] = NAN;
  if (isnan(v[MFBO_Q75])) v[MFBO_Q25] = NAN;
}

/* The curve as a step function: a row at each grid point where a quantile changes, twice
 * (the value before, then after); the last value held up to x_end. */
static void curve_block(script *s, const char *block, const mfbo_curve *c, double floor_value) {
  FILE *fp = s->fp;
  /* regret and true time (ms) both go on a log axis */
  double prev[MFBO_N_QUANTILES] = {NAN, NAN, NAN, NAN, NAN}, v[MFBO_N_QUANTILES];
  fprintf(fp, "%s << EOD\n", block);
  for (size_t g = 0; g < c->n; g++) {
    int changed = g == 0;
    double raw[MFBO_N_QUANTILES];
    for (int q = 0; q < MFBO_N_QUANTILES; q++) raw[q] = c->q[q][g];
    band_values(raw, floor_value, v);
    for (int q = 0; q < MFBO_N_QUANTILES; q++) changed = changed || !same_value(v[q], prev[q]);
    if (changed && g > 0) put_row(fp, c->x[g], prev);
    if (changed) put_row(fp, c->x[g], v);
    memcpy(prev, v, sizeof v);
  }
  int changed = c->n == 0;
  band_values(c->q_end, floor_value, v);
  for (int q = 0; q < MFBO_N_QUANTILES; q++) changed = changed || !same_value(v[q], prev[q]);
  if (c->n > 0) put_row(fp, c->x_end, prev);
  if (changed) put_row(fp, c->x_end, v);
  fprintf(fp, "EOD\n%s_end << EOD\n%.9g", block, c->x_end);
  put_number(fp, on_log_axis(c->q_end[MFBO_Q50], floor_value));
  fprintf(fp, "\nEOD\n");
}

/* The floor of a convergence figure's log axis: over every value it draws. */
static double curve_floor(const mfbo_analysis *a, int by_cost) {
  floor_scan f = {INFINITY, 0};
  for (size_t k = 0; k < a->n_algos; k++) {
    const mfbo_curve *c = by_cost ? &a->algos[k].by_cost : &a->algos[k].by_evals;
    for (int q = 0; q < MFBO_N_QUANTILES; q++) floor_add(&f, c->q[q], c->n);
    floor_add(&f, c->q_end, MFBO_N_QUANTILES);
  }
  return floor_of(&f);
}

/* The power of ten at or below x: the left end of a log axis, so that it gets a label. */
static double decade_below(double x) {
  return pow(10, floor(log10(x)));
}

static void convergence_labels(script *s, int by_cost, double floor_value) {
  const mfbo_analysis *a = s->a;
  const mfbo_results *r = a->results;
  size_t runs_min = a->algos[0].n_runs, runs_max = runs_min;
  for (size_t k = 0; k < a->n_algos; k++) {
    if (a->algos[k].n_runs < runs_min) runs_min = a->algos[k].n_runs;
    if (a->algos[k].n_runs > runs_max) runs_max = a->algos[k].n_runs;
  }
  char runs[64];
  if (runs_min == runs_max) snprintf(runs, sizeof runs, "%zu", runs_min);
  else snprintf(runs, sizeof runs, "%zu-%zu", runs_min, runs_max);
  fprintf(s->fp, "set title \"%s of the incumbent (the configuration a run would return), "
          "against %s\\n%s, %s: median line, %s over %s runs per algorithm\"\n",
          a->curves_regret ? "Regret" : "True time", by_cost ? "simulated cost" : "evaluations",
          r->sweep_name ? r->sweep_name : "sweep", r->benchmark_name ? r->benchmark_name : "benchmark",
          outer_bands(a) ? "25–75% and 10–90% bands" : "25–75% band", runs);
  if (by_cost)
    fprintf(s->fp, "set xlabel 'simulated cost of the run so far (s: compile + timed repetitions; "
            "log scale)'\n");
  else
    fprintf(s->fp, "set xlabel 'evaluations made (log scale)'\n");
  if (a->optimum_known)
    fprintf(s->fp, "set ylabel 'regret = true time / optimum − 1  (log scale; 0 drawn at %g)'\n",
            floor_value);
  else if (a->curves_regret)
    fprintf(s->fp, "set ylabel 'regret vs the best measured on the instance  "
            "(log scale; 0 drawn at %g)'\n", floor_value);
  else
    fprintf(s->fp, "set ylabel 'true time of the incumbent (ms, log scale)'\n");
  fprintf(s->fp, "set logscale xy\nset format y '%%g'\nset format x '%%g'\nset mxtics 10\n");
  double x_right = 0;
  for (size_t k = 0; k < a->n_algos; k++) {
    double end = by_cost ? a->algos[k].by_cost.x_end : a->algos[k].by_evals.x_end;
    if (end > x_right) x_right = end;
  }
  fprintf(s->fp, "set xrange [%.9g:%.9g]\n", by_cost ? decade_below(a->cost_grid_s[0]) : 1.0,
          x_right * 1.15);
}

/* A log y axis from just below the floor; a fixed top when nothing rises above the floor
 * (gnuplot warns about an empty range otherwise). */
static void log_y_range(script *s, double floor_value, double top) {
  if (top > floor_value) fprintf(s->fp, "set yrange [%g:*]\n", floor_value / 2);
  else fprintf(s->fp, "set yrange [%g:%g]\n", floor_value / 2, floor_value * 100);
}

/* The largest finite value of a curve figure. */
static double curve_top(const mfbo_analysis *a, int by_cost) {
  double top = -INFINITY;
  for (size_t k = 0; k < a->n_algos; k++) {
    const mfbo_curve *c = by_cost ? &a->algos[k].by_cost : &a->algos[k].by_evals;
    for (int q = 0; q < MFBO_N_QUANTILES; q++) {
      for (size_t g = 0; g < c->n; g++)
        if (isfinite(c->q[q][g]) && c->q[q][g] > top) top = c->q[q][g];
      if (isfinite(c->q_end[q]) && c->q_end[q] > top) top = c->q_end[q];
    }
  }
  return top;
}

/* The optimum (regret 0 at the floor, or the best true time measured) as a dashed line. */
static void reference_line(script *s, double floor_value) {
  const mfbo_analysis *a = s->a;
  double best = INFINITY;
  for (size_t i = 0; i < a->results->n_instances; i++)
    if (a->reference_ms[i] < best) best = a->reference_ms[i];
  if (a->curves_regret)
    fprintf(s->fp, "  %g with lines dt 2 lw 1.5 lc rgb REFERENCE title '%s (regret 0)'",
            floor_value, a->optimum_known ? "optimum" : "best measured");
  else if (isfinite(best))
    fprintf(s->fp, "  %.9g with lines dt 2 lw 1.5 lc rgb REFERENCE title "
            "'best measured: %.4g ms'", best, best);
  else
    fprintf(s->fp, "  NaN notitle");
}

/* Line widths falling from the first algorithm to the last: where curves coincide, the
 * earlier ones still show around the later ones. */
static double line_width(size_t k, size_t n) {
  return n > 1 ? 2.0 + 1.5 * (double)(n - 1 - k) / (double)(n - 1) : 2.5;
}

static int write_convergence(const mfbo_analysis *a, const char *dir, int by_cost,
                             mfbo_plot_format format, FILE *log, mfbo_error *err) {
  script s;
  const char *name = by_cost ? "convergence-cost" : "convergence-evals";
  if (script_open(&s, a, name, format,
                  by_cost ? "convergence of the incumbent against simulated cost"
                          : "convergence of the incumbent against evaluations", err) != 0)
    return -1;
  double floor_value = curve_floor(a, by_cost);
  fprintf(s.fp,
          "# Data: one block per algorithm ($aK, K in job order), columns x q10 q25 median q75 "
          "q90 of the\n# incumbent's %s over the runs, on a common grid of %s, as a step "
          "function: a row at\n# each change, twice (the value before, then after). A run's "
          "value at x is its incumbent\n# after the last evaluation that ended by x; a run that "
          "ended earlier holds its final value;\n# each curve ends at its algorithm's longest run "
          "(marked x, block $aK_end). NaN: quantile\n# not defined yet (runs without an incumbent); "
          "values below %g (regret 0) are drawn at %g.\n",
          !a->curves_regret  ? "true time (ms)"
          : a->optimum_known ? "regret (true time / optimum - 1)"
                             : "regret (vs the best true time any run measured on the instance)",
          by_cost ? "simulated seconds" : "evaluations", floor_value, floor_value);
  script_preamble(&s);
  char block[32];
  for (size_t k = 0; k < a->n_algos; k++) {
    const mfbo_curve *c = by_cost ? &a->algos[k].by_cost : &a->algos[k].by_evals;
    fprintf(s.fp, "# %s%s\n", a->algos[k].label,
            curve_drawable(c) ? "" : ": no run has an incumbent: nothing to draw");
    snprintf(block, sizeof block, "$a%zu", k + 1);
    if (curve_drawable(c)) curve_block(&s, block, c, floor_value);
  }
  convergence_labels(&s, by_cost, floor_value);
  if (a->curves_regret) log_y_range(&s, floor_value, curve_top(a, by_cost));
  fprintf(s.fp, "plot \\\n");
  reference_line(&s, floor_value);
  for (size_t k = 0; k < a->n_algos; k++) {
    int lt = (int)k + 1;
    if (!curve_drawable(by_cost ? &a->algos[k].by_cost : &a->algos[k].by_evals)) {
      fprintf(s.fp, ", \\\n  NaN with lines lt %d title ", lt); /* in the key only */
      put_quoted(s.fp, a->algos[k].label);
      fprintf(s.fp, " . ' (no incumbent)'");
      continue;
    }
    if (outer_bands(a))
      fprintf(s.fp, ", \\\n  $a%zu using 1:2:6 with filledcurves lt %d fs transparent solid %.2f "
              "noborder notitle", k + 1, lt, BAND_OUTER_ALPHA);
    fprintf(s.fp, ", \\\n");
    fprintf(s.fp, "  $a%zu using 1:3:5 with filledcurves lt %d fs transparent solid %.2f "
            "noborder notitle, \\\n", k + 1, lt, BAND_INNER_ALPHA);
    fprintf(s.fp, "  $a%zu using 1:4 with lines lt %d lw %.2f title ", k + 1, lt,
            line_width(k, a->n_algos));
    put_quoted(s.fp, a->algos[k].label);
    fprintf(s.fp, ", \\\n  $a%zu_end using 1:2 with points lt %d pt 2 ps 2 lw 2 notitle", k + 1, lt);
  }
  fprintf(s.fp, ", \\\n  NaN with filledcurves lc rgb REFERENCE fs transparent solid %.2f noborder "
          "title '25–75%% of runs'", BAND_INNER_ALPHA);
  if (outer_bands(a))
    fprintf(s.fp, ", \\\n  NaN with filledcurves lc rgb REFERENCE fs transparent solid %.2f "
            "noborder title '10–90%% of runs'", BAND_OUTER_ALPHA);
  fprintf(s.fp, ", \\\n  NaN with points pt 2 ps 2 lw 2 lc rgb REFERENCE title 'end of longest run'\n");
  return script_render(&s, dir, log, err);
}

/* ---------------------------------------------------------------- runtime ECDF */

static int cmp_double(const void *x, const void *y) {
  double a = *(const double *)x, b = *(const double *)y;
  return (a > b) - (a < b);
}

/* One algorithm's ECDF of (run, target) pairs as steps from x_left to its longest run. */
static int ecdf_block(script *s, const mfbo_algo *g, size_t k, double x_left) {
  size_t n = g->n_runs * s->a->n_targets;
  double *hits = malloc((n ? n : 1) * sizeof *hits);
  if (!hits) return -1;
  memcpy(hits, g->hit_cost_s, n * sizeof *hits);
  qsort(hits, n, sizeof *hits, cmp_double);
  double x_end = fmax(g->by_cost.x_end, x_left), fraction = 0; /* runs of cost 0: none */
  fprintf(s->fp, "# %s\n$e%zu << EOD\n%.9g 0\n", g->label, k + 1, x_left);
  for (size_t i = 0; i < n && isfinite(hits[i]);) {
    size_t j = i;
    while (j < n && hits[j] == hits[i]) j++;
    fprintf(s->fp, "%.9g %.9g\n", hits[i], fraction);
    fraction = (double)j / (double)n;
    fprintf(s->fp, "%.9g %.9g\n", hits[i], fraction);
    i = j;
  }
  fprintf(s->fp, "%.9g %.9g\nEOD\n$e%zu_end << EOD\n%.9g %.9g\nEOD\n", x_end, fraction, k + 1,
          x_end, fraction);
  free(hits);
  return 0;
}

static int write_ecdf(const mfbo_analysis *a, const char *dir, mfbo_plot_format format,
                      FILE *log, mfbo_error *err) {
  script s;
  if (script_open(&s, a, "ecdf-cost", format,
                  "runtime ECDF over the targets (COCO style) against simulated cost", err) != 0)
    return -1;
  char targets[512];
  targets_text(a, targets, sizeof targets);
  double x_left = decade_below(a->cost_grid_s[0]), x_right = a->cost_grid_s[a->n_cost_grid - 1];
  fprintf(s.fp, "# Data: one block per algorithm ($eK), columns: simulated cost (s), fraction of "
          "its (run, target)\n# pairs reached by then, as a step function; targets: %s%s. A pair "
          "is reached when the\n# run's incumbent first meets the target. Each line ends at the "
          "algorithm's longest run\n# (marked x, $eK_end): what is not reached by then is never "
          "reached.\n", targets, a->optimum_known ? "" : " (regret vs the best true time measured)");
  script_preamble(&s);
  for (size_t k = 0; k < a->n_algos; k++)
    if (ecdf_block(&s, &a->algos[k], k, x_left) != 0) {
      fclose(s.fp);
      free(s.text);
      mfbo_error_set(err, 0, "out of memory");
      return -1;
    }
  fprintf(s.fp, "set title \"Runtime ECDF (COCO style): fraction of (run, target) pairs reached "
          "within a given cost\\n%s; targets: %s%s\"\n",
          a->results->sweep_name ? a->results->sweep_name : "sweep", targets,
          a->optimum_known ? "" : " vs the best true time measured (optimum unknown)");
  fprintf(s.fp, "set xlabel 'simulated cost (s: compile + timed repetitions; log scale)'\n"
          "set ylabel 'fraction of (run, target) pairs reached'\n"
          "set logscale x\nset format x '%%g'\nset mxtics 10\nset yrange [-0.01:1.02]\nset ytics 0,0.1,1\n"
          "set xrange [%.9g:%.9g]\n", x_left, x_right * 1.05);
  fprintf(s.fp, "plot \\\n");
  for (size_t k = 0; k < a->n_algos; k++) {
    fprintf(s.fp, "%s  $e%zu using 1:2 with lines lt %zu lw %.2f title ", k ? ", \\\n" : "", k + 1,
            k + 1, line_width(k, a->n_algos));
    put_quoted(s.fp, a->algos[k].label);
    fprintf(s.fp, ", \\\n  $e%zu_end using 1:2 with points lt %zu pt 2 ps 2 lw 2 notitle", k + 1, k + 1);
  }
  fprintf(s.fp, ", \\\n  NaN with points pt 2 ps 2 lw 2 lc rgb REFERENCE title 'end of longest run'\n");
  return script_render(&s, dir, log, err);
}

/* ---------------------------------------------------------------- final regret */

/* A deterministic jitter in [-0.18, 0.18] for the i-th point of a strip. */
static double jitter(size_t i) {
  double golden = fmod((double)i * 0.6180339887498949, 1.0);
  return (golden - 0.5) * 0.36;
}

/* What final-regret draws of one algorithm: its runs with an incumbent (finite regret). */
typedef struct {
  size_t n_ok, n_failed; /* drawn runs, by status */
  mfbo_spread box;       /* over the drawn runs */
} final_view;

static final_view final_view_of(const mfbo_analysis *a, const mfbo_algo *g) {
  final_view v = {0};
  double *finite = malloc((g->n_runs ? g->n_runs : 1) * sizeof *finite);
  size_t n = 0;
  for (size_t i = 0; finite && i < g->n_runs; i++) {
    if (!isfinite(g->final_regret[i])) continue;
    finite[n++] = g->final_regret[i];
    if (a->results->runs[g->runs[i]].failed) v.n_failed++;
    else v.n_ok++;
  }
  v.box = mfbo_spread_of(finite, n);
  free(finite);
  return v;
}

/* $boxK (x q25 min max q75 median), $okK and $failK (x jittered, regret): only blocks with
 * rows are written (gnuplot warns about an empty one). */
static void final_blocks(script *s, const mfbo_algo *g, size_t k, const final_view *v,
                         double floor_value) {
  fprintf(s->fp, "# %s\n", g->label);
  if (v->n_ok + v->n_failed == 0) return;
  const mfbo_spread *b = &v->box;
  double box[5] = {b->q25, b->min, b->max, b->q75, b->median};
  fprintf(s->fp, "$box%zu << EOD\n%zu", k + 1, k + 1);
  for (int i = 0; i < 5; i++) put_number(s->fp, on_log_axis(box[i], floor_value));
  fprintf(s->fp, "\nEOD\n");
  for (int failed = 0; failed <= 1; failed++) {
    if ((failed ? v->n_failed : v->n_ok) == 0) continue;
    fprintf(s->fp, "$%s%zu << EOD\n", failed ? "fail" : "ok", k + 1);
    for (size_t i = 0; i < g->n_runs; i++)
      if (isfinite(g->final_regret[i]) && s->a->results->runs[g->runs[i]].failed == failed)
        fprintf(s->fp, "%.6f %.9g\n", (double)(k + 1) + jitter(i),
                on_log_axis(g->final_regret[i], floor_value));
    fprintf(s->fp, "EOD\n");
  }
}

static void final_elements(script *s, size_t k, const final_view *v) {
  size_t lt = k + 1;
  if (v->n_ok + v->n_failed == 0) return;
  fprintf(s->fp, ", \\\n  $box%zu using 1:2:3:4:5 with candlesticks whiskerbars 0.5 lt %zu "
          "lw 1.5 fs transparent solid 0.15 border notitle", lt, lt);
  fprintf(s->fp, ", \\\n  $box%zu using 1:6:6:6:6 with candlesticks lt %zu lw 3 notitle", lt, lt);
  if (v->n_ok)
    fprintf(s->fp, ", \\\n  $ok%zu using 1:2 with points lt %zu pt 7 ps 0.8 notitle", lt, lt);
  if (v->n_failed)
    fprintf(s->fp, ", \\\n  $fail%zu using 1:2 with points lc rgb REFERENCE pt 2 ps 1.5 lw 2 "
            "notitle", lt);
}

static void final_labels(script *s, double floor_value) {
  const mfbo_analysis *a = s->a;
  char hidden[128] = "";
  if (a->n_no_incumbent)
    snprintf(hidden, sizeof hidden, "; %zu without one are not drawn", a->n_no_incumbent);
  fprintf(s->fp, "set title \"Final regret of the configuration each run returns (its true "
          "time), %s\\nbox: 25–75%%, bar: median, whiskers: min–max, dots: runs (with an "
          "incumbent%s)\"\n",
          a->results->sweep_name ? a->results->sweep_name : "sweep", hidden);
  if (a->optimum_known)
    fprintf(s->fp, "set ylabel 'final regret = true time / optimum − 1  (log scale; 0 drawn at %g)'\n",
            floor_value);
  else
    fprintf(s->fp, "set ylabel 'final regret vs the best measured  (log scale; 0 drawn at %g)'\n",
            floor_value);
  fprintf(s->fp, "set logscale y\nset format y '%%g'\nset xrange [0.4:%zu.6]\nset xtics (", a->n_algos);
  for (size_t k = 0; k < a->n_algos; k++) {
    fprintf(s->fp, "%s", k ? ", " : "");
    put_quoted(s->fp, a->algos[k].label);
    fprintf(s->fp, " %zu", k + 1);
  }
  fprintf(s->fp, ")\nset grid noxtics\nset boxwidth 0.5\nset key below horizontal\n");
}

static int write_final(const mfbo_analysis *a, const char *dir, mfbo_plot_format format,
                       FILE *log, mfbo_error *err) {
  script s;
  if (script_open(&s, a, "final-regret", format,
                  "distribution of the final regret per algorithm", err) != 0)
    return -1;
  floor_scan f = {INFINITY, 0};
  double top = -INFINITY;
  for (size_t k = 0; k < a->n_algos; k++) {
    floor_add(&f, a->algos[k].final_regret, a->algos[k].n_runs);
    for (size_t i = 0; i < a->algos[k].n_runs; i++)
      if (isfinite(a->algos[k].final_regret[i]) && a->algos[k].final_regret[i] > top)
        top = a->algos[k].final_regret[i];
  }
  double floor_value = floor_of(&f);
  fprintf(s.fp, "# Data: per algorithm K, $boxK (box statistics over its runs with an incumbent), "
          "$okK and\n# $failK (one row per run with an incumbent, by status; x jittered). Regret "
          "0 is drawn at %g\n# (log axis).\n", floor_value);
  script_preamble(&s);
  final_view *views = calloc(a->n_algos, sizeof *views);
  if (!views) {
    fclose(s.fp);
    free(s.text);
    mfbo_error_set(err, 0, "out of memory");
    return -1;
  }
  for (size_t k = 0; k < a->n_algos; k++) {
    views[k] = final_view_of(a, &a->algos[k]);
    final_blocks(&s, &a->algos[k], k, &views[k], floor_value);
    if (views[k].n_ok + views[k].n_failed == 0)
      fprintf(s.fp, "set label %zu \"no run has\\nan incumbent\" at %zu, graph 0.5 center "
              "textcolor rgb REFERENCE\n", k + 1, k + 1);
  }
  final_labels(&s, floor_value);
  log_y_range(&s, floor_value, top);
  fprintf(s.fp, "plot \\\n  %g with lines dt 2 lw 1.5 lc rgb REFERENCE title '%s (regret 0)'",
          floor_value, a->optimum_known ? "optimum" : "best measured");
  for (size_t k = 0; k < a->n_algos; k++) final_elements(&s, k, &views[k]);
  fprintf(s.fp, ", \\\n  NaN with points pt 7 ps 0.8 lc rgb REFERENCE title 'a run'");
  if (a->n_failed)
    fprintf(s.fp, ", \\\n  NaN with points pt 2 ps 1.5 lw 2 lc rgb REFERENCE title 'a failed run "
            "(its last incumbent)'");
  fputc('\n', s.fp);
  free(views);
  return script_render(&s, dir, log, err);
}

/* ---------------------------------------------------------------- all */

int mfbo_plot_all(const mfbo_analysis *a, const char *dir, mfbo_plot_format format,
                  FILE *log, mfbo_error *err) {
  if (a->n_eval_grid == 0) {
    if (log) fprintf(log, "mfbo-analyze: no run made an evaluation: no figures\n");
    return 0;
  }
  if (a->live) {
    if (log)
      fprintf(log, "mfbo-analyze: a live benchmark: no convergence or ECDF figures (no true "
              "times during a run), the final regret only\n");
    return write_final(a, dir, format, log, err);
  }
  if (write_convergence(a, dir, 0, format, log, err) != 0) return -1;
  if (a->n_cost_grid == 0) {
    if (log) fprintf(log, "mfbo-analyze: every run cost the same: no figures against cost\n");
  } else if (write_convergence(a, dir, 1, format, log, err) != 0 ||
             write_ecdf(a, dir, format, log, err) != 0) {
    return -1;
  }
  return write_final(a, dir, format, log, err);
}
