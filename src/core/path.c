/* path.c: small helpers on file names (path.h). */
#include "core/path.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

char *mfbo_path_concat(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  char *s = malloc(la + lb + 1);
  if (!s) return NULL;
  memcpy(s, a, la);
  memcpy(s + la, b, lb + 1);
  return s;
}

int mfbo_path_exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

char *mfbo_path_dir(const char *path) {
  const char *slash = strrchr(path, '/');
  if (!slash) return strdup(".");
  if (slash == path) return strdup("/");
  char *d = strdup(path);
  if (d) d[slash - path] = '\0';
  return d;
}
