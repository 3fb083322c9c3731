/* child.h: the one place that starts child processes: another program, whose life it owns
 * (the command and worker benchmarks, the external searcher and the plot step all start
 * their programs here), or a function of this program (mfbo_child_call, below).
 * A child runs in its own session and process group, with every other descriptor closed and
 * (on Linux) PR_SET_PDEATHSIG = SIGKILL, so that it cannot outlive this process even when
 * this process is killed with SIGKILL. It is talked to in lines, each read and write with a
 * deadline on mfbo_now_s()'s clock that nothing the child (or a descendant holding its
 * output open) does can stretch; it is ended by SIGKILL to its whole process group, and
 * always reaped. mfbo_child_call runs a function of this program, not another program, in
 * such a child (forked, no exec), so that a library that crashes or loops on bad input
 * (HDF5 on a damaged file) takes only the child down. Not part of the installed API. */
#ifndef MFBO_CHILD_H
#define MFBO_CHILD_H

#include <stddef.h>
#include <sys/types.h>

typedef enum {
  MFBO_CHILD_STDERR_INHERIT, /* the child writes to this process's stderr */
  MFBO_CHILD_STDERR_KEEP,    /* read here; its last MFBO_CHILD_TAIL bytes are kept */
  MFBO_CHILD_STDERR_MERGE    /* into its stdout */
} mfbo_child_stderr;

#define MFBO_CHILD_TAIL 4096

typedef struct {
  char *const *argv;        /* argv[0]: a path, or a name looked up on PATH */
  char *const *env;         /* NULL: this process's environment */
  const char *dir;          /* where it runs; NULL: here */
  int talk;                 /* 1: stdin and stdout are one channel (lines both ways);
                               0: stdin is /dev/null, stdout is read here */
  mfbo_child_stderr stderr_mode;
  size_t max_line;          /* longest line read_line accepts; 0: 1 MiB */
} mfbo_child_spec;

/* The program's path: argv0 itself when it holds a '/', else the first executable file of
 * that name on PATH (malloc'ed); NULL with *errnum set. */
char *mfbo_child_find_program(const char *argv0, int *errnum);

/* What a read or a write gave. */
typedef enum {
  MFBO_CHILD_OK = 0,
  MFBO_CHILD_EOF,      /* its output ended (it exited, or closed it) */
  MFBO_CHILD_TIMEOUT,  /* the deadline came first */
  MFBO_CHILD_TOO_LONG, /* a line longer than max_line */
  MFBO_CHILD_BROKEN    /* it stopped reading its input, or an I/O error */
} mfbo_child_io;

typedef struct mfbo_child mfbo_child;

/* Starts the program; NULL with *errnum set (ENOENT: no such program, ...) if it cannot be
 * started (an exec failure is reported here, not as an exit status). */
mfbo_child *mfbo_child_start(const mfbo_child_spec *spec, int *errnum);

/* talk: writes text and a newline. */
mfbo_child_io mfbo_child_write_line(mfbo_child *c, const char *text, double deadline_s);
/* Reads the next line (without its newline) into *line, valid until the next read; a line
 * cut short by the end of the output is not a line (EOF; mfbo_child_pending tells). */
mfbo_child_io mfbo_child_read_line(mfbo_child *c, double deadline_s, char **line);
/* Bytes read after the last whole line (a half line at the end of its output). */
size_t mfbo_child_pending(const mfbo_child *c);
/* Reads its whole output: until end of file, or until the program itself has exited and
 * what it wrote is read (a descendant that keeps the output open is not waited for), or
 * the deadline. *out (NUL-terminated, owned by the child) keeps the first max bytes; more
 * is read and dropped, and *full says so. */
mfbo_child_io mfbo_child_read_all(mfbo_child *c, double deadline_s, size_t max, char **out,
                                  size_t *len, int *full);
/* Waits until the program exits (reaped), reading its stderr meanwhile; 0 when it has, -1
 * at the deadline. Its process group is killed (SIGKILL) before it is reaped, so that what
 * it left running in its group ends with it. */
int mfbo_child_wait(mfbo_child *c, double deadline_s);
/* SIGKILL to its whole process group, then reaps it. */
void mfbo_child_kill(mfbo_child *c);
/* Ends it gently: closes its input, waits grace_s for it to exit, then SIGTERM to its group
 * and 2 s more, then SIGKILL. */
void mfbo_child_stop(mfbo_child *c, double grace_s);
/* Kills (if it runs), reaps, closes everything, frees. NULL is fine. */
void mfbo_child_free(mfbo_child *c);

pid_t mfbo_child_pid(const mfbo_child *c);
/* 1 once it is reaped; *status is waitpid's then. */
int mfbo_child_reaped(const mfbo_child *c, int *status);
/* " (it exited with status N)", " (it was killed by signal N, Name)", or "" while it runs. */
void mfbo_child_exit_text(const mfbo_child *c, char *out, size_t size);
/* The last line or two of its stderr (KEEP), newlines as '|', "" if none. */
void mfbo_child_stderr_tail(const mfbo_child *c, char *out, size_t size);

/* ---------------------------------------------------------------- a function in a child */

/* How mfbo_child_call's function ended. */
typedef enum {
  MFBO_CHILD_RETURNED = 0, /* it returned 0 */
  MFBO_CHILD_FAILED,       /* it returned non-zero (or the child exited so) */
  MFBO_CHILD_SIGNALLED,    /* the child was killed by a signal (a crash) */
  MFBO_CHILD_OVERRAN,      /* the deadline came first: the child was killed */
  MFBO_CHILD_NOT_STARTED   /* fork failed (errno in the text) */
} mfbo_child_end;

/* Runs fn(arg) in a forked copy of this process, in its own process group with the death
 * signal, stdin /dev/null, stdout and stderr into a pipe read here, every other descriptor
 * closed; the child exits with
 * fn's return value (_exit: no exit handlers, no buffers of this process flushed twice).
 * Waits until it ends or timeout_s seconds have passed (then SIGKILL to its group); always
 * reaps it. why (size bytes) tells how it ended when it did not return 0, e.g. "it was
 * killed by signal 11, Segmentation fault", "it did not end within 10 s", followed by the
 * last line or two it wrote ("" when it returned 0). fn may call anything: the child is a
 * copy, but only this thread runs in it. */
mfbo_child_end mfbo_child_call(int (*fn)(void *arg), void *arg, double timeout_s, char *why,
                               size_t size);

#endif
