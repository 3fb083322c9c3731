/* digest.c: what identifies the data file a job reads (digest.h). */
#include "digest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

void mfbo_data_digest(const mfbo_job *job, char *out, size_t size) {
  const char *path = NULL;
  out[0] = '\0';
  for (int i = 0; i < job->benchmark.n; i++)
    if (strcmp(job->benchmark.items[i].key, "file") == 0) path = job->benchmark.items[i].value;
  if (!path || !path[0]) return;
  char found[4096], where[2 * 4096 + 8];
  mfbo_settings_find_file(&job->benchmark, path, found, sizeof found, where, sizeof where);
  FILE *f = fopen(found, "rb");
  unsigned char *buf = f ? malloc(1 << 20) : NULL;
  if (!buf) {
    snprintf(out, size, "unreadable %s", path);
    if (f) fclose(f);
    return;
  }
  uLong crc = crc32(0L, Z_NULL, 0), adler = adler32(0L, Z_NULL, 0);
  unsigned long long total = 0;
  size_t n;
  while ((n = fread(buf, 1, 1 << 20, f)) > 0) {
    crc = crc32(crc, buf, (uInt)n);
    adler = adler32(adler, buf, (uInt)n);
    total += n;
  }
  if (ferror(f))
    snprintf(out, size, "unreadable %s", path);
  else
    snprintf(out, size, "%llu %08lx %08lx %s", total, (unsigned long)crc,
             (unsigned long)adler, path);
  free(buf);
  fclose(f);
}
