/* h5util.h: closing what HDF5 opened: identifiers of any kind, the files a writer must see
 * closed, and the library itself at exit. Shared by the results file's writer
 * (src/sweep/store.c) and reader (src/analysis/results.c). */
#ifndef MFBO_H5_UTIL_H
#define MFBO_H5_UTIL_H

#include <hdf5.h>

/* Closes an identifier of any kind this project creates (file, group, type, space, dataset,
 * attribute, property list); nothing for a negative one. Never pass a library-owned
 * identifier such as H5T_NATIVE_INT. A file whose close must be checked (the writer's) is
 * closed with H5Fclose directly. */
void mfbo_h5_close(hid_t id);
/* A writer calls this before its first HDF5 call: HDF5's exit handler is replaced by one
 * that skips the library's termination once mfbo_h5_file_close has failed (closing a half
 * torn-down file again at exit crashes HDF5 1.10). */
void mfbo_h5_library_init(void);
/* H5Fclose, remembering a failure (see above). */
herr_t mfbo_h5_file_close(hid_t f);

#endif
