/* verify.c: every dataset of a file read through its filters (verify.h). */
#include "verify.h"

#include <stdio.h>
#include <stdlib.h>

#include "fail.h"
#include "h5util.h"
#include "mfbo/error.h"

#define BLOCK_ROWS 65536

typedef struct {
  char *why;
  size_t why_size;
} verify_state;

/* Reads a rank-1 dataset in blocks of rows, any other whole. A failed read adds HDF5's
 * reason to e at once: the next HDF5 call (a close) clears HDF5's error stack. */
static herr_t read_blocks(hid_t d, hid_t mem_type, hid_t space, mfbo_error *e) {
  size_t type_bytes = H5Tget_size(mem_type);
  hssize_t points = H5Sget_simple_extent_npoints(space);
  if (type_bytes == 0 || points < 0) return -1;
  hsize_t rows = (hsize_t)points;
  int blocks = H5Sget_simple_extent_ndims(space) == 1;
  hsize_t per = blocks && rows > BLOCK_ROWS ? BLOCK_ROWS : (rows ? rows : 1);
  void *buf = malloc((size_t)per * type_bytes);
  if (!buf) return -1;
  herr_t rc = 0;
  if (!blocks && (rc = H5Dread(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf)) < 0)
    mfbo_h5_explain(e);
  for (hsize_t at = 0; blocks && rc >= 0 && at < rows; at += per) {
    hsize_t count = rows - at < per ? rows - at : per;
    hid_t mem = H5Screate_simple(1, &count, NULL);
    rc = mem < 0 ? -1 : H5Sselect_hyperslab(space, H5S_SELECT_SET, &at, NULL, &count, NULL);
    if (rc >= 0 && (rc = H5Dread(d, mem_type, mem, space, H5P_DEFAULT, buf)) < 0)
      mfbo_h5_explain(e);
    mfbo_h5_close(mem);
  }
  free(buf);
  return rc < 0 ? -1 : 0;
}

static herr_t read_dataset(hid_t d, mfbo_error *e) {
  hid_t type = H5Dget_type(d), space = H5Dget_space(d);
  hid_t mem_type = type < 0 ? -1 : H5Tget_native_type(type, H5T_DIR_DEFAULT);
  herr_t rc = -1;
  if (mem_type >= 0 && space >= 0)
    rc = H5Tdetect_class(type, H5T_VLEN) > 0 || H5Tis_variable_str(type) > 0
             ? 0 : read_blocks(d, mem_type, space, e);
  mfbo_h5_close(mem_type), mfbo_h5_close(space), mfbo_h5_close(type);
  return rc;
}

static herr_t visit(hid_t root, const char *name, const H5O_info_t *info, void *arg) {
  if (info->type != H5O_TYPE_DATASET) return 0;
  verify_state *v = arg;
  mfbo_error e;
  mfbo_error_clear(&e);
  snprintf(e.msg, sizeof e.msg, "/%s cannot be read", name);
  hid_t d = H5Dopen2(root, name, H5P_DEFAULT);
  if (d < 0) mfbo_h5_explain(&e);
  herr_t rc = d < 0 ? -1 : read_dataset(d, &e);
  mfbo_h5_close(d);
  if (rc < 0) {
    snprintf(v->why, v->why_size, "%s", e.msg);
    return 1; /* stops the visit */
  }
  return 0;
}

int mfbo_h5_verify_datasets(hid_t f, char *why, size_t why_size) {
  verify_state v = {why, why_size};
  if (why_size) why[0] = '\0';
  herr_t rc = H5Ovisit(f, H5_INDEX_NAME, H5_ITER_NATIVE, visit, &v);
  if (rc < 0 && why_size && !why[0]) snprintf(why, why_size, "cannot walk the file's objects");
  return rc == 0 ? 0 : -1;
}
