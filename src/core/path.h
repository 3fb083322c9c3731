/* path.h: small helpers on file names that the sweep, the journal and the analysis share.
 * Private to the project (not installed). */
#ifndef MFBO_PATH_H
#define MFBO_PATH_H

#include <stddef.h>

/* a followed by b, malloc'ed (NULL when out of memory): "results.h5" ".partial". */
char *mfbo_path_concat(const char *a, const char *b);
/* 1 if path names something that exists (stat succeeds), else 0. */
int mfbo_path_exists(const char *path);
/* The directory part of path ("." if it has none, "/" for "/x"), malloc'ed. */
char *mfbo_path_dir(const char *path);

/* The identity of a file's bytes, "SIZE CRC32 ADLER32" (zlib's; hex), into out: 0, or -1
 * when it cannot be read (out is then ""). */
int mfbo_file_digest(const char *path, char *out, size_t size);

#endif
