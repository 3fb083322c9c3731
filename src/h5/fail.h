/* fail.h: HDF5's own explanation of its last failure, added to an error message: HDF5
 * describes a failure as a stack of messages, and only the innermost one (of a failed system
 * call, only the system's message) tells a user what went wrong. */
#ifndef MFBO_H5_FAIL_H
#define MFBO_H5_FAIL_H

#include "mfbo/error.h"

/* Appends " (HDF5: EXPLANATION)" to err->msg when HDF5 has one, and clears HDF5's stack. */
void mfbo_h5_explain(mfbo_error *err);

#endif
