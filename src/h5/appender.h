/* appender.h: a new table (table.h) and the rows waiting to be appended to it, written cap
 * at a time: by HDF5, or, with a packer (packer.h), as whole chunks (cap is then the chunk's
 * rows). Fill mfbo_h5_appender_row, then mfbo_h5_appender_commit it. */
#ifndef MFBO_H5_APPENDER_H
#define MFBO_H5_APPENDER_H

#include <hdf5.h>

#include "packer.h"
#include "table.h"

typedef struct {
  hid_t d;
  const mfbo_h5_table_type *t;
  unsigned char *rows;
  hsize_t n, cap, written;
  mfbo_h5_packer *pk;
} mfbo_h5_appender;

/* Creates table name under loc (chunks of chunk_rows rows) with room for cap waiting rows;
 * set a->pk afterwards to pack its chunks on threads. */
int mfbo_h5_appender_open(mfbo_h5_appender *a, hid_t loc, const char *name,
                          const mfbo_h5_table_type *t, hsize_t chunk_rows, hsize_t cap);
/* The next row to fill (row_size bytes); mfbo_h5_appender_commit adds it. */
void *mfbo_h5_appender_row(const mfbo_h5_appender *a);
int mfbo_h5_appender_commit(mfbo_h5_appender *a);
/* Writes the rows still waiting (with a packer: queues them; drain it before closing). */
int mfbo_h5_appender_end(mfbo_h5_appender *a);
/* Closes the table. */
void mfbo_h5_appender_close(mfbo_h5_appender *a);

#endif
