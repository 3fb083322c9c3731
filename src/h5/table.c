/* table.c: tables (1-D datasets of compound rows) created, typed and written (table.h). */
#include "table.h"

#include <stdlib.h>

#include "h5util.h"

void mfbo_h5_table_type_free(mfbo_h5_table_type *t) {
  mfbo_h5_close(t->mem);
  mfbo_h5_close(t->file);
  t->mem = t->file = H5I_INVALID_HID;
}

/* Builds a row type from its columns, then one double column per parameter of space (if
 * any) at base_size, base_size + 8, ... in memory. */
int mfbo_h5_table_type_make(mfbo_h5_table_type *t, const mfbo_h5_column *cols, int n_cols,
                            size_t base_size, const mfbo_space *space) {
  int n_params = space ? space->n_params : 0;
  hid_t *mem = calloc((size_t)n_cols + 1, sizeof *mem), *file = calloc((size_t)n_cols + 1, sizeof *file);
  int ok = mem && file;
  size_t file_size = (size_t)n_params * sizeof(double);
  for (int i = 0; ok && i < n_cols; i++) {
    mem[i] = mfbo_h5_column_type(&cols[i], 0);
    file[i] = mfbo_h5_column_type(&cols[i], 1);
    ok = mem[i] >= 0 && file[i] >= 0;
    if (ok) file_size += H5Tget_size(file[i]);
  }
  t->row_size = base_size + (size_t)n_params * sizeof(double);
  t->mem = ok ? H5Tcreate(H5T_COMPOUND, t->row_size) : H5I_INVALID_HID;
  t->file = ok ? H5Tcreate(H5T_COMPOUND, file_size) : H5I_INVALID_HID;
  ok = t->mem >= 0 && t->file >= 0;
  size_t at = 0;
  for (int i = 0; ok && i < n_cols; i++) {
    ok = H5Tinsert(t->mem, cols[i].name, cols[i].offset, mem[i]) >= 0 &&
         H5Tinsert(t->file, cols[i].name, at, file[i]) >= 0;
    at += H5Tget_size(file[i]);
  }
  for (int j = 0; ok && j < n_params; j++) {
    const char *name = space->params[j].name;
    ok = H5Tinsert(t->mem, name, base_size + (size_t)j * sizeof(double), H5T_NATIVE_DOUBLE) >= 0 &&
         H5Tinsert(t->file, name, at, H5T_IEEE_F64LE) >= 0;
    at += sizeof(double);
  }
  for (int i = 0; mem && file && i < n_cols; i++) {
    mfbo_h5_close(mem[i]);
    mfbo_h5_close(file[i]);
  }
  free(mem);
  free(file);
  if (ok) return 0;
  mfbo_h5_table_type_free(t);
  return -1;
}

hid_t mfbo_h5_table_create(hid_t loc, const char *name, const mfbo_h5_table_type *t, hsize_t chunk_rows) {
  hsize_t dims = 0, max = H5S_UNLIMITED;
  chunk_rows = chunk_rows ? chunk_rows : 1;
  hid_t space = H5Screate_simple(1, &dims, &max);
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  hid_t d = H5I_INVALID_HID;
  if (space >= 0 && dcpl >= 0 && H5Pset_chunk(dcpl, 1, &chunk_rows) >= 0 &&
      H5Pset_shuffle(dcpl) >= 0 && H5Pset_deflate(dcpl, MFBO_H5_DEFLATE_LEVEL) >= 0 &&
      H5Pset_fletcher32(dcpl) >= 0 && H5Pset_obj_track_times(dcpl, 0) >= 0)
    d = H5Dcreate2(loc, name, t->file, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  mfbo_h5_close(dcpl);
  mfbo_h5_close(space);
  return d;
}

/* A transfer list whose conversion buffer fits n rows (at most 1 MB). */
static hid_t transfer_list(hid_t mem, hsize_t n) {
  size_t need = (size_t)n * 2 * H5Tget_size(mem);
  size_t size = need < 4096 ? 4096 : need > (1u << 20) ? (1u << 20) : need;
  hid_t dxpl = H5Pcreate(H5P_DATASET_XFER);
  if (dxpl >= 0 && H5Pset_buffer(dxpl, size, NULL, NULL) < 0) {
    H5Pclose(dxpl);
    return H5I_INVALID_HID;
  }
  return dxpl;
}

int mfbo_h5_table_write(hid_t d, hid_t mem, hsize_t start, hsize_t n, const void *rows) {
  if (n == 0) return 0;
  hid_t fspace = H5Dget_space(d);
  hid_t mspace = H5Screate_simple(1, &n, NULL);
  hid_t dxpl = transfer_list(mem, n);
  int ok = fspace >= 0 && mspace >= 0 && dxpl >= 0 &&
           H5Sselect_hyperslab(fspace, H5S_SELECT_SET, &start, NULL, &n, NULL) >= 0 &&
           H5Dwrite(d, mem, mspace, fspace, dxpl, rows) >= 0;
  mfbo_h5_close(dxpl);
  mfbo_h5_close(mspace);
  mfbo_h5_close(fspace);
  return ok ? 0 : -1;
}

int mfbo_h5_array_write(hid_t loc, const char *name, hid_t file_type, hid_t mem_type,
                       const void *buf, hsize_t n) {
  hsize_t zero = 0, max = H5S_UNLIMITED, chunk = n ? n : 1;
  hid_t space = H5Screate_simple(1, &zero, &max);
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  hid_t d = H5I_INVALID_HID;
  /* HDF5 puts no filter on variable-length data ("not suitable for filters") */
  int checksum = H5Tis_variable_str(file_type) == 0;
  if (space >= 0 && dcpl >= 0 && H5Pset_chunk(dcpl, 1, &chunk) >= 0 &&
      (!checksum || H5Pset_fletcher32(dcpl) >= 0) && H5Pset_obj_track_times(dcpl, 0) >= 0)
    d = H5Dcreate2(loc, name, file_type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  int ok = d >= 0 && H5Dset_extent(d, &n) >= 0 && mfbo_h5_table_write(d, mem_type, 0, n, buf) == 0;
  mfbo_h5_close(d);
  mfbo_h5_close(dcpl);
  mfbo_h5_close(space);
  return ok ? 0 : -1;
}