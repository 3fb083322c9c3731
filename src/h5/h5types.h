/* h5types.h: the HDF5 types of the results format (docs/results-format.md) that its writer
 * (src/sweep/store.c) and its reader (src/analysis/results.c) both build, in one place so
 * that the two cannot drift apart. Each returns a type to H5Tclose, or H5I_INVALID_HID. */
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

#endif
