/* h5types.c: the HDF5 types shared by the results file's writer and reader (h5types.h). */
#include "h5types.h"

#include <stdint.h>

#include "mfbo/run.h"

hid_t mfbo_h5_string_type(size_t size, H5T_str_t pad, H5T_cset_t cset) {
  hid_t t = H5Tcopy(H5T_C_S1);
  if (t < 0) return H5I_INVALID_HID;
  int bad = size == 0 ? H5Tset_size(t, H5T_VARIABLE) < 0
                      : H5Tset_size(t, size) < 0 || H5Tset_strpad(t, pad) < 0;
  if (bad || H5Tset_cset(t, cset) < 0) {
    H5Tclose(t);
    return H5I_INVALID_HID;
  }
  return t;
}

hid_t mfbo_h5_status_type(hid_t base) {
  hid_t t = H5Tenum_create(base);
  int8_t ok = MFBO_RUN_OK, failed = MFBO_RUN_FAILED;
  if (t >= 0 && (H5Tenum_insert(t, "ok", &ok) < 0 || H5Tenum_insert(t, "failed", &failed) < 0)) {
    H5Tclose(t);
    return H5I_INVALID_HID;
  }
  return t;
}
