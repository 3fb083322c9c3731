/* fuzz_journal.c: the journal reader (src/sweep/journal.c) and what --resume does with it
 * (src/sweep/store.c: every record decoded and checked against the job, the results file
 * written when every task is in): any bytes as FILE.partial of a small fixed job
 * (fuzz_journal_job: 4 tasks on the seed benchmark).
 *
 * The first byte of an input is a flag, the rest is the file: with bit 0 set, the header's and
 * every record's CRC32 are recomputed before the file is written (where the layout allows),
 * so that the fuzzer reaches the decoding behind the CRCs; with it clear the bytes are
 * written as they are (damaged and torn records). A resume must end in a file or an error
 * with a message, never a crash. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "fuzz.h"
#include "fuzz_journal.h"
#include "mfbo/job.h"
#include "store.h"
#include "tasks.h"

const char fuzz_journal_job[] =
    "[sweep]\n"
    "name = fuzz\n"
    "seeds = 1-2\n"
    "budget_evals = 12\n"
    "\n"
    "[benchmark]\n"
    "type = seed\n"
    "\n"
    "[algorithm random]\n"
    "preset = quick\n"
    "\n"
    "[algorithm pattern]\n"
    "preset = quick\n";

static mfbo_job job;
static mfbo_benchmark *bench;

int fuzz_journal_setup(mfbo_job **j, mfbo_benchmark ***benches) {
  static int done;
  if (!done) {
    mfbo_error err;
    if (mfbo_job_load_text("fuzz.ini", fuzz_journal_job, &job, &err) != 0) {
      mfbo_error_print(&err, stderr);
      abort();
    }
    mfbo_settings b, s;
    if (mfbo_settings_copy(&b, &job.benchmark) != 0 || mfbo_settings_copy(&s, &job.space) != 0)
      abort();
    bench = mfbo_benchmark_alloc(job.benchmark_type, &b, &s, job.instances[0], &err);
    mfbo_settings_free(&b);
    mfbo_settings_free(&s);
    if (!bench) abort();
    done = 1;
  }
  *j = &job;
  *benches = &bench;
  return 0;
}

uint64_t fuzz_journal_n_tasks(const mfbo_job *j) {
  return (uint64_t)j->n_instances * (uint64_t)j->n_algorithms * (uint64_t)j->n_seeds;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  mfbo_job *j;
  mfbo_benchmark **b;
  return fuzz_journal_setup(&j, &b);
}

/* The journal's layout (journal.c): header = magic (19 bytes), version u32, text length
 * u64, text, CRC32; record = magic u32, length u64, task_id u64, rank i32, CRC32 (of the 24
 * bytes before it and the payload), payload. */
#define HEADER_FIXED 31u
#define RECORD_HEAD 28u
#define RECORD_MAGIC 0x314A464Du

static void fix_crcs(unsigned char *f, size_t size) {
  uint64_t text_len;
  if (size < HEADER_FIXED + 4) return;
  memcpy(&text_len, f + 23, 8);
  if (text_len > size - HEADER_FIXED - 4) return;
  uint32_t crc = (uint32_t)crc32(0L, f, (uInt)(HEADER_FIXED + text_len));
  memcpy(f + HEADER_FIXED + text_len, &crc, 4);
  for (size_t at = HEADER_FIXED + (size_t)text_len + 4; size - at >= RECORD_HEAD;) {
    uint32_t magic;
    uint64_t len;
    memcpy(&magic, f + at, 4);
    memcpy(&len, f + at + 4, 8);
    if (magic != RECORD_MAGIC || len > size - at - RECORD_HEAD) return;
    crc = (uint32_t)crc32(crc32(0L, f + at, 24), f + at + RECORD_HEAD, (uInt)len);
    memcpy(f + at + 24, &crc, 4);
    at += RECORD_HEAD + (size_t)len;
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1 || size > (1u << 20)) return 0;
  mfbo_job *j;
  mfbo_benchmark **benches;
  fuzz_journal_setup(&j, &benches);
  char path[1024], partial[1100];
  snprintf(path, sizeof path, "%s", fuzz_tmp_path("fuzz.h5"));
  snprintf(partial, sizeof partial, "%s.partial", path);
  unsigned char *file = malloc(size);
  if (!file) return 0;
  memcpy(file, data + 1, size - 1);
  if (data[0] & 1) fix_crcs(file, size - 1);
  unlink(path);
  fuzz_write_file(partial, file, size - 1);
  free(file);
  mfbo_provenance prov = {.command_line = "fuzz", .mpi_ranks = 1, .mpi_library = "none"};
  mfbo_error err;
  mfbo_error_clear(&err);
  mfbo_store *s = mfbo_store_open(path, j, benches, &prov, MFBO_STORE_RESUME, &err);
  if (!s) {
    fuzz_report("journal", &err);
    if (err.msg[0] == '\0') __builtin_trap();
  } else {
    fuzz_report("journal", NULL);
    if (mfbo_store_n_done(s) == fuzz_journal_n_tasks(j) && mfbo_store_finish(s, &err) != 0 &&
        err.msg[0] == '\0')
      __builtin_trap();
    mfbo_store_close(s);
  }
  unlink(path);
  unlink(partial);
  return 0;
}
