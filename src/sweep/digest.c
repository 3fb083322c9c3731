/* digest.c: what identifies the data file and the programs a job uses (digest.h). */
#include "digest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/child.h"
#include "core/path.h"

void mfbo_data_digest(const mfbo_job *job, char *out, size_t size) {
  const char *path = NULL;
  out[0] = '\0';
  for (int i = 0; i < job->benchmark.n; i++)
    if (strcmp(job->benchmark.items[i].key, "file") == 0) path = job->benchmark.items[i].value;
  if (!path || !path[0]) return;
  char found[4096], where[2 * 4096 + 8], digest[64];
  mfbo_settings_find_file(&job->benchmark, path, found, sizeof found, where, sizeof where);
  if (mfbo_file_digest(found, digest, sizeof digest) != 0)
    snprintf(out, size, "unreadable %s", path);
  else
    snprintf(out, size, "%s %s", digest, path);
}

/* The file an external searcher's command starts (as external.c finds it: a word with a
 * '/' relative to the job file's directory, else on PATH); NULL if none is found. */
static char *external_program(const mfbo_settings *s) {
  const char *command = NULL;
  for (int i = 0; i < s->n; i++)
    if (strcmp(s->items[i].key, "command") == 0) command = s->items[i].value;
  if (!command) return NULL;
  char word[4096];
  size_t n = strcspn(command + strspn(command, " \t"), " \t");
  snprintf(word, sizeof word, "%.*s", (int)n, command + strspn(command, " \t"));
  if (!word[0]) return NULL;
  if (strchr(word, '/') && word[0] != '/' && s->dir) {
    char *dir = mfbo_path_concat(s->dir, "/");
    char *path = dir ? mfbo_path_concat(dir, word) : NULL;
    free(dir);
    return path;
  }
  int errnum;
  return mfbo_child_find_program(word, &errnum);
}

/* Appends "LABEL: DIGEST PATH\n" (or "LABEL: unreadable PATH\n") for the file at path. */
static void add_program(char *out, size_t size, const char *label, const char *path) {
  char digest[64];
  size_t at = strlen(out);
  if (at >= size) return;
  if (mfbo_file_digest(path, digest, sizeof digest) != 0) snprintf(digest, sizeof digest, "unreadable");
  snprintf(out + at, size - at, "%s: %s %s\n", label, digest, path);
}

void mfbo_programs_digest(const mfbo_job *job, char *out, size_t size) {
  out[0] = '\0';
  for (int i = 0; i < job->n_algorithms; i++) {
    const mfbo_job_algorithm *a = &job->algorithms[i];
    if (a->plugin) add_program(out, size, a->label, a->plugin);
    if (a->type && strcmp(a->type->name, "external") == 0) {
      char *program = external_program(&a->settings);
      add_program(out, size, a->label, program ? program : "(not found)");
      free(program);
    }
  }
}
