/* attr.h: HDF5 attributes of a file, group or dataset, written (replacing one of that name;
 * strings as variable-length null-padded UTF-8) and read back. Each returns 0, or -1. */
#ifndef MFBO_H5_ATTR_H
#define MFBO_H5_ATTR_H

#include <stdint.h>

#include <hdf5.h>

/* n values, or a scalar if n == 0. */
int mfbo_h5_attr_write(hid_t loc, const char *name, hid_t file_type, hid_t mem_type,
                       const void *buf, hsize_t n);
int mfbo_h5_attr_strings(hid_t loc, const char *name, const char *const *values, hsize_t n);
int mfbo_h5_attr_str(hid_t loc, const char *name, const char *value); /* NULL: "" */
int mfbo_h5_attr_int(hid_t loc, const char *name, int value);
int mfbo_h5_attr_u64(hid_t loc, const char *name, uint64_t value);
int mfbo_h5_attr_double(hid_t loc, const char *name, double value);
/* A scalar string attribute (variable or fixed length) into *out (free() it); -1 if it is
 * absent or not a scalar string. */
int mfbo_h5_attr_read_str(hid_t loc, const char *name, char **out);
/* A scalar integer attribute; -1 if absent or not an integer. */
int mfbo_h5_attr_read_long(hid_t loc, const char *name, long *out);

#endif
