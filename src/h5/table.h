/* table.h: a table of a results file is a 1-D dataset of compound rows, chunked, extendible
 * without limit, shuffled and deflated. Its row type is built from columns (h5types.h) and,
 * after them, one double column per parameter of a space; in memory a row is the C struct
 * followed by those doubles, in the file it is little-endian and packed, with the same
 * column names in the same order. */
#ifndef MFBO_H5_TABLE_H
#define MFBO_H5_TABLE_H

#include <stddef.h>

#include <hdf5.h>

#include "h5types.h"
#include "mfbo/space.h"

#define MFBO_H5_DEFLATE_LEVEL 4 /* the tables' deflate level (the packer's too) */

/* A table's row type: in memory (native) and in the file (little-endian, packed). */
typedef struct {
  size_t row_size; /* in memory: the struct's size, then 8 bytes per parameter */
  hid_t mem;
  hid_t file;
} mfbo_h5_table_type;

/* Builds t from n_cols columns of a struct of base_size bytes, then space's parameters (space
 * may be NULL). Returns -1 (t freed) on failure. */
int mfbo_h5_table_type_make(mfbo_h5_table_type *t, const mfbo_h5_column *cols, int n_cols,
                            size_t base_size, const mfbo_space *space);
void mfbo_h5_table_type_free(mfbo_h5_table_type *t);
/* An empty table: chunks of chunk_rows rows, extendible without limit, compressed
 * (shuffle, deflate) and checksummed (Fletcher-32, the pipeline's last filter). */
hid_t mfbo_h5_table_create(hid_t loc, const char *name, const mfbo_h5_table_type *t,
                           hsize_t chunk_rows);
/* Writes rows [start, start + n) of a dataset from the memory type mem. */
int mfbo_h5_table_write(hid_t d, hid_t mem, hsize_t start, hsize_t n, const void *rows);
/* A small 1-D dataset of n values written at once (chunked and extendible like every
 * dataset, not compressed), checksummed with Fletcher-32 unless its type is a
 * variable-length string: HDF5 refuses filters on variable-length data. */
int mfbo_h5_array_write(hid_t loc, const char *name, hid_t file_type, hid_t mem_type,
                        const void *buf, hsize_t n);

#endif
