/* fail.c: HDF5's innermost explanation of a failure, added to a message (fail.h). */
#include "fail.h"

#include <stdio.h>
#include <string.h>

#include <hdf5.h>

/* HDF5's innermost explanation; of a failed system call, only the system's message (its
 * description spans lines: time, file name, descriptor, errno, message, buffer, sizes). */
static herr_t innermost_error(unsigned n, const H5E_error2_t *e, void *data) {
  if (n != 0 || !e->desc) return 0;
  const char *sys = strstr(e->desc, "error message = '");
  const char *end = sys ? strchr(sys + 17, '\'') : NULL;
  if (sys && end) {
    const char *colon = strchr(e->desc, ':');
    int head = colon && colon < sys ? (int)(colon - e->desc) : 0;
    snprintf(data, 240, "%.*s%s%.*s", head, e->desc, head ? ": " : "", (int)(end - sys - 17),
             sys + 17);
  } else {
    snprintf(data, 240, "%s", e->desc);
  }
  return 0;
}

void mfbo_h5_explain(mfbo_error *err) {
  char detail[240] = "";
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, innermost_error, detail);
  H5Eclear2(H5E_DEFAULT);
  size_t len = strlen(err->msg);
  if (detail[0] && len + 4 < sizeof err->msg)
    snprintf(err->msg + len, sizeof err->msg - len, " (HDF5: %s)", detail);
}
