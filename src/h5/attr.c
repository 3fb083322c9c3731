/* attr.c: attributes written and read (attr.h). */
#include "attr.h"

#include <stdlib.h>
#include <string.h>

#include "h5types.h"
#include "h5util.h"

/* Writes an attribute (replacing one of that name): n values, or a scalar if n == 0. */
int mfbo_h5_attr_write(hid_t loc, const char *name, hid_t file_type, hid_t mem_type,
                      const void *buf, hsize_t n) {
  if (H5Aexists(loc, name) > 0 && H5Adelete(loc, name) < 0) return -1;
  hid_t space = n ? H5Screate_simple(1, &n, NULL) : H5Screate(H5S_SCALAR);
  hid_t a = space < 0 ? H5I_INVALID_HID
                      : H5Acreate2(loc, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT);
  int rc = a >= 0 && H5Awrite(a, mem_type, buf) >= 0 ? 0 : -1;
  mfbo_h5_close(a);
  mfbo_h5_close(space);
  return rc;
}

int mfbo_h5_attr_strings(hid_t loc, const char *name, const char *const *values, hsize_t n) {
  hid_t t = mfbo_h5_string_type(0, H5T_STR_NULLPAD, H5T_CSET_UTF8);
  int rc = t < 0 ? -1 : mfbo_h5_attr_write(loc, name, t, t, values, n);
  mfbo_h5_close(t);
  return rc;
}

int mfbo_h5_attr_str(hid_t loc, const char *name, const char *value) {
  const char *v = value ? value : "";
  return mfbo_h5_attr_strings(loc, name, &v, 0);
}

int mfbo_h5_attr_int(hid_t loc, const char *name, int value) {
  return mfbo_h5_attr_write(loc, name, H5T_STD_I32LE, H5T_NATIVE_INT, &value, 0);
}

int mfbo_h5_attr_u64(hid_t loc, const char *name, uint64_t value) {
  return mfbo_h5_attr_write(loc, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, &value, 0);
}

int mfbo_h5_attr_double(hid_t loc, const char *name, double value) {
  return mfbo_h5_attr_write(loc, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value, 0);
}

/* Reads a scalar string attribute (variable or fixed length) into *out (free() it).
 * Returns -1 if it is absent or not a scalar string. */
int mfbo_h5_attr_read_str(hid_t loc, const char *name, char **out) {
  *out = NULL;
  if (H5Aexists(loc, name) <= 0) return -1;
  hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
  hid_t ftype = a < 0 ? H5I_INVALID_HID : H5Aget_type(a);
  hid_t space = a < 0 ? H5I_INVALID_HID : H5Aget_space(a);
  hid_t mtype = H5I_INVALID_HID;
  int ok = ftype >= 0 && space >= 0 && H5Tget_class(ftype) == H5T_STRING &&
           H5Sget_simple_extent_npoints(space) == 1;
  if (ok && H5Tis_variable_str(ftype) > 0) {
    char *p = NULL;
    ok = (mtype = mfbo_h5_string_type(0, H5T_STR_NULLPAD, H5T_CSET_UTF8)) >= 0 && H5Aread(a, mtype, &p) >= 0;
    if (ok) *out = strdup(p ? p : "");
    if (p) H5free_memory(p);
  } else if (ok) {
    size_t size = H5Tget_size(ftype);
    *out = calloc(size + 1, 1);
    ok = *out && H5Aread(a, ftype, *out) >= 0;
  }
  mfbo_h5_close(mtype);
  mfbo_h5_close(space);
  mfbo_h5_close(ftype);
  mfbo_h5_close(a);
  if (ok && *out) return 0;
  free(*out);
  *out = NULL;
  return -1;
}

int mfbo_h5_attr_read_long(hid_t loc, const char *name, long *out) {
  if (H5Aexists(loc, name) <= 0) return -1;
  hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
  hid_t ftype = a < 0 ? H5I_INVALID_HID : H5Aget_type(a);
  hid_t space = a < 0 ? H5I_INVALID_HID : H5Aget_space(a);
  int ok = ftype >= 0 && space >= 0 && H5Tget_class(ftype) == H5T_INTEGER &&
           H5Sget_simple_extent_npoints(space) == 1 && H5Aread(a, H5T_NATIVE_LONG, out) >= 0;
  mfbo_h5_close(space);
  mfbo_h5_close(ftype);
  mfbo_h5_close(a);
  return ok ? 0 : -1;
}