/* mfbo-sweep: run every task of a job across the MPI ranks and write one results file.
 * Usage: mpirun -n 64 mfbo-sweep JOB, or as a plain process. This file only wires things
 * together: job -> tasks -> scheduler (MPI) -> store (HDF5). */
#include <getopt.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "core/version.h"
#include "mfbo/job.h"
#include "optimum.h"
#include "preload.h"
#include "scheduler.h"

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2, EXIT_STOPPED = 3 };

typedef struct {
  const char *job_path;   /* NULL: the built-in default job */
  const char *output;     /* NULL: the job's output */
  mfbo_store_mode mode;
  const char *seeds;      /* --seeds: replaces the job's [sweep] seeds */
  const char *instances;  /* --instances: replaces the job's [benchmark] instances */
  int dry_run, quiet, timing;
  double deadline_s;
} options;

/* Where the wall time went (--timing), in mfbo_now_s() seconds, which are comparable across
 * the processes of one host (CLOCK_MONOTONIC). */
typedef struct {
  double entered_s;  /* main() began, before MPI_Init */
  double inited_s;   /* MPI_Init returned */
  double ready_s;    /* the job and its landscapes are loaded */
  double swept_s;    /* the last task is in (rank 0) */
  double written_s;  /* the results file is written (rank 0) */
  double first_entered_s, last_inited_s, last_ready_s; /* over all ranks (rank 0) */
} phases;

/* Waits for a request with naps that grow to 1 ms rather than in a blocking call, which in
 * Open MPI spins a core: ranks waiting for rank 0 leave the cores to it (to its threads that
 * compress the results file, and to ranks still running tasks). */
static void wait_napping(MPI_Request *req) {
  int done = 0;
  for (long nap_ns = 10000;; nap_ns = nap_ns < 1000000 ? 2 * nap_ns : nap_ns) {
    MPI_Test(req, &done, MPI_STATUS_IGNORE);
    if (done) return;
    struct timespec t = {0, nap_ns};
    nanosleep(&t, NULL);
  }
}

/* --timing: rank 0 learns when the first rank started and the last one was ready. Every
 * rank calls this, before rank 0 writes the results file (the others then wait napping). */
static void gather_timing(phases *ph) {
  double first[1] = {ph->entered_s}, last[2] = {ph->inited_s, ph->ready_s}, out[2];
  MPI_Request req;
  MPI_Ireduce(first, out, 1, MPI_DOUBLE, MPI_MIN, 0, MPI_COMM_WORLD, &req);
  wait_napping(&req);
  ph->first_entered_s = out[0];
  MPI_Ireduce(last, out, 2, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD, &req);
  wait_napping(&req);
  ph->last_inited_s = out[0];
  ph->last_ready_s = out[1];
}

static void usage(FILE *out) {
  fprintf(out,
      "usage: mfbo-sweep [JOB] [-o FILE] [--resume | --force] [--dry-run]\n"
      "                  [--seeds LIST] [--instances LIST] [--deadline SECONDS] [--quiet]\n"
      "Run every (benchmark instance, algorithm, seed) task of JOB across the MPI ranks\n"
      "(mpirun -n N mfbo-sweep JOB, or as a plain process) and write one HDF5 results file.\n"
      "Without JOB, runs the built-in default job: the seed's convergence analysis.\n"
      "  -o, --output FILE    results file (default: the job's [sweep] output)\n"
      "      --resume         continue FILE.partial (or accept a complete FILE) of this job\n"
      "      --force          replace an existing FILE / FILE.partial\n"
      "      --dry-run        print the task plan and exit\n"
      "      --seeds LIST     run these seeds instead of the job's (\"1-30, 42\")\n"
      "      --instances LIST run these benchmark instances instead of the job's\n"
      "      --deadline S     stop handing out tasks after S seconds (exit 3, resumable)\n"
      "  -q, --quiet          no progress on stderr\n"
      "      --timing         print where the wall time went (start-up, tasks, writing)\n"
      "  -h, --help           this help\n"
      "  -V, --version        the version\n"
      "SIGTERM, SIGINT and SIGUSR1 stop it like --deadline does. While it runs, each\n"
      "finished task is written to the journal FILE.partial; when every task is done, the\n"
      "HDF5 file FILE is written from it (results-format.md in the documentation, installed\n"
      "under share/doc/mfbo; the job format: mfbo-job(5)).\n"
      "Exit codes: 0 done, 1 a task failed or I/O error, 2 bad usage or invalid job,\n"
      "3 stopped early with work left (resume with --resume).\n");
}

/* Returns -1 to go on, else the exit code. */
static int parse_options(int argc, char **argv, options *o, int rank) {
  static const struct option opts[] = {
      {"output", required_argument, 0, 'o'}, {"resume", no_argument, 0, 'r'},
      {"force", no_argument, 0, 'f'},        {"dry-run", no_argument, 0, 'n'},
      {"deadline", required_argument, 0, 'd'}, {"quiet", no_argument, 0, 'q'},
      {"timing", no_argument, 0, 't'},
      {"help", no_argument, 0, 'h'},         {"version", no_argument, 0, 'V'},
      {"seeds", required_argument, 0, 's'},  {"instances", required_argument, 0, 'i'},
      {0, 0, 0, 0}};
  memset(o, 0, sizeof *o);
  o->mode = MFBO_STORE_NEW;
  FILE *msg = rank == 0 ? stderr : NULL;
  int c;
  opterr = rank == 0;
  optind = 0; /* main() parsed a copy before MPI_Init (rank -1: silently): start afresh */
  while ((c = getopt_long(argc, argv, "o:qhV", opts, NULL)) != -1) {
    switch (c) {
    case 'o': o->output = optarg; break;
    case 'r': o->mode = MFBO_STORE_RESUME; break;
    case 'f': o->mode = MFBO_STORE_FORCE; break;
    case 'n': o->dry_run = 1; break;
    case 'q': o->quiet = 1; break;
    case 's': o->seeds = optarg; break;
    case 'i': o->instances = optarg; break;
    case 't': o->timing = 1; break;
    case 'd':
      if (mfbo_parse_double(optarg, &o->deadline_s) != 0 || o->deadline_s <= 0) {
        if (msg) fprintf(msg, "mfbo-sweep: --deadline needs a positive number of seconds\n");
        return EXIT_USAGE;
      }
      break;
    case 'h': if (rank == 0) usage(stdout); return EXIT_OK;
    case 'V':
      if (rank == 0) printf("mfbo-sweep %s (git %s)\n", MFBO_VERSION, mfbo_git_revision);
      return EXIT_OK;
    default: if (msg) usage(msg); return EXIT_USAGE;
    }
  }
  if (argc - optind > 1) {
    if (msg) usage(msg);
    return EXIT_USAGE;
  }
  o->job_path = optind < argc ? argv[optind] : NULL;
  return -1;
}

static void print_plan(const mfbo_job *job, const mfbo_task *tasks, uint64_t n, const char *out) {
  printf("# job %s: %llu tasks (%d instances x %d algorithms x %d seeds) -> %s\n", job->path,
         (unsigned long long)n, job->n_instances, job->n_algorithms, job->n_seeds, out);
  printf("task_id,instance,algorithm,type,seed\n");
  for (uint64_t t = 0; t < n; t++) {
    const mfbo_job_algorithm *a = &job->algorithms[tasks[t].algorithm_index];
    printf("%llu,%d,%s,%s,%ld\n", (unsigned long long)tasks[t].task_id,
           job->instances[tasks[t].instance_index], a->label, a->type->name, tasks[t].seed);
  }
}

static char *command_line(int argc, char **argv) {
  size_t len = 1;
  for (int i = 0; i < argc; i++) len += strlen(argv[i]) + 1;
  char *text = malloc(len);
  if (!text) return NULL;
  text[0] = '\0';
  for (int i = 0; i < argc; i++) {
    strcat(text, argv[i]);
    if (i + 1 < argc) strcat(text, " ");
  }
  return text;
}

/* Every rank learns each instance's optimum, the search shared among them (it is not needed
 * for --dry-run); the start-up ends here (ph->ready_s). Returns -1 to go on, else the exit
 * code. */
static int find_optima(mfbo_job *job, const options *o, int rank, int n_ranks, phases *ph) {
  uint64_t total = 0;
  for (int i = 0; i < job->n_instances; i++)
    if (mfbo_benchmark_enumerable(job->benchmarks[i]))
      total += mfbo_space_size(job->benchmarks[i]->space);
  if (rank == 0 && !o->quiet && total >= 10000000)
    fprintf(stderr, "mfbo-sweep: finding the optimum of %d instances (%llu configurations, on "
                    "%d ranks)...\n", job->n_instances, (unsigned long long)total, n_ranks);
  int rc = mfbo_sweep_find_optima(job->benchmarks, job->n_instances, MPI_COMM_WORLD);
  ph->ready_s = mfbo_now_s();
  if (rc == 0) return -1;
  if (rank == 0) fprintf(stderr, "mfbo-sweep: out of memory searching for the optima\n");
  return EXIT_FAILED;
}

/* Rank 0 opens the results file; every rank learns whether to go on. Returns -1 to go on,
 * else the exit code. */
static int open_store(mfbo_sweep *sw, const options *o, const char *path, int argc,
                      char **argv, int n_ranks, mfbo_store **store) {
  int rank, code = -1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank == 0) {
    char lib[MPI_MAX_LIBRARY_VERSION_STRING];
    int len;
    MPI_Get_library_version(lib, &len);
    char *cmd = command_line(argc, argv);
    mfbo_provenance prov = {.command_line = cmd ? cmd : "", .mpi_ranks = n_ranks,
                            .mpi_library = lib};
    mfbo_error err;
    mfbo_error_clear(&err);
    *store = mfbo_store_open(path, sw->job, sw->benches, &prov, o->mode, &err);
    free(cmd);
    if (!*store) {
      mfbo_error_print(&err, stderr);
      code = EXIT_USAGE;
    } else if (mfbo_store_complete(*store)) {
      if (!o->quiet) fprintf(stderr, "mfbo-sweep: %s is already complete\n", path);
      code = EXIT_OK;
    }
  }
  MPI_Bcast(&code, 1, MPI_INT, 0, MPI_COMM_WORLD);
  return code;
}

/* Runs the sweep and ends the store; returns the exit code (meaningful on rank 0). */
static int sweep(mfbo_sweep *sw, mfbo_store *store, const options *o, const char *path,
                 int rank, phases *ph) {
  mfbo_progress progress;
  mfbo_error err;
  mfbo_error_clear(&err);
  sw->store = store;
  sw->progress = &progress;
  if (rank == 0)
    mfbo_progress_start(&progress, o->quiet ? NULL : stderr, sw->n_tasks,
                        mfbo_store_n_done(store));
  mfbo_sweep_outcome out = mfbo_sweep_run(sw, MPI_COMM_WORLD, &err);
  ph->swept_s = ph->written_s = mfbo_now_s();
  if (o->timing) gather_timing(ph);
  if (rank != 0) return EXIT_OK;
  if (out == MFBO_SWEEP_DONE && mfbo_store_finish(store, &err) == 0) {
    ph->written_s = mfbo_now_s();
    mfbo_store_close(store);
    mfbo_progress_finish(&progress, "complete", path);
    return progress.failed ? EXIT_FAILED : EXIT_OK;
  }
  if (out == MFBO_SWEEP_STOPPED) {
    mfbo_store_close(store);
    mfbo_progress_finish(&progress, "stopped early, resume with --resume", path);
    return EXIT_STOPPED;
  }
  mfbo_error_print(&err, stderr);
  mfbo_store_close(store);
  return EXIT_FAILED;
}

/* Every rank says whether it failed (code >= 0: its exit code; -1: it did not) and learns
 * whether any did: the lowest failing rank prints its error (naming itself unless it is rank
 * 0) and its code becomes everyone's. Returns that code, or -1 if no rank failed. Without
 * this, a rank that cannot load the job (a node-local path, memory) would leave the others
 * waiting in a collective call that it never makes. */
static int agree(int code, const mfbo_error *err, int rank, int n_ranks) {
  int failing = code >= 0 ? rank : n_ranks, first;
  MPI_Allreduce(&failing, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  if (first == n_ranks) return -1;
  if (rank == first) {
    if (rank != 0) {
      char host[256] = "?";
      gethostname(host, sizeof host - 1);
      fprintf(stderr, "mfbo-sweep: on rank %d of %d (host %s): ", rank, n_ranks, host);
    }
    mfbo_error_print(err, stderr);
    fflush(stderr);
  }
  MPI_Bcast(&code, 1, MPI_INT, first, MPI_COMM_WORLD);
  return code;
}

/* --seeds and --instances: the job's text becomes its canonical form with those replaced
 * (what the results file stores, and what --resume compares). */
static int override(const options *o, char **text, size_t *len, mfbo_error *err) {
  char *out = NULL;
  if (mfbo_job_override(*text, *len, o->seeds, o->instances, &out, err) != 0) {
    snprintf(err->file, sizeof err->file, "mfbo-sweep");
    return -1;
  }
  free(*text);
  *text = out;
  *len = strlen(out);
  return 0;
}

/* Loads the job on every rank. Rank 0 alone reads the job file and sends its text to the
 * others, so that a job on stdin (/dev/stdin) or in a file only rank 0's node has works; a
 * rank that preloaded that very text during MPI_Init takes the preloaded job (preload.h).
 * Returns -1, or the exit code that every rank agreed on (the job was not loaded). */
static int load_job(const options *o, int rank, int n_ranks, mfbo_preload *pre, mfbo_job *job) {
  mfbo_error err;
  mfbo_error_clear(&err);
  const char *path = o->job_path ? o->job_path : "(built-in default)";
  char *text = NULL;
  size_t len = 0;
  int rc = 0;
  if (rank == 0) {
    if (o->job_path)
      rc = mfbo_job_read_file(o->job_path, &text, &len, &err);
    else if ((text = strdup(mfbo_default_job_text)))
      len = strlen(text);
    else
      mfbo_error_set(&err, 0, "out of memory"), rc = -1;
    if (rc == 0 && (o->seeds || o->instances)) rc = override(o, &text, &len, &err);
  }
  int code = agree(rc != 0 ? EXIT_USAGE : -1, &err, rank, n_ranks);
  if (code >= 0) {
    free(text);
    return code;
  }
  unsigned long long n = len; /* at most 1 MiB: mfbo_job_read_file refuses more */
  MPI_Bcast(&n, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD);
  if (rank != 0 && !(text = malloc((size_t)n + 1))) {
    fprintf(stderr, "mfbo-sweep: on rank %d: out of memory for the job text\n", rank);
    MPI_Abort(MPI_COMM_WORLD, EXIT_FAILED);
  }
  MPI_Bcast(text, (int)n, MPI_CHAR, 0, MPI_COMM_WORLD);
  text[n] = '\0';
  if (o->job_path && mfbo_preload_take(pre, o->job_path, text, (size_t)n, job) == 0)
    rc = 0;
  else
    rc = o->job_path ? mfbo_job_load_file_text(path, text, (size_t)n, job, &err)
                     : mfbo_job_load_text(path, text, job, &err);
  free(text);
  code = agree(rc != 0 ? EXIT_USAGE : -1, &err, rank, n_ranks);
  if (code >= 0 && rc == 0) mfbo_job_free(job);
  return code;
}

/* --timing: rank 0 says where the wall time went, from the first rank's start to the
 * results file. */
static void report_timing(const phases *ph, int n_ranks) {
  double first_entered_s = ph->first_entered_s, last_inited_s = ph->last_inited_s,
         last_ready_s = ph->last_ready_s;
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  fprintf(stderr,
          "mfbo-sweep: timing: ranks %d start-up %.3f s (MPI_Init %.3f s) tasks %.3f s "
          "results-file %.3f s rank-0-max-rss %.1f MB\n",
          n_ranks, last_ready_s - first_entered_s, last_inited_s - first_entered_s,
          ph->swept_s - last_ready_s, ph->written_s - ph->swept_s, (double)ru.ru_maxrss / 1024);
}

static int run(int argc, char **argv, int rank, int n_ranks, int rank0_computes,
               mfbo_preload *pre, phases *ph) {
  options o;
  int code = parse_options(argc, argv, &o, rank);
  if (code >= 0) return code;
  mfbo_job job;
  mfbo_error err;
  mfbo_error_clear(&err);
  if ((code = load_job(&o, rank, n_ranks, pre, &job)) >= 0) return code;
  const char *path = o.output ? o.output : job.output;
  mfbo_sweep sw = {.job = &job, .deadline_s = o.deadline_s, .rank0_computes = rank0_computes};
  mfbo_task *tasks = mfbo_tasks_make(&job, &sw.n_tasks);
  sw.tasks = tasks;
  if (!tasks) mfbo_error_set(&err, 0, "out of memory planning the tasks");
  sw.benches = job.benchmarks; /* built once, by the loader */
  mfbo_store *store = NULL;
  if ((code = agree(!tasks ? EXIT_FAILED : -1, &err, rank, n_ranks)) >= 0) {
    /* every rank knows: nothing more to do */
  } else if (o.dry_run) {
    if (rank == 0) print_plan(&job, tasks, sw.n_tasks, path);
    code = EXIT_OK;
  } else if ((code = find_optima(&job, &o, rank, n_ranks, ph)) >= 0) {
    /* out of memory, said */
  } else if ((code = open_store(&sw, &o, path, argc, argv, n_ranks, &store)) < 0) {
    code = sweep(&sw, store, &o, path, rank, ph);
    if (o.timing && rank == 0) report_timing(ph, n_ranks);
  } else if (store) {
    mfbo_store_close(store);
  }
  free(tasks);
  mfbo_job_free(&job);
  return code;
}

/* Every rank learns rank 0's exit code (waiting napping while rank 0 writes the file). */
static void share_code(int *code) {
  MPI_Request req;
  MPI_Ibcast(code, 1, MPI_INT, 0, MPI_COMM_WORLD, &req);
  wait_napping(&req);
}

/* Starts loading the job named on the command line while MPI_Init runs (preload.h); the
 * options are parsed from a copy of argv, silently: run() parses them again and reports. */
static void preload_job(int argc, char **argv, mfbo_preload *pre) {
  char **copy = malloc(((size_t)argc + 1) * sizeof *copy);
  options o;
  memset(pre, 0, sizeof *pre);
  if (!copy) return;
  memcpy(copy, argv, ((size_t)argc + 1) * sizeof *copy);
  if (parse_options(argc, copy, &o, -1) < 0) mfbo_preload_start(pre, o.job_path, o.seeds, o.instances);
  free(copy);
}

int main(int argc, char **argv) {
  phases ph = {.entered_s = mfbo_now_s()};
  mfbo_preload pre;
  preload_job(argc, argv, &pre);
  int threads;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &threads);
  ph.inited_s = mfbo_now_s();
  int rank, n_ranks;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &n_ranks);
  mfbo_sweep_install_signals();
  int code = run(argc, argv, rank, n_ranks, threads >= MPI_THREAD_FUNNELED, &pre, &ph);
  mfbo_preload_end(&pre);
  share_code(&code); /* every rank exits with rank 0's code, so mpirun reports it */
  MPI_Finalize();
  return code;
}
