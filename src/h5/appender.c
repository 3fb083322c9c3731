/* appender.c: rows appended to a new table, a block at a time (appender.h). */
#include "appender.h"

#include <stdlib.h>
#include <string.h>

#include "h5util.h"

int mfbo_h5_appender_open(mfbo_h5_appender *a, hid_t loc, const char *name, const mfbo_h5_table_type *t,
                         hsize_t chunk_rows, hsize_t cap) {
  cap = cap ? cap : 1;
  *a = (mfbo_h5_appender){.t = t, .cap = cap, .rows = malloc((size_t)cap * t->row_size)};
  a->d = mfbo_h5_table_create(loc, name, t, chunk_rows);
  return a->rows && a->d >= 0 ? 0 : -1;
}

void *mfbo_h5_appender_row(const mfbo_h5_appender *a) { return a->rows + a->n * a->t->row_size; }

/* The waiting rows as one chunk in the file's type, handed to the packer. */
static int appender_pack(mfbo_h5_appender *a) {
  size_t file_size = H5Tget_size(a->t->file), mem_size = a->t->row_size;
  size_t raw_size = (size_t)a->cap * file_size;
  size_t big = (size_t)a->cap * (file_size > mem_size ? file_size : mem_size);
  unsigned char *raw = malloc(big), *background = calloc(1, big);
  int ok = raw && background;
  if (ok) {
    memcpy(raw, a->rows, (size_t)a->n * mem_size);
    ok = H5Tconvert(a->t->mem, a->t->file, (size_t)a->n, raw, background, H5P_DEFAULT) >= 0;
  }
  free(background);
  if (!ok) {
    free(raw);
    return -1;
  }
  memset(raw + (size_t)a->n * file_size, 0, raw_size - (size_t)a->n * file_size);
  return mfbo_h5_packer_submit(a->pk, a->d, a->written, a->n, raw, raw_size, file_size);
}

static int appender_flush(mfbo_h5_appender *a) {
  if (a->n == 0) return 0;
  hsize_t size = a->written + a->n;
  if (a->pk ? appender_pack(a) != 0
            : H5Dset_extent(a->d, &size) < 0 ||
                  mfbo_h5_table_write(a->d, a->t->mem, a->written, a->n, a->rows))
    return -1;
  a->written = size;
  a->n = 0;
  return 0;
}

int mfbo_h5_appender_commit(mfbo_h5_appender *a) { return ++a->n == a->cap ? appender_flush(a) : 0; }

int mfbo_h5_appender_end(mfbo_h5_appender *a) { return a->d >= 0 && a->rows ? appender_flush(a) : -1; }

void mfbo_h5_appender_close(mfbo_h5_appender *a) {
  mfbo_h5_close(a->d);
  free(a->rows);
}