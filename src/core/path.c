/* path.c: small helpers on file names and files (path.h). */
#include "core/path.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <zlib.h>

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

int mfbo_file_digest(const char *path, char *out, size_t size) {
  out[0] = '\0';
  FILE *f = fopen(path, "rb");
  unsigned char *buf = f ? malloc(1 << 20) : NULL;
  if (!buf) {
    if (f) fclose(f);
    return -1;
  }
  uLong crc = crc32(0L, Z_NULL, 0), adler = adler32(0L, Z_NULL, 0);
  unsigned long long total = 0;
  size_t n;
  while ((n = fread(buf, 1, 1 << 20, f)) > 0) {
    crc = crc32(crc, buf, (uInt)n);
    adler = adler32(adler, buf, (uInt)n);
    total += n;
  }
  int failed = ferror(f);
  if (!failed) snprintf(out, size, "%llu %08lx %08lx", total, (unsigned long)crc, (unsigned long)adler);
  free(buf);
  fclose(f);
  return failed ? -1 : 0;
}
