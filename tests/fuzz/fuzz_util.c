/* fuzz_util.c: the harnesses' temporary files. */
#include "fuzz.h"
#include "mfbo/error.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmp_dir[512];

static void remove_tmp(void) {
  DIR *d = opendir(tmp_dir);
  struct dirent *e;
  char p[1024];
  while (d && (e = readdir(d))) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    snprintf(p, sizeof p, "%s/%s", tmp_dir, e->d_name);
    unlink(p);
  }
  if (d) closedir(d);
  rmdir(tmp_dir);
}

const char *fuzz_tmp_path(const char *name) {
  static char path[1024];
  if (!tmp_dir[0]) {
    const char *t = getenv("TMPDIR");
    snprintf(tmp_dir, sizeof tmp_dir, "%s/mfbo-fuzz.XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(tmp_dir)) {
      perror("mfbo fuzz: mkdtemp");
      abort();
    }
    atexit(remove_tmp);
  }
  snprintf(path, sizeof path, "%s/%s", tmp_dir, name);
  return path;
}

void fuzz_write_file(const char *path, const void *data, size_t size) {
  FILE *f = fopen(path, "wb");
  if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
    perror(path);
    abort();
  }
}

void fuzz_report(const char *what, const void *err) {
  static int verbose = -1;
  if (verbose < 0) verbose = getenv("MFBO_FUZZ_VERBOSE") != NULL;
  if (!verbose) return;
  const mfbo_error *e = err;
  if (e)
    fprintf(stderr, "%s: error: %s:%d: %s\n", what, e->file, e->line, e->msg);
  else
    fprintf(stderr, "%s: ok\n", what);
}
