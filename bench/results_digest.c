/* results_digest: one line per results file: a CRC-32 of what must not depend on the rank
 * count or the timing (the raw values of /runs, /trace and every dataset under /benchmark,
 * read in the file's own types (of variable-length strings such as /benchmark/labels, the
 * strings, not their pointers); /timing and the root attributes, wall clock and provenance,
 * are left out), then from /timing the tasks' summed and longest wall seconds. Two files of
 * one job must have the same digest on any number of ranks. bench/scaling.sh uses it where
 * h5py is missing (the 16-core machine has no Python HDF5).
 *   build/bench/results_digest FILE.h5 ...   ->   DIGEST SUM_WALL_S MAX_WALL_S FILE */
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

typedef struct {
  uLong crc;
  int failed;
} digest;

/* Adds count variable-length strings (with their NULs) and gives their memory back. */
static void add_strings(digest *g, char **v, hsize_t count, hid_t mem, hid_t type) {
  for (hsize_t i = 0; i < count; i++)
    g->crc = crc32(g->crc, (const Bytef *)(v[i] ? v[i] : ""), (uInt)strlen(v[i] ? v[i] : "") + 1);
  H5Dvlen_reclaim(type, mem, H5P_DEFAULT, v);
}

/* Adds a dataset's name and raw bytes (in its file type, read in slabs of at most 64k rows). */
static void add_dataset(hid_t d, const char *name, digest *g) {
  g->crc = crc32(g->crc, (const Bytef *)name, (uInt)strlen(name));
  hid_t type = H5Dget_type(d), space = H5Dget_space(d);
  hsize_t n = 0;
  if (type < 0 || space < 0 || H5Sget_simple_extent_ndims(space) != 1 ||
      H5Sget_simple_extent_dims(space, &n, NULL) < 0) {
    g->failed = 1;
  } else {
    size_t row = H5Tget_size(type);
    hsize_t slab = 65536;
    unsigned char *buf = malloc(slab * row);
    for (hsize_t start = 0; buf && start < n && !g->failed; start += slab) {
      hsize_t count = n - start < slab ? n - start : slab;
      hid_t mem = H5Screate_simple(1, &count, NULL);
      if (H5Sselect_hyperslab(space, H5S_SELECT_SET, &start, NULL, &count, NULL) < 0 ||
          H5Dread(d, type, mem, space, H5P_DEFAULT, buf) < 0)
        g->failed = 1;
      else if (H5Tis_variable_str(type) > 0) /* the strings, not their pointers */
        add_strings(g, (char **)buf, count, mem, type);
      else
        g->crc = crc32(g->crc, buf, (uInt)(count * row));
      H5Sclose(mem);
    }
    if (!buf) g->failed = 1;
    free(buf);
  }
  if (type >= 0) H5Tclose(type);
  if (space >= 0) H5Sclose(space);
}

static herr_t visit(hid_t loc, const char *name, const H5O_info_t *info, void *data) {
  if (info->type != H5O_TYPE_DATASET) return 0;
  hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
  if (d < 0) return -1;
  add_dataset(d, name, data);
  H5Dclose(d);
  return 0;
}

/* The sum and the largest of /timing's wall_s. */
static int timing_sums(hid_t f, double *sum_s, double *max_s) {
  *sum_s = *max_s = 0;
  hid_t d = H5Dopen2(f, "timing", H5P_DEFAULT);
  hid_t space = d >= 0 ? H5Dget_space(d) : -1;
  hid_t mem = H5Tcreate(H5T_COMPOUND, sizeof(double));
  hssize_t n = space >= 0 ? H5Sget_simple_extent_npoints(space) : -1;
  double *wall = n >= 0 ? malloc((size_t)(n ? n : 1) * sizeof *wall) : NULL;
  int ok = wall && mem >= 0 && H5Tinsert(mem, "wall_s", 0, H5T_NATIVE_DOUBLE) >= 0 &&
           H5Dread(d, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, wall) >= 0;
  for (hssize_t i = 0; ok && i < n; i++) {
    *sum_s += wall[i];
    if (wall[i] > *max_s) *max_s = wall[i];
  }
  free(wall);
  if (mem >= 0) H5Tclose(mem);
  if (space >= 0) H5Sclose(space);
  if (d >= 0) H5Dclose(d);
  return ok ? 0 : -1;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: results_digest FILE.h5 ...\n");
    return 2;
  }
  int rc = 0;
  for (int i = 1; i < argc; i++) {
    digest g = {crc32(0, NULL, 0), 0};
    hid_t f = H5Fopen(argv[i], H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t runs = f >= 0 ? H5Dopen2(f, "runs", H5P_DEFAULT) : -1;
    hid_t trace = f >= 0 ? H5Dopen2(f, "trace", H5P_DEFAULT) : -1;
    if (runs < 0 || trace < 0) g.failed = 1;
    if (!g.failed) add_dataset(runs, "runs", &g);
    if (!g.failed) add_dataset(trace, "trace", &g);
    hid_t bench = g.failed ? -1 : H5Gopen2(f, "benchmark", H5P_DEFAULT);
    if (bench < 0 || H5Ovisit(bench, H5_INDEX_NAME, H5_ITER_INC, visit, &g) < 0) g.failed = 1;
    if (bench >= 0) H5Gclose(bench);
    double sum_s = 0, max_s = 0;
    if (!g.failed && timing_sums(f, &sum_s, &max_s) != 0) g.failed = 1;
    if (runs >= 0) H5Dclose(runs);
    if (trace >= 0) H5Dclose(trace);
    if (f >= 0) H5Fclose(f);
    if (g.failed) {
      fprintf(stderr, "results_digest: cannot read %s\n", argv[i]);
      rc = 1;
      continue;
    }
    printf("%08lx %.3f %.3f %s\n", (unsigned long)g.crc, sum_s, max_s, argv[i]);
  }
  return rc;
}
