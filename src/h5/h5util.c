/* h5util.c: closing HDF5 identifiers, files and the library (h5util.h). */
#include "h5util.h"

#include <stdlib.h>

void mfbo_h5_close(hid_t id) {
  if (id < 0) return;
  switch (H5Iget_type(id)) {
  case H5I_FILE: H5Fclose(id); break;
  case H5I_GROUP: H5Gclose(id); break;
  case H5I_DATATYPE: H5Tclose(id); break;
  case H5I_DATASPACE: H5Sclose(id); break;
  case H5I_DATASET: H5Dclose(id); break;
  case H5I_ATTR: H5Aclose(id); break;
  case H5I_GENPROP_LST: H5Pclose(id); break;
  default: break;
  }
}

/* HDF5 1.10 closes every file still open when the process exits (H5_term_library, an atexit
 * handler). A file whose H5Fclose failed (ENOSPC while flushing its metadata) stays registered
 * half torn down, and closing it again at exit crashes (SIGSEGV in H5F__close_cb). So the
 * library's own handler is replaced by ours, which skips the termination once a close has
 * failed: the process exits without it, its exit code intact. */

static int h5_close_failed;

static void h5_at_exit(void) {
  if (!h5_close_failed) H5close();
}

void mfbo_h5_library_init(void) {
  static int done;
  if (done) return;
  done = 1;
  if (H5dont_atexit() >= 0) atexit(h5_at_exit);
}

herr_t mfbo_h5_file_close(hid_t f) {
  herr_t rc = H5Fclose(f);
  if (rc < 0) h5_close_failed = 1;
  return rc;
}
