/* h5util.h: HDF5 helpers that the results file's writer (src/sweep/store.c) and reader
 * (src/analysis/results.c) share. */
#ifndef MFBO_H5_UTIL_H
#define MFBO_H5_UTIL_H

#include <hdf5.h>

/* Closes an identifier of any kind this project creates (file, group, type, space, dataset,
 * attribute, property list); nothing for a negative one. Never pass a library-owned
 * identifier such as H5T_NATIVE_INT. A file whose close must be checked (the writer's) is
 * closed with H5Fclose directly. */
void mfbo_h5_close(hid_t id);

#endif
