/* test_kerneltuner.c: the `kerneltuner` benchmark on the three Kernel Tuner datasets of data/
 * (the README's counts and optima exactly; kinds; the default; neighbours are members; the
 * noise of fidelity-r measurements against the recorded repetitions, read independently
 * with jansson; the cost formula) and on small files made here: inferred kinds, settings,
 * and every error class (truncated, invalid JSON, missing file, no valid entry, ...).
 * and where a relative `file =` is looked for (the job's directory, then the data directory).
 * Usage: test_kerneltuner DATA_DIR (the repository's data/; a missing one is a failure). */
#include <gsl/gsl_statistics_double.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "mfbo/benchmark.h"
#include "core/stream.h"

static char tmp_dir[] = "/tmp/test_kerneltuner.XXXXXX";
static const int FILE_LINE = 7; /* the job line the `file =` key is given on */

static char *path_in(const char *dir, const char *name) {
  static char buf[4][1024];
  static int next = 0;
  char *p = buf[next++ % 4];
  snprintf(p, sizeof buf[0], "%s/%s", dir, name);
  return p;
}

/* Builds the benchmark of `path` with extra settings "key=value" (NULL-terminated). */
static mfbo_benchmark *load(const char *path, const char *const *extra, mfbo_error *err) {
  mfbo_settings settings, space;
  mfbo_settings_init(&settings);
  mfbo_settings_init(&space);
  mfbo_settings_add(&settings, "file", path, FILE_LINE, NULL);
  for (int i = 0; extra && extra[i]; i += 2)
    mfbo_settings_add(&settings, extra[i], extra[i + 1], 9 + i, NULL);
  mfbo_error_clear(err);
  mfbo_benchmark *b = mfbo_benchmark_alloc(&mfbo_benchmark_kerneltuner, &settings, &space, 1, err);
  mfbo_settings_free(&settings);
  mfbo_settings_free(&space);
  return b;
}

static size_t count_valid(const mfbo_benchmark *b) {
  int cfg[32];
  size_t valid = 0;
  for (uint64_t k = 0; k < mfbo_space_size(b->space); k++) {
    mfbo_space_point(b->space, k, cfg);
    valid += isfinite(mfbo_benchmark_true_ms(b, cfg));
  }
  return valid;
}

/* The configuration of a cache entry, from its values (numbers only, as in the datasets). */
static int cfg_of_entry(const mfbo_space *s, json_t *entry, int *cfg) {
  for (int j = 0; j < s->n_params; j++) {
    double v = json_number_value(json_object_get(entry, s->params[j].name));
    cfg[j] = -1;
    for (int i = 0; i < s->params[j].n_values; i++)
      if (s->params[j].values[i] == v) cfg[j] = i;
    if (cfg[j] < 0) return -1;
  }
  return 0;
}

static json_t *read_gz_json(const char *path) {
  gzFile f = gzopen(path, "rb");
  size_t cap = 1 << 24, n = 0;
  char *buf = malloc(cap);
  int got;
  while ((got = gzread(f, buf + n, (unsigned)(cap - n))) > 0)
    if ((n += (size_t)got) == cap) buf = realloc(buf, cap *= 2);
  gzclose(f);
  json_t *root = json_loadb(buf, n, 0, NULL);
  free(buf);
  return root;
}

/* ---------------------------------------------------------------- the datasets of data/ */

typedef struct {
  const char *file;
  uint64_t entries;
  size_t valid;
  double optimum_ms;
  int n_params;
} dataset;

static const dataset datasets[] = {
    {"convolution_milo_A100.json.gz", 4362, 4201, 0.5536000076681376, 10},
    {"dedispersion_milo_MI250X.json.gz", 11130, 11130, 49.5724800825119, 8},
    {"pnpoly_RTX3090.json.gz", 4092, 3774, 8.714240169525146, 4},
};

static void test_counts_and_optimum(const mfbo_benchmark *b, const dataset *d) {
  CHECK(mfbo_space_size(b->space) == d->entries);
  CHECK(b->space->members != NULL); /* restricted, not cartesian */
  CHECK(b->space->n_params == d->n_params);
  CHECK(count_valid(b) == d->valid);
  CHECK(b->optimum_ms == d->optimum_ms); /* exactly the minimum recorded mean */
  int cfg[32];
  mfbo_space_default(b->space, cfg);
  CHECK(mfbo_space_contains(b->space, cfg));
  CHECK(isfinite(mfbo_benchmark_true_ms(b, cfg)));
}

/* Every neighbour offered is a member, and members' neighbours exist. */
static void test_neighbours(const mfbo_benchmark *b) {
  const mfbo_space *s = b->space;
  int max = mfbo_space_max_neighbours(s), cfg[32];
  int *out = malloc((size_t)max * (size_t)s->n_params * sizeof *out);
  gsl_rng *rng = mfbo_stream_alloc(7, "test-neighbours");
  long offered = 0, bad = 0;
  for (int t = 0; t < 300; t++) {
    mfbo_space_random(s, rng, cfg);
    int n = mfbo_space_neighbours(s, cfg, out, max);
    offered += n;
    for (int i = 0; i < n; i++) bad += !mfbo_space_contains(s, out + (size_t)i * s->n_params);
  }
  CHECK(bad == 0);
  CHECK(offered > 300);
  gsl_rng_free(rng);
  free(out);
}

/* Fidelity-r measurements resample the recorded repetitions: at r = 1 every measurement is
 * one of them; the mean is their mean; the variance is their (population) variance / r. */
static void test_noise_entry(const mfbo_benchmark *b, json_t *entry, int *cfg) {
  json_t *times = json_object_get(entry, "times");
  size_t n = json_array_size(times);
  double *rec = malloc(n * sizeof *rec);
  for (size_t i = 0; i < n; i++) rec[i] = json_number_value(json_array_get(times, i));
  double mean = gsl_stats_mean(rec, 1, n);
  double var = gsl_stats_variance_m(rec, 1, n, mean) * (double)(n - 1) / (double)n;
  gsl_rng *noise = mfbo_stream_alloc(11, "test-noise");
  enum { N = 20000 };
  static double x[N];
  static const int reps[] = {1, 4, 16};
  for (int f = 0; f < 3; f++) {
    double t, c;
    int member = 1;
    for (int i = 0; i < N; i++) {
      mfbo_benchmark_evaluate(b, cfg, reps[f], noise, &t, &x[i], &c);
      if (reps[f] == 1) {
        int found = 0;
        for (size_t k = 0; k < n && !found; k++) found = x[i] == rec[k];
        member &= found;
      }
    }
    CHECK(member);
    CHECK(t == json_number_value(json_object_get(entry, "time")));
    double sd = sqrt(var / reps[f]);
    CHECK_NEAR(gsl_stats_mean(x, 1, N), mean, 4.5 * sd / sqrt(N) + 1e-12);
    CHECK_NEAR(gsl_stats_variance(x, 1, N), var / reps[f], 0.12 * var / reps[f]);
  }
  gsl_rng_free(noise);
  free(rec);
}

/* cost = (compile + r x (time + (benchmark_time - sum(times)) / n)) / 1000; a failure
 * costs (compile + benchmark_time) / 1000 and measures +inf. */
static void test_cost_entry(const mfbo_benchmark *b, json_t *entry, int *cfg) {
  double compile = json_number_value(json_object_get(entry, "compile_time"));
  double bench = json_number_value(json_object_get(entry, "benchmark_time"));
  json_t *time = json_object_get(entry, "time"), *times = json_object_get(entry, "times");
  gsl_rng *noise = mfbo_stream_alloc(3, "test-cost");
  double t, m, c;
  mfbo_benchmark_evaluate(b, cfg, 5, noise, &t, &m, &c);
  if (json_is_string(time)) {
    CHECK(isinf(t) && isinf(m));
    CHECK_NEAR(c, (compile + bench) / 1000, 1e-12);
  } else {
    double sum = 0;
    size_t n = json_array_size(times);
    for (size_t i = 0; i < n; i++) sum += json_number_value(json_array_get(times, i));
    double overhead = bench > sum ? (bench - sum) / (double)n : 0;
    CHECK_NEAR(c, (compile + 5 * (json_number_value(time) + overhead)) / 1000, 1e-12);
  }
  gsl_rng_free(noise);
}

/* Reads the dataset independently and checks noise and cost on a few entries. */
static void test_against_file(const mfbo_benchmark *b, const char *path) {
  json_t *root = read_gz_json(path), *cache = json_object_get(root, "cache");
  CHECK(root && cache);
  const char *key;
  json_t *entry;
  int cfg[32], noise_tested = 0, failed_tested = 0, i = 0;
  json_object_foreach(cache, key, entry) {
    if (i++ % 97 != 0 && !(json_is_string(json_object_get(entry, "time")) && !failed_tested))
      continue;
    CHECK(cfg_of_entry(b->space, entry, cfg) == 0);
    CHECK(mfbo_space_contains(b->space, cfg));
    test_cost_entry(b, entry, cfg);
    failed_tested += json_is_string(json_object_get(entry, "time"));
    if (!json_is_string(json_object_get(entry, "time")) && noise_tested < 2) {
      test_noise_entry(b, entry, cfg);
      noise_tested++;
    }
  }
  CHECK(noise_tested == 2);
  json_decref(root);
}

static void test_datasets(const char *dir) {
  for (size_t i = 0; i < sizeof datasets / sizeof datasets[0]; i++) {
    mfbo_error err;
    const char *path = path_in(dir, datasets[i].file);
    mfbo_benchmark *b = load(path, NULL, &err);
    if (!b) mfbo_error_print(&err, stderr);
    CHECK(b != NULL);
    if (!b) continue;
    test_counts_and_optimum(b, &datasets[i]);
    test_neighbours(b);
    test_against_file(b, path);
    mfbo_benchmark_free(b);
  }
}

/* The convolution space's inferred kinds (see docs/job-format.md). */
static void test_dataset_kinds(const char *dir) {
  mfbo_error err;
  mfbo_benchmark *b = load(path_in(dir, "convolution_milo_A100.json.gz"), NULL, &err);
  if (!b) return;
  const mfbo_param *p = b->space->params;
  CHECK(strcmp(p[0].name, "block_size_x") == 0 && p[0].kind == MFBO_PARAM_ENUM &&
        p[0].n_values == 16); /* 16, 32, ..., 256: neither powers of two nor a range */
  CHECK(p[1].kind == MFBO_PARAM_POW2 && p[1].n_values == 5); /* 1..16 */
  CHECK(p[2].kind == MFBO_PARAM_INT && p[2].values[0] == 1 && p[2].n_values == 4);
  CHECK(p[4].kind == MFBO_PARAM_INT && p[4].n_values == 2);  /* read_only: 0, 1 */
  CHECK(p[7].kind == MFBO_PARAM_ENUM && p[7].n_values == 1); /* use_cmem: [1] */
  /* The default: each parameter's median value if valid (here it is not a member). */
  int cfg[10];
  mfbo_space_default(b->space, cfg);
  CHECK(isfinite(mfbo_benchmark_true_ms(b, cfg)));
  mfbo_benchmark_free(b);
}

/* ---------------------------------------------------------------- small files */

static const char *write_file(const char *name, const char *text) {
  const char *path = path_in(tmp_dir, name);
  FILE *f = fopen(path, "w");
  fputs(text, f);
  fclose(f);
  return path;
}

/* Kinds: pow2 without gaps, pow2 with a gap (enum), a range, floats, strings, one value. */
static const char small_json[] =
    "{\"tune_params_keys\": [\"bs\", \"gap\", \"tile\", \"f\", \"algo\", \"one\"],\n"
    " \"tune_params\": {\"bs\": [128, 32, 64], \"gap\": [1, 2, 8], \"tile\": [3, 1, 2],\n"
    "   \"f\": [0.5, 0.25], \"algo\": [\"fast\", \"safe\"], \"one\": [7]},\n"
    " \"cache\": {\n"
    "  \"32,1,1,0.5,fast,7\": {\"bs\": 32, \"gap\": 1, \"tile\": 1, \"f\": 0.5, \"algo\": \"fast\","
    " \"one\": 7, \"time\": 2.0, \"times\": [1.0, 3.0], \"compile_time\": 100,"
    " \"benchmark_time\": 4.5, \"framework_time\": 10, \"verification_time\": 2},\n"
    "  \"64,2,2,0.25,safe,7\": {\"bs\": 64, \"gap\": 2, \"tile\": 2, \"f\": 0.25, \"algo\": "
    "\"safe\","
    " \"one\": 7, \"time\": 1.5, \"times\": [1.5], \"compile_time\": 50},\n"
    "  \"128,8,3,0.5,safe,7\": {\"bs\": 128, \"gap\": 8, \"tile\": 3, \"f\": 0.5, \"algo\": "
    "\"safe\","
    " \"one\": 7, \"time\": \"RuntimeFailedConfig\", \"compile_time\": 80, \"benchmark_time\": 1}\n"
    " }}\n";

static void test_small_file(void) {
  mfbo_error err;
  const char *path = write_file("small.json", small_json);
  mfbo_benchmark *b = load(path, NULL, &err);
  if (!b) mfbo_error_print(&err, stderr);
  CHECK(b != NULL);
  if (!b) return;
  const mfbo_space *s = b->space;
  CHECK(s->n_params == 6 && mfbo_space_size(s) == 3);
  CHECK(s->params[0].kind == MFBO_PARAM_POW2 && s->params[0].n_values == 3 &&
        s->params[0].values[0] == 32); /* sorted, whatever the listed order */
  CHECK(s->params[1].kind == MFBO_PARAM_ENUM && s->params[1].n_values == 3); /* 1, 2, 8 */
  CHECK(s->params[2].kind == MFBO_PARAM_INT && s->params[2].values[2] == 3);
  CHECK(s->params[3].kind == MFBO_PARAM_ENUM && !s->params[3].labels &&
        s->params[3].values[1] == 0.25);
  CHECK(s->params[4].kind == MFBO_PARAM_ENUM && s->params[4].labels &&
        strcmp(s->params[4].labels[1], "safe") == 0);
  CHECK(s->params[5].kind == MFBO_PARAM_ENUM && s->params[5].n_values == 1);
  /* The default: the medians (64, 2, 2, 0.5, fast, 7) are no member; the nearest valid one
   * is (64, 2, 2, 0.25, safe, 7), two steps away. */
  int cfg[6];
  mfbo_space_default(s, cfg);
  CHECK(mfbo_benchmark_true_ms(b, cfg) == 1.5);
  CHECK_NEAR(b->optimum_ms, 1.5, 0);
  /* Cost: compile + r x (time + overhead/rep); overhead = (4.5 - 4) / 2 = 0.25 ms. */
  int first[6] = {0, 0, 0, 0, 0, 0};
  gsl_rng *noise = mfbo_stream_alloc(5, "test");
  double t, m, c;
  mfbo_benchmark_evaluate(b, first, 3, noise, &t, &m, &c);
  CHECK(t == 2.0 && (m == 1.0 || m == 3.0 || m == 5.0 / 3 || m == 7.0 / 3));
  CHECK_NEAR(c, (100 + 3 * 2.25) / 1000, 1e-15);
  /* A failure: +inf, costing compile + benchmark_time. */
  int failed[6] = {2, 2, 2, 0, 1, 0};
  CHECK(mfbo_space_contains(s, failed));
  mfbo_benchmark_evaluate(b, failed, 3, noise, &t, &m, &c);
  CHECK(isinf(t) && isinf(m));
  CHECK_NEAR(c, 81.0 / 1000, 1e-15);
  mfbo_benchmark_free(b);

  /* Settings: compile_scale, framework_scale, noise = none. */
  b = load(
      path,
      (const char *const[]){"compile_scale", "0.5", "framework_scale", "1", "noise", "none", NULL},
      &err);
  CHECK(b != NULL);
  if (b) {
    mfbo_benchmark_evaluate(b, first, 3, noise, &t, &m, &c);
    CHECK(m == 2.0); /* no noise: the recorded mean */
    CHECK_NEAR(c, (50 + 12 + 3 * 2.25) / 1000, 1e-15);
    mfbo_benchmark_free(b);
  }
  gsl_rng_free(noise);
}

/* A gzip file holding the first `bytes` bytes of `text`. */
static const char *write_gz_prefix(const char *name, const char *text, size_t bytes) {
  const char *path = path_in(tmp_dir, name);
  gzFile f = gzopen(path, "wb");
  gzwrite(f, text, (unsigned)bytes);
  gzclose(f);
  return path;
}

/* The load fails, naming the file and the job line, with `phrase` in the message. */
static void expect_error(const char *path, const char *const *extra, const char *phrase, int line) {
  mfbo_error err;
  mfbo_benchmark *b = load(path, extra, &err);
  CHECK(b == NULL);
  mfbo_benchmark_free(b);
  int ok = strstr(err.msg, phrase) != NULL && err.line == line;
  if (line == FILE_LINE) ok &= strstr(err.msg, path) != NULL;
  if (!ok) fprintf(stderr, "  for %s: got line %d '%s'\n", path, err.line, err.msg);
  CHECK(ok);
}

static void test_errors(const char *dir) {
  /* Truncated: a gzipped prefix of a real dataset's JSON, and of the small file. */
  json_t *root = read_gz_json(path_in(dir, "pnpoly_RTX3090.json.gz"));
  char *text = root ? json_dumps(root, JSON_INDENT(1)) : NULL;
  if (text) {
    expect_error(write_gz_prefix("pnpoly-cut.json.gz", text, strlen(text) / 3), NULL,
                 "truncated (Kernel Tuner writes cache files incrementally; the file ends early",
                 FILE_LINE);
    /* a gzip stream itself cut short */
    const char *whole = write_gz_prefix("pnpoly-whole.json.gz", text, strlen(text));
    struct stat st;
    stat(whole, &st);
    CHECK(truncate(whole, st.st_size / 2) == 0);
    expect_error(whole, NULL, "truncated gzip data", FILE_LINE);
  }
  free(text);
  json_decref(root);
  expect_error(write_gz_prefix("small-cut.json.gz", small_json, sizeof small_json - 6), NULL,
               "truncated", FILE_LINE);
  expect_error(write_file("bad.json", "{\"tune_params_keys\": [\"x\"],, }"), NULL,
               "invalid JSON at line 1, column", FILE_LINE);
  expect_error(path_in(tmp_dir, "missing.json.gz"), NULL, "cannot open: No such file", FILE_LINE);
  expect_error(write_file("binary.json", "\x01\x02\x03"), NULL, "neither JSON nor gzip", FILE_LINE);
  expect_error(write_file("empty.json", ""), NULL, "empty file", FILE_LINE);
  expect_error(write_file("novalid.json",
                          "{\"tune_params_keys\": [\"x\"], \"tune_params\": {\"x\": [1, 2]},"
                          " \"cache\": {\"1\": {\"x\": 1, \"time\": \"CompilationFailedConfig\"},"
                          " \"2\": {\"x\": 2, \"time\": \"RuntimeFailedConfig\"}}}"),
               NULL, "no valid entry", FILE_LINE);
  expect_error(write_file("disagree.json",
                          "{\"tune_params_keys\": [\"x\"], \"tune_params\": {\"x\": [1, 2]},"
                          " \"cache\": {\"3\": {\"x\": 3, \"time\": 1.0}}}"),
               NULL, "x = 3 is not one of tune_params['x']", FILE_LINE);
  expect_error(write_file("nocache.json",
                          "{\"tune_params_keys\": [\"x\"], \"tune_params\": {\"x\": [1, 2]}}"),
               NULL, "missing key 'cache'", FILE_LINE);
  expect_error(write_file("nokeys.json", "{\"cache\": {}}"), NULL, "missing key 'tune_params_keys'",
               FILE_LINE);
  expect_error(write_file("empty-cache.json",
                          "{\"tune_params_keys\": [\"x\"], \"tune_params\": {\"x\": [1]},"
                          " \"cache\": {}}"),
               NULL, "the cache is empty", FILE_LINE);
  expect_error(write_file("notime.json",
                          "{\"tune_params_keys\": [\"x\"], \"tune_params\": {\"x\": [1]},"
                          " \"cache\": {\"1\": {\"x\": 1}}}"),
               NULL, "time is missing", FILE_LINE);
  /* Settings: the missing key names the section's line; a bad value its own line. */
  mfbo_settings settings, space;
  mfbo_settings_init(&settings);
  mfbo_settings_init(&space);
  settings.line = 3;
  mfbo_error err;
  mfbo_error_clear(&err);
  CHECK(mfbo_benchmark_alloc(&mfbo_benchmark_kerneltuner, &settings, &space, 1, &err) == NULL);
  CHECK(err.line == 3 && strstr(err.msg, "missing key 'file'"));
  mfbo_settings_free(&settings);
  const char *small = path_in(tmp_dir, "small.json");
  expect_error(small, (const char *const[]){"compile_scale", "-1", NULL}, "compile_scale", 9);
  expect_error(small, (const char *const[]){"noise", "gaussian", NULL}, "resample, none", 9);
  expect_error(small, (const char *const[]){"colour", "red", NULL}, "unknown key 'colour'", 9);
  /* A tabular space cannot be overridden. */
  mfbo_settings_init(&settings);
  mfbo_settings_add(&settings, "file", small, FILE_LINE, NULL);
  mfbo_settings_add(&space, "bs", "32-512", 12, NULL);
  CHECK(mfbo_benchmark_alloc(&mfbo_benchmark_kerneltuner, &settings, &space, 1, &err) == NULL);
  CHECK(err.line == 12);
  mfbo_settings_free(&settings);
  mfbo_settings_free(&space);
}

/* A relative `file =` is looked for in the settings' directory (the job file's), then in the
 * installed data directory; the message of a missing one names both. */
static void test_resolution(void) {
  mfbo_settings s, copy;
  mfbo_settings_init(&s);
  CHECK(mfbo_settings_set_dir_of(&s, "jobs/kt.ini") == 0 && s.dir && strcmp(s.dir, "jobs") == 0);
  CHECK(mfbo_settings_set_dir_of(&s, "/x.ini") == 0 && s.dir && strcmp(s.dir, "/") == 0);
  CHECK(mfbo_settings_set_dir_of(&s, "a/b/c.ini") == 0 && s.dir && strcmp(s.dir, "a/b") == 0);
  CHECK(mfbo_settings_set_dir_of(&s, "kt.ini") == 0 && s.dir == NULL);
  CHECK(mfbo_settings_set_dir_of(&s, "/dev/stdin") == 0 && s.dir == NULL);
  CHECK(mfbo_settings_set_dir_of(&s, "/proc/self/fd/0") == 0 && s.dir == NULL);
  CHECK(mfbo_settings_set_dir_of(&s, tmp_dir) == 0 && s.dir && strcmp(s.dir, "/tmp") == 0);
  CHECK(mfbo_settings_copy(&copy, &s) == 0 && copy.dir && strcmp(copy.dir, "/tmp") == 0);
  mfbo_settings_free(&copy);
  mfbo_settings_free(&s);
  CHECK(strstr(mfbo_data_dir(), "/mfbo/data") != NULL);

  /* "small.json" next to a job file in tmp_dir: found whatever the current directory */
  char job_path[1100], out[1100], where[2300];
  snprintf(job_path, sizeof job_path, "%s/job.ini", tmp_dir);
  mfbo_settings_init(&s);
  CHECK(mfbo_settings_set_dir_of(&s, job_path) == 0);
  CHECK(mfbo_settings_find_file(&s, "small.json", out, sizeof out, where, sizeof where) == 0);
  CHECK(strcmp(out, path_in(tmp_dir, "small.json")) == 0);
  mfbo_settings_add(&s, "file", "small.json", FILE_LINE, NULL);
  mfbo_settings space;
  mfbo_settings_init(&space);
  mfbo_error err;
  mfbo_error_clear(&err);
  mfbo_benchmark *b = mfbo_benchmark_alloc(&mfbo_benchmark_kerneltuner, &s, &space, 1, &err);
  CHECK(b != NULL && mfbo_space_size(b->space) == 3);
  mfbo_benchmark_free(b);
  mfbo_settings_free(&s);
  /* a missing one: the message names the job's directory and the data directory */
  mfbo_settings_init(&s);
  CHECK(mfbo_settings_set_dir_of(&s, job_path) == 0);
  mfbo_settings_add(&s, "file", "nowhere.json", FILE_LINE, NULL);
  mfbo_error_clear(&err);
  CHECK(mfbo_benchmark_alloc(&mfbo_benchmark_kerneltuner, &s, &space, 1, &err) == NULL);
  CHECK(err.line == FILE_LINE && strstr(err.msg, "nowhere.json: cannot open: No such file") &&
        strstr(err.msg, tmp_dir) && strstr(err.msg, mfbo_data_dir()));
  mfbo_settings_free(&s);
  /* an absolute path is taken as it is: no other place is looked at */
  mfbo_settings_init(&s);
  CHECK(mfbo_settings_find_file(&s, "/nonexistent/x.json", out, sizeof out, where,
                                sizeof where) == -1);
  CHECK(strcmp(out, "/nonexistent/x.json") == 0 && !strstr(where, mfbo_data_dir()));
  /* without a directory (a job given as text): the current directory */
  CHECK(mfbo_settings_find_file(&s, "no-such-file.json", out, sizeof out, where,
                                sizeof where) == -1);
  CHECK(strcmp(out, "no-such-file.json") == 0 && strncmp(where, ". and ", 6) == 0);
  mfbo_settings_free(&s);
  mfbo_settings_free(&space);
}

static void remove_tmp_dir(void) {
  static const char *const names[] = {
      "small.json",    "pnpoly-cut.json.gz", "pnpoly-whole.json.gz", "small-cut.json.gz",
      "bad.json",      "binary.json",        "empty.json",           "novalid.json",
      "disagree.json", "nocache.json",       "nokeys.json",          "empty-cache.json",
      "notime.json"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) unlink(path_in(tmp_dir, names[i]));
  rmdir(tmp_dir);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s DATASETS_DIR\n", argv[0]);
    return 2;
  }
  struct stat st;
  if (stat(argv[1], &st) != 0 || !S_ISDIR(st.st_mode)) {
    fprintf(stderr, "FAILED: the data directory %s is absent (it is part of the repository)\n",
            argv[1]);
    return 1;
  }
  if (!mkdtemp(tmp_dir)) {
    perror("mkdtemp");
    return 1;
  }
  test_datasets(argv[1]);
  test_dataset_kinds(argv[1]);
  test_small_file();
  test_errors(argv[1]);
  test_resolution();
  remove_tmp_dir();
  CHECK_DONE();
}
