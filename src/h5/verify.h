/* verify.h: reading every dataset of an HDF5 file through its filters, so that a damaged
 * chunk (a failed Fletcher-32 or deflate check) is found before a program trusts the file.
 * Used by `mfbo-sweep --resume` on a complete results file (src/sweep/store.c). */
#ifndef MFBO_H5_VERIFY_H
#define MFBO_H5_VERIFY_H

#include <hdf5.h>
#include <stddef.h>

/* Reads every dataset of the open file f whole, in blocks of rows (datasets of
 * variable-length data are skipped: HDF5 puts no filter on them). 0 when all read; -1 on
 * the first that does not, with "DATASET: HDF5's reason" in why. */
int mfbo_h5_verify_datasets(hid_t f, char *why, size_t why_size);

#endif
