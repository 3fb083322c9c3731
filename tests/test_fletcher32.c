/* test_fletcher32.c: the packer's Fletcher-32 checksum (src/h5/fletcher32.c) is HDF5's.
 * Chunks written through HDF5's own filter pipeline carry in their last 4 bytes the checksum
 * that mfbo_h5_fletcher32 computes of the rest (odd and even lengths, more than 360 words);
 * chunks of the same rows written by the threaded packer (direct chunk writes) are byte for
 * byte those chunks, and read back through the pipeline to the rows written. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hdf5.h>

#include "appender.h"
#include "check.h"
#include "fletcher32.h"
#include "packer.h"
#include "table.h"

#define CHUNK_ROWS 1000
#define N_ROWS 2500 /* two whole chunks and a part */

typedef struct {
  uint64_t id;
  double value;
  int8_t flag;
} row;

static int make_type(mfbo_h5_table_type *t) {
  t->row_size = sizeof(row);
  t->mem = H5Tcreate(H5T_COMPOUND, sizeof(row));
  t->file = H5Tcreate(H5T_COMPOUND, 17); /* odd: the packer's element size */
  return H5Tinsert(t->mem, "id", offsetof(row, id), H5T_NATIVE_UINT64) < 0 ||
                 H5Tinsert(t->mem, "value", offsetof(row, value), H5T_NATIVE_DOUBLE) < 0 ||
                 H5Tinsert(t->mem, "flag", offsetof(row, flag), H5T_NATIVE_INT8) < 0 ||
                 H5Tinsert(t->file, "id", 0, H5T_STD_U64LE) < 0 ||
                 H5Tinsert(t->file, "value", 8, H5T_IEEE_F64LE) < 0 ||
                 H5Tinsert(t->file, "flag", 16, H5T_STD_I8LE) < 0
             ? -1
             : 0;
}

static void fill(row *rows) {
  uint64_t x = 12345;
  for (int i = 0; i < N_ROWS; i++) {
    x = x * 6364136223846793005u + 1442695040888963407u;
    rows[i] = (row){(uint64_t)i, (double)(x >> 40) / 7.0, (int8_t)(x >> 60)};
  }
}

/* Chunk number k of d as stored (filters applied); its size in *size; free() it. */
static unsigned char *stored_chunk(hid_t d, hsize_t k, hsize_t chunk_rows, hsize_t *size) {
  hsize_t offset = k * chunk_rows;
  uint32_t filters = 0;
  if (H5Dget_chunk_storage_size(d, &offset, size) < 0 || *size == 0) return NULL;
  unsigned char *buf = malloc(*size);
  if (buf && H5Dread_chunk(d, H5P_DEFAULT, &offset, &filters, buf) < 0) {
    free(buf);
    return NULL;
  }
  return buf;
}

/* The stored checksum (little-endian, last 4 bytes) is ours of the bytes before it. */
static int checksum_matches(const unsigned char *chunk, hsize_t size) {
  if (size < MFBO_H5_FLETCHER32_SIZE) return 0;
  size_t n = (size_t)size - MFBO_H5_FLETCHER32_SIZE;
  uint32_t stored = (uint32_t)chunk[n] | (uint32_t)chunk[n + 1] << 8 |
                    (uint32_t)chunk[n + 2] << 16 | (uint32_t)chunk[n + 3] << 24;
  return stored == mfbo_h5_fletcher32(chunk, n);
}

static void write_tables(hid_t f, const mfbo_h5_table_type *t, const row *rows) {
  hid_t pipe = mfbo_h5_table_create(f, "pipeline", t, CHUNK_ROWS);
  hsize_t n = N_ROWS;
  CHECK(pipe >= 0 && H5Dset_extent(pipe, &n) >= 0 &&
        mfbo_h5_table_write(pipe, t->mem, 0, N_ROWS, rows) == 0);
  H5Dclose(pipe);
  mfbo_h5_packer pk;
  mfbo_h5_appender a;
  CHECK(mfbo_h5_packer_start(&pk) == 0);
  CHECK(mfbo_h5_appender_open(&a, f, "packer", t, CHUNK_ROWS, CHUNK_ROWS) == 0);
  a.pk = &pk;
  for (int i = 0; i < N_ROWS; i++) {
    memcpy(mfbo_h5_appender_row(&a), &rows[i], sizeof(row));
    CHECK(mfbo_h5_appender_commit(&a) == 0);
  }
  CHECK(mfbo_h5_appender_end(&a) == 0 && mfbo_h5_packer_drain(&pk) == 0);
  mfbo_h5_appender_close(&a);
  mfbo_h5_packer_stop(&pk);
}

/* The packer's chunks are the pipeline's, and both carry our checksum. */
static void compare_tables(hid_t f, const mfbo_h5_table_type *t, const row *rows) {
  hid_t pipe = H5Dopen2(f, "pipeline", H5P_DEFAULT), pack = H5Dopen2(f, "packer", H5P_DEFAULT);
  int odd = 0;
  for (hsize_t k = 0; k * CHUNK_ROWS < N_ROWS; k++) {
    hsize_t n1 = 0, n2 = 0;
    unsigned char *c1 = stored_chunk(pipe, k, CHUNK_ROWS, &n1), *c2 = stored_chunk(pack, k, CHUNK_ROWS, &n2);
    CHECK(c1 && c2 && n1 == n2 && memcmp(c1, c2, (size_t)n1) == 0);
    CHECK(c1 && checksum_matches(c1, n1));
    odd += (int)(n1 % 2);
    free(c1);
    free(c2);
  }
  row *back = calloc(N_ROWS, sizeof *back);
  CHECK(back && H5Dread(pack, t->mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, back) >= 0);
  for (int i = 0; back && i < N_ROWS; i++)
    CHECK(back[i].id == rows[i].id && back[i].value == rows[i].value && back[i].flag == rows[i].flag);
  free(back);
  printf("fletcher32: %d of 3 compressed chunks of odd size\n", odd);
  H5Dclose(pipe);
  H5Dclose(pack);
}

/* Uncompressed arrays through the pipeline: an odd length, and more than 360 words. */
static void check_arrays(hid_t f) {
  static const hsize_t lengths[] = {1, 5, 720, 1001, 4096};
  unsigned char data[4096];
  for (size_t i = 0; i < sizeof data; i++) data[i] = (unsigned char)(i * 37 + 11);
  for (size_t i = 0; i < sizeof lengths / sizeof lengths[0]; i++) {
    char name[32];
    snprintf(name, sizeof name, "array%zu", i);
    CHECK(mfbo_h5_array_write(f, name, H5T_STD_U8LE, H5T_NATIVE_UINT8, data, lengths[i]) == 0);
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    hsize_t size = 0;
    unsigned char *c = stored_chunk(d, 0, lengths[i], &size);
    CHECK(c && size == lengths[i] + MFBO_H5_FLETCHER32_SIZE && checksum_matches(c, size));
    free(c);
    H5Dclose(d);
  }
}

int main(void) {
  char path[] = "/tmp/test_fletcher32_XXXXXX";
  int fd = mkstemp(path);
  CHECK(fd >= 0);
  hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  mfbo_h5_table_type t;
  row *rows = calloc(N_ROWS, sizeof *rows);
  CHECK(f >= 0 && rows && make_type(&t) == 0);
  fill(rows);
  write_tables(f, &t, rows);
  check_arrays(f);
  H5Fclose(f);
  f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  compare_tables(f, &t, rows);
  H5Fclose(f);
  mfbo_h5_table_type_free(&t);
  free(rows);
  unlink(path);
  CHECK_DONE();
}
