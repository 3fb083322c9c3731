/* journal.c: the journal of a running sweep (FILE.partial): a header, then records appended
 * one write(2) each, every one checked by a CRC32 (zlib's). No HDF5 here. Integers are in the
 * machine's byte order, like the payloads (mfbo_wire_pack): a journal is resumed on the kind
 * of machine that wrote it.
 *
 *   header: "MFBO-SWEEP-JOURNAL\n" (19 bytes), version u32, job text length u64, job text,
 *           CRC32 u32 of everything before it
 *   record: magic u32, payload length u64, task_id u64, rank i32,
 *           CRC32 u32 of the 24 bytes before it and of the payload; then the payload
 *
 * A process killed at any moment leaves whole records followed by at most one torn one;
 * opening the journal again keeps the whole records and truncates the file after the last
 * one. A damaged record between whole ones (a changed byte, not an interruption) is skipped,
 * not cut: the whole records after it are kept. Durability: a record is in the OS's hands when append returns, so it
 * survives the death of the process; the file is fdatasync'ed at the first append at least
 * MFBO_JOURNAL_SYNC_S seconds after the last sync, and by mfbo_journal_sync, so an OS crash
 * loses about the last MFBO_JOURNAL_SYNC_S seconds of records at most (unless the kernel
 * wrote them back already): those tasks run again. */
#define _DEFAULT_SOURCE /* flock() */
#include "journal.h"

#include "core/path.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "mfbo/job.h"

static const char file_magic[] = "MFBO-SWEEP-JOURNAL\n";
#define FILE_MAGIC_LEN (sizeof file_magic - 1)
#define HEADER_FIXED (FILE_MAGIC_LEN + 4 + 8) /* magic, version, job text length */
#define RECORD_MAGIC 0x314A464Du              /* "MFJ1" in a little-endian file */
#define RECORD_HEAD 28                        /* magic, length, task_id, rank, crc */
#define RECORD_CRC_AT 24
#define MAX_PAYLOAD ((uint64_t)INT32_MAX)
#define CHUNK (1u << 20) /* bytes read at once while checking a record */

typedef struct {
  uint64_t offset; /* of the record's head; 0: no record (the header comes first) */
  uint64_t len;    /* of its payload */
  int32_t rank;
} entry;

typedef struct {
  uint32_t magic;
  uint64_t len, task_id;
  int32_t rank;
  uint32_t crc;
} record_head;

struct mfbo_journal {
  char *path;
  int fd;
  uint64_t n_tasks, n_done;
  uint64_t end;     /* where the next record goes */
  uint64_t dropped; /* bytes truncated by open */
  uint64_t damaged, damaged_at; /* bytes skipped by open between whole records; the first */
  entry *tasks;     /* by task_id */
  entry *notes;
  size_t n_notes, cap_notes;
  double synced_s; /* when the data last reached the disk */
};

/* ---------------------------------------------------------------- small helpers */

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Sets the message of err (if any); returns -1. */
__attribute__((format(printf, 2, 3))) static int fail(mfbo_error *err, const char *fmt, ...) {
  if (!err) return -1;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->msg, sizeof err->msg, fmt, ap);
  va_end(ap);
  err->line = 0;
  return -1;
}

/* Reads exactly n bytes at offset; -1 with errno set on an error, or EIO on a short read. */
static int read_at(int fd, void *buf, size_t n, uint64_t offset) {
  char *p = buf;
  while (n > 0) {
    ssize_t k = pread(fd, p, n, (off_t)offset);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) {
      if (k == 0) errno = EIO;
      return -1;
    }
    p += k;
    n -= (size_t)k;
    offset += (uint64_t)k;
  }
  return 0;
}

/* Writes n bytes at offset: one pwrite(2), more only if the kernel writes less. */
static int write_at(int fd, const void *buf, size_t n, uint64_t offset) {
  const char *p = buf;
  while (n > 0) {
    ssize_t k = pwrite(fd, p, n, (off_t)offset);
    if (k < 0 && errno == EINTR) continue;
    if (k < 0) return -1;
    p += k;
    n -= (size_t)k;
    offset += (uint64_t)k;
  }
  return 0;
}

/* An exclusive lock on the open file: one writer at a time. Where the file system has no
 * flock (e.g. Lustre mounted without -o flock) the journal works unlocked, with a warning. */
static int lock(int fd, const char *path, mfbo_error *err) {
  while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EINTR) continue;
    if (errno == EWOULDBLOCK) return fail(err, "%s is being written by another mfbo-sweep", path);
    if (errno != ENOSYS && errno != ENOTSUP && errno != ENOLCK && errno != EINVAL)
      return fail(err, "cannot lock %s: %s", path, strerror(errno));
    fprintf(stderr, "mfbo-sweep: warning: cannot lock %s (%s): make sure no other sweep "
            "writes it\n", path, strerror(errno));
    break;
  }
  return 0;
}

/* ---------------------------------------------------------------- the journal object */

static mfbo_journal *journal_alloc(const char *path, uint64_t n_tasks, mfbo_error *err) {
  mfbo_journal *j = calloc(1, sizeof *j);
  if (j) {
    j->fd = -1;
    j->n_tasks = n_tasks;
    j->path = strdup(path);
    j->tasks = calloc(n_tasks ? n_tasks : 1, sizeof *j->tasks);
  }
  if (!j || !j->path || !j->tasks) {
    mfbo_journal_close(j);
    fail(err, "out of memory");
    return NULL;
  }
  return j;
}

void mfbo_journal_close(mfbo_journal *j) {
  if (!j) return;
  if (j->fd >= 0) close(j->fd);
  free(j->tasks);
  free(j->notes);
  free(j->path);
  free(j);
}

/* Room for one more note in the index. */
static int reserve_note(mfbo_journal *j) {
  if (j->n_notes < j->cap_notes) return 0;
  size_t cap = j->cap_notes ? 2 * j->cap_notes : 8;
  entry *notes = realloc(j->notes, cap * sizeof *notes);
  if (!notes) return -1;
  j->notes = notes;
  j->cap_notes = cap;
  return 0;
}

/* Records where a whole record is; a task already indexed keeps its first record, a record
 * of a task id out of range is left out. */
static int index_record(mfbo_journal *j, uint64_t offset, const record_head *h) {
  entry e = {.offset = offset, .len = h->len, .rank = h->rank};
  if (h->task_id == MFBO_JOURNAL_NOTE) {
    if (reserve_note(j) != 0) return -1;
    j->notes[j->n_notes++] = e;
  } else if (h->task_id < j->n_tasks && j->tasks[h->task_id].offset == 0) {
    j->tasks[h->task_id] = e;
    j->n_done++;
  }
  return 0;
}

/* ---------------------------------------------------------------- records */

static void head_encode(const record_head *h, unsigned char out[RECORD_HEAD]) {
  memcpy(out, &h->magic, 4);
  memcpy(out + 4, &h->len, 8);
  memcpy(out + 12, &h->task_id, 8);
  memcpy(out + 20, &h->rank, 4);
  memcpy(out + RECORD_CRC_AT, &h->crc, 4);
}

static void head_decode(const unsigned char in[RECORD_HEAD], record_head *h) {
  memcpy(&h->magic, in, 4);
  memcpy(&h->len, in + 4, 8);
  memcpy(&h->task_id, in + 12, 8);
  memcpy(&h->rank, in + 20, 4);
  memcpy(&h->crc, in + RECORD_CRC_AT, 4);
}

/* The CRC of a record: of the first RECORD_CRC_AT bytes of its head, then of its payload. */
static uint32_t record_crc(const unsigned char *head, const void *payload, size_t len) {
  return (uint32_t)crc32(crc32(0L, head, RECORD_CRC_AT), payload, (uInt)len);
}

/* The same for a record whose head is raw and whose payload is len bytes at offset, read in
 * chunks into buf (CHUNK bytes). */
static int payload_crc(int fd, const unsigned char *raw, uint64_t offset, uint64_t len,
                       unsigned char *buf, uint32_t *crc) {
  uLong c = crc32(0L, raw, RECORD_CRC_AT);
  for (uint64_t done = 0; done < len;) {
    size_t n = len - done < CHUNK ? (size_t)(len - done) : CHUNK;
    if (read_at(fd, buf, n, offset + done) != 0) return -1;
    c = crc32(c, buf, (uInt)n);
    done += n;
  }
  *crc = (uint32_t)c;
  return 0;
}

/* Is there a whole record at offset (the file has size bytes)? 1 yes (*h is its head), 0 no
 * (torn or corrupt), -1 on a read error. */
static int whole_record(const mfbo_journal *j, uint64_t offset, uint64_t size,
                        unsigned char *buf, record_head *h) {
  unsigned char raw[RECORD_HEAD];
  if (size - offset < RECORD_HEAD) return 0;
  if (read_at(j->fd, raw, RECORD_HEAD, offset) != 0) return -1;
  head_decode(raw, h);
  if (h->magic != RECORD_MAGIC || h->len > MAX_PAYLOAD || h->len > size - offset - RECORD_HEAD)
    return 0;
  uint32_t crc;
  if (payload_crc(j->fd, raw, offset + RECORD_HEAD, h->len, buf, &crc) != 0) return -1;
  return crc == h->crc;
}

/* The first whole record after offset from (the record at from is damaged): tried where its
 * head says the next one starts, else at every later occurrence of the record magic. 1 and
 * *next if found, 0 if none, -1 on a read error. A false match would need a CRC collision. */
static int next_whole(const mfbo_journal *j, uint64_t from, uint64_t size, unsigned char *buf,
                      unsigned char *window, uint64_t *next) {
  unsigned char raw[RECORD_HEAD];
  record_head h;
  if (size - from >= RECORD_HEAD && read_at(j->fd, raw, RECORD_HEAD, from) == 0) {
    head_decode(raw, &h); /* a damaged payload behind an intact head: skip just that record */
    if (h.magic == RECORD_MAGIC && h.len <= size - from - RECORD_HEAD) {
      uint64_t after = from + RECORD_HEAD + h.len;
      int whole = after < size ? whole_record(j, after, size, buf, &h) : 0;
      if (whole != 0) {
        *next = after;
        return whole;
      }
    }
  }
  const uint32_t magic = RECORD_MAGIC;
  for (uint64_t at = from + 1; at + RECORD_HEAD <= size;) {
    size_t n = size - at < CHUNK ? (size_t)(size - at) : CHUNK;
    if (read_at(j->fd, window, n, at) != 0) return -1;
    for (size_t i = 0; i + 4 <= n; i++) {
      if (memcmp(window + i, &magic, 4) != 0) continue;
      int whole = whole_record(j, at + i, size, buf, &h);
      if (whole != 0) {
        *next = at + i;
        return whole;
      }
    }
    at += n > 3 ? n - 3 : n; /* a magic across two windows is seen in the second */
  }
  return 0;
}

/* Indexes the whole records after the header and truncates the file after the last one.
 * A damaged record followed by whole ones (a byte changed in the middle of the file, not a
 * torn end) is skipped, and the records after it are kept; only a damaged end is cut. */
static int scan(mfbo_journal *j, uint64_t size, mfbo_error *err) {
  unsigned char *buf = malloc(CHUNK), *window = malloc(CHUNK);
  if (!buf || !window) {
    free(buf);
    free(window);
    return fail(err, "out of memory");
  }
  uint64_t at = j->end, next;
  record_head h;
  int whole = 0;
  while (at < size) {
    whole = whole_record(j, at, size, buf, &h);
    if (whole == 1) {
      if (index_record(j, at, &h) != 0) {
        free(buf);
        free(window);
        return fail(err, "out of memory");
      }
      at += RECORD_HEAD + h.len;
      continue;
    }
    if (whole == 0) whole = next_whole(j, at, size, buf, window, &next);
    if (whole != 1) break;
    if (!j->damaged) j->damaged_at = at;
    j->damaged += next - at;
    at = next;
  }
  free(buf);
  free(window);
  if (whole < 0) return fail(err, "cannot read %s: %s", j->path, strerror(errno));
  if (at < size && ftruncate(j->fd, (off_t)at) != 0)
    return fail(err, "cannot truncate %s after its last whole record: %s", j->path,
                strerror(errno));
  j->dropped = size - at;
  j->end = at;
  return 0;
}

static int sync_if_due(mfbo_journal *j, mfbo_error *err) {
  if (now_s() - j->synced_s < MFBO_JOURNAL_SYNC_S) return 0;
  return mfbo_journal_sync(j, err);
}

int mfbo_journal_sync(mfbo_journal *j, mfbo_error *err) {
  if (fdatasync(j->fd) != 0) return fail(err, "cannot sync %s: %s", j->path, strerror(errno));
  j->synced_s = now_s();
  return 0;
}

int mfbo_journal_append(mfbo_journal *j, uint64_t task_id, int32_t rank, const void *data,
                        size_t len, mfbo_error *err) {
  if (task_id != MFBO_JOURNAL_NOTE && task_id >= j->n_tasks)
    return fail(err, "task %" PRIu64 " is not a task of %s", task_id, j->path);
  if (mfbo_journal_has(j, task_id))
    return fail(err, "task %" PRIu64 " is already in %s", task_id, j->path);
  if ((uint64_t)len > MAX_PAYLOAD) return fail(err, "a record of %zu bytes is too large", len);
  unsigned char *rec = malloc(RECORD_HEAD + len);
  if (!rec || (task_id == MFBO_JOURNAL_NOTE && reserve_note(j) != 0)) {
    free(rec);
    return fail(err, "out of memory"); /* before writing: the index never misses a record */
  }
  record_head h = {.magic = RECORD_MAGIC, .len = len, .task_id = task_id, .rank = rank};
  head_encode(&h, rec);
  if (len) memcpy(rec + RECORD_HEAD, data, len);
  h.crc = record_crc(rec, rec + RECORD_HEAD, len);
  memcpy(rec + RECORD_CRC_AT, &h.crc, 4);
  int rc = write_at(j->fd, rec, RECORD_HEAD + len, j->end);
  free(rec);
  if (rc != 0) {
    int saved = errno;
    /* best effort: else the next record overwrites the torn one, or the next open drops it */
    int cut = ftruncate(j->fd, (off_t)j->end);
    (void)cut;
    return fail(err, "cannot write %s: %s", j->path, strerror(saved));
  }
  (void)index_record(j, j->end, &h); /* cannot fail: the room was reserved */
  j->end += RECORD_HEAD + len;
  return sync_if_due(j, err);
}

int mfbo_journal_has(const mfbo_journal *j, uint64_t task_id) {
  return task_id < j->n_tasks && j->tasks[task_id].offset != 0;
}

uint64_t mfbo_journal_n_tasks_done(const mfbo_journal *j) { return j->n_done; }
size_t mfbo_journal_n_notes(const mfbo_journal *j) { return j->n_notes; }
uint64_t mfbo_journal_dropped(const mfbo_journal *j) { return j->dropped; }
uint64_t mfbo_journal_damaged(const mfbo_journal *j, uint64_t *first) {
  if (first) *first = j->damaged_at;
  return j->damaged;
}

/* Reads the record at e, which must be of task_id, checking its head and CRC again. */
static int read_entry(const mfbo_journal *j, const entry *e, uint64_t task_id, char **data,
                      size_t *len, mfbo_error *err) {
  unsigned char raw[RECORD_HEAD];
  record_head h;
  char *buf = malloc(e->len ? e->len : 1);
  *data = NULL;
  if (!buf) return fail(err, "out of memory");
  int ok = read_at(j->fd, raw, RECORD_HEAD, e->offset) == 0;
  if (ok) head_decode(raw, &h);
  ok = ok && h.len == e->len && h.task_id == task_id &&
       read_at(j->fd, buf, e->len, e->offset + RECORD_HEAD) == 0;
  if (!ok || h.crc != record_crc(raw, buf, (size_t)e->len)) {
    free(buf);
    return fail(err, "the record at byte %" PRIu64 " of %s changed since it was written",
                e->offset, j->path);
  }
  *data = buf;
  *len = (size_t)e->len;
  return 0;
}

int mfbo_journal_read(const mfbo_journal *j, uint64_t task_id, char **data, size_t *len,
                      int32_t *rank, mfbo_error *err) {
  if (!mfbo_journal_has(j, task_id))
    return fail(err, "task %" PRIu64 " is not in %s", task_id, j->path);
  *rank = j->tasks[task_id].rank;
  return read_entry(j, &j->tasks[task_id], task_id, data, len, err);
}

int mfbo_journal_read_note(const mfbo_journal *j, size_t i, char **data, size_t *len,
                           mfbo_error *err) {
  if (i >= j->n_notes) return fail(err, "%s has no note %zu", j->path, i);
  return read_entry(j, &j->notes[i], MFBO_JOURNAL_NOTE, data, len, err);
}

/* ---------------------------------------------------------------- the header */

/* The header for job_text: its bytes (malloc'ed) and length. */
static unsigned char *header_make(const char *job_text, size_t *size) {
  uint32_t version = MFBO_JOURNAL_VERSION;
  uint64_t text_len = strlen(job_text);
  *size = HEADER_FIXED + text_len + 4;
  unsigned char *h = malloc(*size);
  if (!h) return NULL;
  memcpy(h, file_magic, FILE_MAGIC_LEN);
  memcpy(h + FILE_MAGIC_LEN, &version, 4);
  memcpy(h + FILE_MAGIC_LEN + 4, &text_len, 8);
  memcpy(h + HEADER_FIXED, job_text, text_len);
  uint32_t crc = (uint32_t)crc32(0L, h, (uInt)(HEADER_FIXED + text_len));
  memcpy(h + HEADER_FIXED + text_len, &crc, 4);
  return h;
}

/* The whole header whose fixed part is fixed (read from a file of size bytes), malloc'ed;
 * NULL if it is cut short or its CRC is wrong. */
static unsigned char *header_read(int fd, const unsigned char *fixed, uint64_t text_len,
                                  uint64_t size) {
  if (size < HEADER_FIXED + 4 || text_len > size - HEADER_FIXED - 4) return NULL;
  unsigned char *h = malloc(HEADER_FIXED + text_len + 4);
  uint32_t crc;
  if (!h) return NULL;
  memcpy(h, fixed, HEADER_FIXED);
  if (read_at(fd, h + HEADER_FIXED, text_len + 4, HEADER_FIXED) == 0) {
    memcpy(&crc, h + HEADER_FIXED + text_len, 4);
    if (crc == (uint32_t)crc32(0L, h, (uInt)(HEADER_FIXED + text_len)))
      return h;
  }
  free(h);
  return NULL;
}

/* Checks the header of an open journal of size bytes: ours, not newer, whole, of job_text.
 * Sets j->end to the first record. */
static int header_check(mfbo_journal *j, const char *job_text, uint64_t size, mfbo_error *err) {
  unsigned char fixed[HEADER_FIXED];
  uint32_t version;
  uint64_t text_len;
  if (size < HEADER_FIXED || read_at(j->fd, fixed, HEADER_FIXED, 0) != 0 ||
      memcmp(fixed, file_magic, FILE_MAGIC_LEN) != 0)
    return fail(err, "%s is not an mfbo-sweep journal", j->path);
  memcpy(&version, fixed + FILE_MAGIC_LEN, 4);
  memcpy(&text_len, fixed + FILE_MAGIC_LEN + 4, 8);
  if (version < 1) return fail(err, "%s is not an mfbo-sweep journal", j->path);
  if (version > MFBO_JOURNAL_VERSION) /* its header may not even be laid out like ours */
    return fail(err, "%s has journal format version %" PRIu32 ", newer than this program's "
                "(%d): use a newer mfbo-sweep", j->path, version, MFBO_JOURNAL_VERSION);
  unsigned char *h = header_read(j->fd, fixed, text_len, size);
  if (!h) return fail(err, "%s has a damaged header: use a new output file or --force", j->path);
  /* the same job: the same text, or the same canonical form (comments, white space and the
   * order of keys may change between sessions; mfbo_job_same) */
  char diff[800];
  int same = mfbo_job_same((const char *)h + HEADER_FIXED, (size_t)text_len, job_text,
                           "the journal", diff, sizeof diff);
  free(h);
  if (!same)
    return fail(err, "%s was made from a different job: %s; use a new output file, undo the "
                "change, or start again with --force", j->path, diff);
  j->end = HEADER_FIXED + text_len + 4;
  return 0;
}

/* ---------------------------------------------------------------- opening */

/* Writes the header to a new file at tmp, locked and synced, then gives it the name path
 * (link(2): fails if path exists). */
static int create_file(mfbo_journal *j, const char *tmp, const char *job_text,
                       mfbo_error *err) {
  size_t size;
  unsigned char *h = header_make(job_text, &size);
  if (!h) return fail(err, "out of memory");
  j->fd = open(tmp, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  int rc = j->fd < 0 ? fail(err, "cannot create %s: %s", tmp, strerror(errno))
                     : lock(j->fd, tmp, err);
  if (rc == 0 && (ftruncate(j->fd, 0) != 0 || write_at(j->fd, h, size, 0) != 0 ||
                  fdatasync(j->fd) != 0))
    rc = fail(err, "cannot write %s: %s", tmp, strerror(errno));
  free(h);
  if (rc != 0) return -1;
  j->end = size;
  if (link(tmp, j->path) == 0) {
    unlink(tmp);
    return 0;
  }
  int saved = errno;
  struct stat st;
  /* a file system without hard links: rename, which would replace, if path is still free */
  if (saved != EEXIST && stat(j->path, &st) != 0 && rename(tmp, j->path) == 0) return 0;
  unlink(tmp);
  return fail(err, "cannot create %s: %s", j->path, strerror(saved));
}

mfbo_journal *mfbo_journal_create(const char *path, const char *job_text, uint64_t n_tasks,
                                  mfbo_error *err) {
  mfbo_journal *j = journal_alloc(path, n_tasks, err);
  char *tmp = j ? mfbo_path_concat(path, ".new") : NULL;
  int rc = !j ? -1 : !tmp ? fail(err, "out of memory") : create_file(j, tmp, job_text, err);
  free(tmp);
  if (rc != 0) {
    mfbo_journal_close(j);
    return NULL;
  }
  j->synced_s = now_s();
  return j;
}

mfbo_journal *mfbo_journal_open(const char *path, const char *job_text, uint64_t n_tasks,
                                mfbo_error *err) {
  mfbo_journal *j = journal_alloc(path, n_tasks, err);
  if (!j) return NULL;
  struct stat st;
  j->fd = open(path, O_RDWR | O_CLOEXEC);
  int rc = j->fd < 0 ? fail(err, "cannot open %s: %s", path, strerror(errno))
                     : lock(j->fd, path, err);
  if (rc == 0 && fstat(j->fd, &st) != 0)
    rc = fail(err, "cannot open %s: %s", path, strerror(errno));
  if (rc == 0) rc = header_check(j, job_text, (uint64_t)st.st_size, err);
  if (rc == 0) rc = scan(j, (uint64_t)st.st_size, err);
  if (rc != 0) {
    mfbo_journal_close(j);
    return NULL;
  }
  j->synced_s = now_s();
  return j;
}

int mfbo_journal_remove(const char *path, mfbo_error *err) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return errno == ENOENT ? 0 : fail(err, "cannot open %s: %s", path, strerror(errno));
  int rc = lock(fd, path, err);
  if (rc == 0 && unlink(path) != 0 && errno != ENOENT)
    rc = fail(err, "cannot remove %s: %s", path, strerror(errno));
  close(fd);
  return rc;
}
