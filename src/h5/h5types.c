/* h5types.c: the HDF5 types shared by the results file's writer and reader (h5types.h). */
#include "h5types.h"

#include <stdint.h>
#include <string.h>

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

hid_t mfbo_h5_native_type(mfbo_h5_kind kind) {
  switch (kind) {
  case MFBO_H5_U64: return H5T_NATIVE_UINT64;
  case MFBO_H5_I64: return H5T_NATIVE_INT64;
  case MFBO_H5_I32: return H5T_NATIVE_INT32;
  case MFBO_H5_F64: return H5T_NATIVE_DOUBLE;
  default: return H5I_INVALID_HID;
  }
}

static hid_t file_type(mfbo_h5_kind kind) {
  switch (kind) {
  case MFBO_H5_U64: return H5T_STD_U64LE;
  case MFBO_H5_I64: return H5T_STD_I64LE;
  case MFBO_H5_I32: return H5T_STD_I32LE;
  case MFBO_H5_F64: return H5T_IEEE_F64LE;
  default: return H5I_INVALID_HID;
  }
}

hid_t mfbo_h5_column_type(const mfbo_h5_column *c, int in_file) {
  if (c->kind == MFBO_H5_TEXT)
    return mfbo_h5_string_type(c->text_size, H5T_STR_NULLPAD, H5T_CSET_UTF8);
  if (c->kind == MFBO_H5_STATUS)
    return mfbo_h5_status_type(in_file ? H5T_STD_I8LE : H5T_NATIVE_INT8);
  return H5Tcopy(in_file ? file_type(c->kind) : mfbo_h5_native_type(c->kind));
}

const mfbo_h5_column *mfbo_h5_column_find(const mfbo_h5_column *cols, int n, const char *name) {
  for (int i = 0; i < n; i++)
    if (strcmp(cols[i].name, name) == 0) return &cols[i];
  return NULL;
}
