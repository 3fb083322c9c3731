/* packer.h: compressing a table's chunks on several threads. Deflate is most of the time a
 * results file's writing takes (mfbo_store_finish, while every rank waits), so full chunks,
 * already in the file's types, are shuffled and deflated by a pool of threads exactly as
 * HDF5's own filters would (same zlib, same level: the same bytes on disk), their
 * Fletcher-32 checksum appended as HDF5's filter does (fletcher32.h; H5Dwrite_chunk bypasses
 * the pipeline), and written in order with H5Dwrite_chunk. Only the calling thread calls HDF5 (the library is not
 * thread-safe). The appender (appender.h) hands its chunks to a packer. */
#ifndef MFBO_H5_PACKER_H
#define MFBO_H5_PACKER_H

#include <pthread.h>
#include <stddef.h>

#include <hdf5.h>
#include <zlib.h>

#define MFBO_H5_PACK_THREADS_MAX 16 /* at the finish, the other ranks of a node nap */

typedef struct {
  hid_t d;
  hsize_t offset, rows; /* the chunk's first row and the rows in use (the rest is zero) */
  size_t raw_size, elem_size;
  unsigned char *raw, *packed;
  uLongf packed_size;
  int state; /* 0 waiting, 1 taken, 2 done, 3 failed */
} mfbo_h5_chunk_job;

typedef struct {
  pthread_mutex_t lock;
  pthread_cond_t changed;
  mfbo_h5_chunk_job *jobs; /* a ring of cap jobs: [head, head + n) submitted, in file order */
  int cap, head, n, next; /* next: the first job no thread has taken */
  int n_threads, stop;
  pthread_t threads[MFBO_H5_PACK_THREADS_MAX];
} mfbo_h5_packer;

/* Threads: the online cores, at most MFBO_H5_PACK_THREADS_MAX (0 threads: the caller packs).
 * Returns -1 out of memory. */
int mfbo_h5_packer_start(mfbo_h5_packer *pk);
/* Queues a chunk of dataset d (raw: its rows in the file's type, chunk-sized, taken over);
 * writes the oldest first when the ring is full. */
int mfbo_h5_packer_submit(mfbo_h5_packer *pk, hid_t d, hsize_t offset, hsize_t rows,
                          unsigned char *raw, size_t raw_size, size_t elem_size);
/* Writes every queued chunk (call before the datasets close). */
int mfbo_h5_packer_drain(mfbo_h5_packer *pk);
/* Stops the threads and frees what is left. */
void mfbo_h5_packer_stop(mfbo_h5_packer *pk);

#endif
