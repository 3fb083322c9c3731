/* h5types.h: the HDF5 types of the results format's columns (docs/results-format.md) that
 * its writer (src/sweep/store.c) and its reader (src/analysis/results.c) both build, in one
 * place so that the two cannot drift apart; the columns themselves are in schema.h. Each
 * returns a type to H5Tclose, or H5I_INVALID_HID. */
#ifndef MFBO_H5_TYPES_H
#define MFBO_H5_TYPES_H

#include <stddef.h>

#include <hdf5.h>

/* A string type: variable length when size is 0 (pad is then ignored), else size bytes
 * padded with pad; in character set cset. */
hid_t mfbo_h5_string_type(size_t size, H5T_str_t pad, H5T_cset_t cset);

/* The /runs status enum, ok = 0 and failed = 1 (mfbo_run_status), over base, an 8-bit
 * integer type (H5T_NATIVE_INT8 in memory, H5T_STD_I8LE in the file). */
hid_t mfbo_h5_status_type(hid_t base);

/* What a table's column holds: its memory type is the native one, its file type the
 * little-endian one (text: a null-padded UTF-8 string of text_size bytes in both; status:
 * the enum above). */
typedef enum {
  MFBO_H5_U64,
  MFBO_H5_I64,
  MFBO_H5_I32,
  MFBO_H5_F64,
  MFBO_H5_STATUS,
  MFBO_H5_TEXT
} mfbo_h5_kind;

/* One column of a table: its name, its offset in the row struct, what it holds. */
typedef struct {
  const char *name;
  size_t offset;
  mfbo_h5_kind kind;
  size_t text_size; /* MFBO_H5_TEXT only */
} mfbo_h5_column;

/* The native type of a numeric kind: the library's own identifier, not to be closed;
 * H5I_INVALID_HID for text and status. */
hid_t mfbo_h5_native_type(mfbo_h5_kind kind);
/* A column's type in memory (in_file 0) or in the file (in_file 1), to H5Tclose. */
hid_t mfbo_h5_column_type(const mfbo_h5_column *c, int in_file);
/* The column of that name among n, or NULL. */
const mfbo_h5_column *mfbo_h5_column_find(const mfbo_h5_column *cols, int n, const char *name);

#endif
