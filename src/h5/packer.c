/* packer.c: a table's chunks shuffled and deflated on several threads, their Fletcher-32
 * checksum appended, written in order (packer.h). */
#include "packer.h"

#include <stdlib.h>
#include <unistd.h>

#include "fletcher32.h"
#include "table.h"

/* HDF5's shuffle filter: byte j of element i goes to j * n + i. */
static void shuffle(const unsigned char *in, unsigned char *out, size_t n, size_t size) {
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < size; j++) out[j * n + i] = in[i * size + j];
}

static void pack_chunk(mfbo_h5_chunk_job *j) {
  unsigned char *shuffled = malloc(j->raw_size);
  j->packed_size = compressBound((uLong)j->raw_size);
  j->packed = malloc(j->packed_size + MFBO_H5_FLETCHER32_SIZE);
  int ok = shuffled && j->packed;
  if (ok) {
    shuffle(j->raw, shuffled, j->raw_size / j->elem_size, j->elem_size);
    ok = compress2(j->packed, &j->packed_size, shuffled, (uLong)j->raw_size, MFBO_H5_DEFLATE_LEVEL) ==
         Z_OK;
  }
  if (ok) { /* the pipeline's last filter (mfbo_h5_table_create) */
    mfbo_h5_fletcher32_append(j->packed, j->packed_size);
    j->packed_size += MFBO_H5_FLETCHER32_SIZE;
  }
  free(shuffled);
  free(j->raw);
  j->raw = NULL;
  j->state = ok ? 2 : 3;
}

static void *packer_thread(void *arg) {
  mfbo_h5_packer *pk = arg;
  pthread_mutex_lock(&pk->lock);
  for (;;) {
    while (!pk->stop && pk->next == pk->head + pk->n) pthread_cond_wait(&pk->changed, &pk->lock);
    if (pk->next == pk->head + pk->n) break; /* stopped, nothing left */
    mfbo_h5_chunk_job *j = &pk->jobs[pk->next++ % pk->cap];
    j->state = 1;
    pthread_mutex_unlock(&pk->lock);
    pack_chunk(j);
    pthread_mutex_lock(&pk->lock);
    pthread_cond_broadcast(&pk->changed);
  }
  pthread_mutex_unlock(&pk->lock);
  return NULL;
}

/* Threads: the online cores, at most MFBO_H5_PACK_THREADS_MAX (0 threads: the caller packs). */
int mfbo_h5_packer_start(mfbo_h5_packer *pk) {
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  int want = cores > MFBO_H5_PACK_THREADS_MAX ? MFBO_H5_PACK_THREADS_MAX : cores > 1 ? (int)cores : 0;
  *pk = (mfbo_h5_packer){.cap = 2 * (want ? want : 1)};
  if (!(pk->jobs = calloc((size_t)pk->cap, sizeof *pk->jobs))) return -1;
  pthread_mutex_init(&pk->lock, NULL);
  pthread_cond_init(&pk->changed, NULL);
  while (pk->n_threads < want &&
         pthread_create(&pk->threads[pk->n_threads], NULL, packer_thread, pk) == 0)
    pk->n_threads++;
  return 0;
}

/* Waits for the oldest job and writes it; returns -1 if it could not be packed or written. */
static int packer_write_oldest(mfbo_h5_packer *pk) {
  pthread_mutex_lock(&pk->lock);
  mfbo_h5_chunk_job *j = &pk->jobs[pk->head % pk->cap];
  if (pk->n_threads == 0 && j->state == 0) { /* no threads: pack it here */
    pk->next++;
    pthread_mutex_unlock(&pk->lock);
    pack_chunk(j);
    pthread_mutex_lock(&pk->lock);
  }
  while (j->state < 2) pthread_cond_wait(&pk->changed, &pk->lock);
  pthread_mutex_unlock(&pk->lock);
  hsize_t size = j->offset + j->rows;
  int ok = j->state == 2 && H5Dset_extent(j->d, &size) >= 0 &&
           H5Dwrite_chunk(j->d, H5P_DEFAULT, 0, &j->offset, j->packed_size, j->packed) >= 0;
  free(j->packed);
  j->packed = NULL;
  pthread_mutex_lock(&pk->lock);
  pk->head++;
  pk->n--;
  pthread_mutex_unlock(&pk->lock);
  return ok ? 0 : -1;
}

/* Queues a chunk (raw: its rows in the file's type, chunk-sized, taken over); writes the
 * oldest first when the ring is full. */
int mfbo_h5_packer_submit(mfbo_h5_packer *pk, hid_t d, hsize_t offset, hsize_t rows,
                         unsigned char *raw, size_t raw_size, size_t elem_size) {
  int rc = pk->n == pk->cap ? packer_write_oldest(pk) : 0;
  pthread_mutex_lock(&pk->lock);
  pk->jobs[(pk->head + pk->n) % pk->cap] =
      (mfbo_h5_chunk_job){.d = d, .offset = offset, .rows = rows, .raw = raw, .raw_size = raw_size,
                  .elem_size = elem_size};
  pk->n++;
  pthread_cond_broadcast(&pk->changed);
  pthread_mutex_unlock(&pk->lock);
  return rc;
}

/* Writes every queued chunk (call before the datasets close). */
int mfbo_h5_packer_drain(mfbo_h5_packer *pk) {
  int rc = 0;
  while (pk->n > 0)
    if (packer_write_oldest(pk) != 0) rc = -1;
  return rc;
}

void mfbo_h5_packer_stop(mfbo_h5_packer *pk) {
  pthread_mutex_lock(&pk->lock);
  pk->stop = 1;
  pthread_cond_broadcast(&pk->changed);
  pthread_mutex_unlock(&pk->lock);
  for (int i = 0; i < pk->n_threads; i++) pthread_join(pk->threads[i], NULL);
  for (int i = 0; i < pk->cap; i++) {
    free(pk->jobs[i].raw);
    free(pk->jobs[i].packed);
  }
  free(pk->jobs);
  pthread_cond_destroy(&pk->changed);
  pthread_mutex_destroy(&pk->lock);
}