/* child.c: starting another program and owning its life (child.h): fork and exec in a
 * session of its own with a death signal, lines in and out with deadlines, its process
 * group killed, always reaped; and a function of this program run in such a forked child
 * under a deadline (mfbo_child_call). The only file that starts child processes. */
#define _GNU_SOURCE /* close_range, pipe2, waitid's WNOWAIT */
#include "core/child.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "core/clock.h"

extern char **environ;

#define TERM_GRACE_S 2.0 /* after SIGTERM, before SIGKILL */

struct mfbo_child {
  pid_t pid;       /* its process and process group; 0 once reaped */
  int status;      /* waitpid's, once reaped */
  int talk;
  int out;         /* its stdout (with talk: its stdin too), -1 when closed */
  int err;         /* its stderr (KEEP), -1 when closed or not kept */
  char *buf;       /* read from out and not yet handed out */
  size_t len, cap, used; /* used: bytes of the line handed out last (dropped next read) */
  size_t max_line;
  char tail[MFBO_CHILD_TAIL];
  size_t tail_len;
};

/* ---------------------------------------------------------------- starting */

/* child.h */
char *mfbo_child_find_program(const char *argv0, int *errnum) {
  if (strchr(argv0, '/')) return strdup(argv0);
  const char *path = getenv("PATH");
  if (!path || !*path) path = "/usr/local/bin:/usr/bin:/bin";
  for (const char *p = path;; p++) {
    const char *end = strchr(p, ':');
    size_t n = end ? (size_t)(end - p) : strlen(p);
    size_t size = n + strlen(argv0) + 2;
    char *file = malloc(size);
    if (!file) break;
    snprintf(file, size, "%.*s%s%s", (int)n, n ? p : ".", "/", argv0);
    struct stat sb;
    if (stat(file, &sb) == 0 && S_ISREG(sb.st_mode) && access(file, X_OK) == 0) return file;
    free(file);
    if (!end) break;
    p = end;
  }
  *errnum = ENOENT;
  return NULL;
}

/* In a child: no signal blocked, every signal's default action (a crash ends it). */
static void default_signals(void) {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  for (int s = 1; s < NSIG; s++)
    if (s != SIGKILL && s != SIGSTOP) sigaction(s, &dfl, NULL);
}

/* In the child, between fork and exec: async-signal-safe calls only. Reports a failure's
 * errno on report (close-on-exec: a successful exec closes it unwritten). */
static void become(const mfbo_child_spec *spec, const char *file, char *const *env,
                   pid_t parent, int in, int out, int err, int report) {
  int e;
  setsid(); /* its own session and process group: killed as one */
#ifdef __linux__
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(127); /* the parent died before the line above */
#else
  (void)parent;
#endif
  default_signals();
  /* the child's ends become 0, 1 and 2 (moved above 200 first, so that none is overwritten
   * before it is copied), the exec report 3; everything else (MPI's, HDF5's) is closed */
  int hi_in = fcntl(in, F_DUPFD, 200), hi_out = fcntl(out, F_DUPFD, 200);
  int hi_err = err >= 0 ? fcntl(err, F_DUPFD, 200) : err == -2 ? fcntl(2, F_DUPFD, 200) : -1;
  int hi_report = fcntl(report, F_DUPFD, 200);
  if (hi_in < 0 || hi_out < 0 || hi_report < 0 || (err != -1 && hi_err < 0)) goto fail_early;
  if (dup2(hi_in, 0) < 0 || dup2(hi_out, 1) < 0 || dup2(err == -1 ? hi_out : hi_err, 2) < 0 ||
      dup2(hi_report, 3) < 0 || fcntl(3, F_SETFD, FD_CLOEXEC) < 0)
    goto fail;
  close_range(4, ~0U, 0);
  if (spec->dir && chdir(spec->dir) != 0) goto fail;
  execve(file, spec->argv, env);
fail_early:
  e = errno;
  if (write(report, &e, sizeof e) < 0) {
    /* nothing more to say */
  }
  _exit(127);
fail:
  e = errno;
  if (write(3, &e, sizeof e) < 0) {
    /* nothing more to say */
  }
  _exit(127);
}

static int set_nonblock(int fd) {
  int fl = fcntl(fd, F_GETFL);
  return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* The descriptors of the child's ends: in (its stdin), out (stdout), err (stderr: -1 for
 * "as stdout", -2 for "inherited" after the dup of out) and ours. */
typedef struct {
  int in, out, err; /* the child's */
  int our_out, our_err;
} ends;

static void close_ends(ends *e) {
  int *fds[] = {&e->in, &e->out, &e->err, &e->our_out, &e->our_err};
  for (int i = 0; i < 5; i++)
    if (*fds[i] >= 0) close(*fds[i]), *fds[i] = -1;
}

static int make_ends(const mfbo_child_spec *spec, ends *e) {
  *e = (ends){-1, -1, -1, -1, -1};
  int p[2];
  if (spec->talk) {
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p) != 0) return -1;
    e->our_out = p[0];
    e->in = p[1];
    if ((e->out = fcntl(p[1], F_DUPFD_CLOEXEC, 0)) < 0) return -1;
  } else {
    if ((e->in = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) return -1;
    if (pipe2(p, O_CLOEXEC) != 0) return -1;
    e->our_out = p[0];
    e->out = p[1];
  }
  if (spec->stderr_mode == MFBO_CHILD_STDERR_KEEP) {
    if (pipe2(p, O_CLOEXEC) != 0) return -1;
    e->our_err = p[0];
    e->err = p[1];
  }
  return 0;
}

/* Waits for the exec report: 0 when the program runs, else its errno. */
static int exec_result(int fd) {
  int e = 0;
  ssize_t n;
  while ((n = read(fd, &e, sizeof e)) < 0 && errno == EINTR) {
  }
  return n == (ssize_t)sizeof e ? e : 0;
}

mfbo_child *mfbo_child_start(const mfbo_child_spec *spec, int *errnum) {
  int dummy;
  if (!errnum) errnum = &dummy;
  *errnum = 0;
  mfbo_child *c = calloc(1, sizeof *c);
  char *file = mfbo_child_find_program(spec->argv[0], errnum);
  ends e;
  int report[2] = {-1, -1};
  if (!c || !file || make_ends(spec, &e) != 0 || pipe2(report, O_CLOEXEC) != 0) {
    if (!*errnum) *errnum = errno ? errno : ENOMEM;
    if (file && c) close_ends(&e);
    goto fail;
  }
  char *const *env = spec->env ? spec->env : environ;
  int child_err = spec->stderr_mode == MFBO_CHILD_STDERR_KEEP     ? e.err
                  : spec->stderr_mode == MFBO_CHILD_STDERR_INHERIT ? -2
                                                                   : -1;
  if (child_err == -2) e.err = -1;
  pid_t parent = getpid();
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    close(report[0]);
    become(spec, file, env, parent, e.in, e.out, child_err, report[1]);
  }
  close(report[1]);
  int our_out = e.our_out, our_err = e.our_err;
  e.our_out = e.our_err = -1;
  close_ends(&e);
  if (pid < 0) {
    *errnum = errno;
    close(report[0]);
    if (our_out >= 0) close(our_out);
    if (our_err >= 0) close(our_err);
    goto fail;
  }
  c->pid = pid;
  c->talk = spec->talk;
  c->out = our_out;
  c->err = our_err;
  c->max_line = spec->max_line ? spec->max_line : (size_t)1 << 20;
  set_nonblock(c->out);
  if (c->err >= 0) set_nonblock(c->err);
  int failed = exec_result(report[0]);
  close(report[0]);
  free(file);
  if (failed) {
    mfbo_child_free(c);
    *errnum = failed;
    return NULL;
  }
  return c;
fail:
  free(file);
  free(c);
  return NULL;
}

/* ---------------------------------------------------------------- its stderr */

static void keep_tail(mfbo_child *c, const char *buf, size_t k) {
  if (k >= MFBO_CHILD_TAIL) {
    memcpy(c->tail, buf + k - MFBO_CHILD_TAIL, MFBO_CHILD_TAIL);
    c->tail_len = MFBO_CHILD_TAIL;
    return;
  }
  if (c->tail_len + k > MFBO_CHILD_TAIL) {
    size_t drop = c->tail_len + k - MFBO_CHILD_TAIL;
    memmove(c->tail, c->tail + drop, c->tail_len - drop);
    c->tail_len -= drop;
  }
  memcpy(c->tail + c->tail_len, buf, k);
  c->tail_len += k;
}

/* Reads what its stderr has now; closes it at its end. */
static void drain_stderr(mfbo_child *c) {
  char buf[4096];
  while (c->err >= 0) {
    ssize_t n = read(c->err, buf, sizeof buf);
    if (n > 0) {
      keep_tail(c, buf, (size_t)n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) close(c->err), c->err = -1;
    return;
  }
}

/* Polls fd for events (and its stderr) until the deadline, at most 100 ms at a time;
 * 1 when fd is ready, 0 when it is not yet (check the deadline again). */
static int wait_fd(mfbo_child *c, int fd, short events, double deadline_s) {
  double left = deadline_s - mfbo_now_s();
  if (left <= 0) return 0;
  struct pollfd p[2] = {{.fd = fd, .events = events}, {.fd = c->err, .events = POLLIN}};
  nfds_t n = fd >= 0 ? 1 : 0;
  if (c->err >= 0) p[n++] = (struct pollfd){.fd = c->err, .events = POLLIN};
  if (n == 0) {
    nanosleep(&(struct timespec){.tv_nsec = (long)(fmin(left, 0.002) * 1e9)}, NULL);
    return 0;
  }
  int r = poll(fd >= 0 ? p : p + 1, n, (int)ceil(fmin(left, 0.1) * 1000));
  if (r <= 0) return 0;
  if (c->err >= 0) drain_stderr(c);
  return fd >= 0 && p[0].revents != 0;
}

/* ---------------------------------------------------------------- exit */

/* Has the program exited (a zombie, not reaped yet)? */
static int has_exited(mfbo_child *c) {
  if (c->pid <= 0) return 1;
  siginfo_t info;
  memset(&info, 0, sizeof info);
  int r = waitid(P_PID, (id_t)c->pid, &info, WEXITED | WNOHANG | WNOWAIT);
  return r < 0 || info.si_pid == c->pid;
}

/* Kills its group (while the exited leader still holds the group's id) and reaps it. */
static void reap(mfbo_child *c) {
  if (c->pid <= 0) return;
  kill(-c->pid, SIGKILL);
  while (waitpid(c->pid, &c->status, 0) < 0 && errno == EINTR) {
  }
  c->pid = 0;
}

int mfbo_child_wait(mfbo_child *c, double deadline_s) {
  while (!has_exited(c)) {
    if (mfbo_now_s() >= deadline_s) return -1;
    wait_fd(c, -1, 0, fmin(deadline_s, mfbo_now_s() + 0.005));
  }
  drain_stderr(c);
  reap(c);
  return 0;
}

void mfbo_child_kill(mfbo_child *c) {
  if (!c || c->pid <= 0) return;
  kill(-c->pid, SIGKILL);
  kill(c->pid, SIGKILL); /* in case it left its group */
  reap(c);
}

void mfbo_child_stop(mfbo_child *c, double grace_s) {
  if (!c) return;
  if (c->talk && c->out >= 0) shutdown(c->out, SHUT_WR); /* end of its input */
  if (c->pid > 0 && mfbo_child_wait(c, mfbo_now_s() + grace_s) != 0) {
    kill(-c->pid, SIGTERM);
    if (mfbo_child_wait(c, mfbo_now_s() + TERM_GRACE_S) != 0) mfbo_child_kill(c);
  }
  /* what it wrote last to stderr; a descendant holding the pipe open is not waited for */
  double end = mfbo_now_s() + 0.1;
  while (c->err >= 0 && mfbo_now_s() < end) wait_fd(c, -1, 0, end);
}

void mfbo_child_free(mfbo_child *c) {
  if (!c) return;
  mfbo_child_kill(c);
  if (c->out >= 0) close(c->out);
  if (c->err >= 0) close(c->err);
  free(c->buf);
  free(c);
}

/* ---------------------------------------------------------------- a function in a child */

/* In the forked child of mfbo_child_call: its own group, the death signal, default signal
 * actions, stdin /dev/null, stdout and stderr into the pipe out, every other descriptor
 * closed; then fn, then _exit. */
static _Noreturn void run_in_child(int (*fn)(void *), void *arg, pid_t parent, int out) {
  setsid();
#ifdef __linux__
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(127);
#else
  (void)parent;
#endif
  default_signals();
  int null = open("/dev/null", O_RDONLY);
  if (null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0) _exit(127);
  close_range(3, ~0U, 0); /* MPI's, a file this process has open: not the child's business */
  int rc = fn(arg);
  fflush(NULL);
  _exit(rc == 0 ? 0 : 1);
}

/* How the reaped child c ended, in why (see mfbo_child_call). */
static mfbo_child_end how_it_ended(const mfbo_child *c, int overran, double timeout_s,
                                   char *why, size_t size) {
  char tail[512];
  mfbo_child_stderr_tail(c, tail, sizeof tail);
  const char *sep = tail[0] ? ": " : "";
  if (overran) {
    snprintf(why, size, "it did not end within %.0f s%s%s", timeout_s, sep, tail);
    return MFBO_CHILD_OVERRAN;
  }
  if (WIFSIGNALED(c->status)) {
    snprintf(why, size, "it was killed by signal %d, %s%s%s", WTERMSIG(c->status),
             strsignal(WTERMSIG(c->status)), sep, tail);
    return MFBO_CHILD_SIGNALLED;
  }
  if (WIFEXITED(c->status) && WEXITSTATUS(c->status) == 0) {
    why[0] = '\0';
    return MFBO_CHILD_RETURNED;
  }
  snprintf(why, size, "it exited with status %d%s%s",
           WIFEXITED(c->status) ? WEXITSTATUS(c->status) : -1, sep, tail);
  return MFBO_CHILD_FAILED;
}

mfbo_child_end mfbo_child_call(int (*fn)(void *arg), void *arg, double timeout_s, char *why,
                               size_t size) {
  int p[2] = {-1, -1};
  mfbo_child *c = calloc(1, sizeof *c);
  if (!c || pipe2(p, O_CLOEXEC) != 0) {
    snprintf(why, size, "cannot start a child process: %s", strerror(errno));
    free(c);
    return MFBO_CHILD_NOT_STARTED;
  }
  pid_t parent = getpid();
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    close(p[0]);
    run_in_child(fn, arg, parent, p[1]);
  }
  int fork_errno = errno;
  close(p[1]);
  if (pid < 0) {
    close(p[0]);
    free(c);
    snprintf(why, size, "cannot start a child process: %s", strerror(fork_errno));
    return MFBO_CHILD_NOT_STARTED;
  }
  c->pid = pid;
  c->out = -1;
  c->err = p[0];
  set_nonblock(c->err);
  int overran = mfbo_child_wait(c, mfbo_now_s() + timeout_s) != 0;
  if (overran) mfbo_child_kill(c);
  mfbo_child_end end = how_it_ended(c, overran, timeout_s, why, size);
  mfbo_child_free(c);
  return end;
}

/* ---------------------------------------------------------------- lines */

mfbo_child_io mfbo_child_write_line(mfbo_child *c, const char *text, double deadline_s) {
  size_t n = strlen(text), off = 0;
  char *line = malloc(n + 1);
  if (!line || c->out < 0) {
    free(line);
    return MFBO_CHILD_BROKEN;
  }
  memcpy(line, text, n);
  line[n++] = '\n';
  mfbo_child_io rc = MFBO_CHILD_OK;
  while (off < n) {
    ssize_t k = send(c->out, line + off, n - off, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (k > 0) {
      off += (size_t)k;
      continue;
    }
    if (k < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      rc = MFBO_CHILD_BROKEN;
      break;
    }
    if (mfbo_now_s() >= deadline_s) {
      rc = MFBO_CHILD_TIMEOUT;
      break;
    }
    wait_fd(c, c->out, POLLOUT, deadline_s);
  }
  free(line);
  return rc;
}

/* Reads what out has now into buf; 1 at its end, -1 on an error, 0 otherwise. */
static int fill(mfbo_child *c) {
  for (;;) {
    if (c->cap - c->len < 65536) {
      size_t cap = c->cap ? 2 * c->cap : 131072;
      char *b = realloc(c->buf, cap);
      if (!b) return -1;
      c->buf = b;
      c->cap = cap;
    }
    ssize_t n = read(c->out, c->buf + c->len, c->cap - c->len - 1);
    if (n > 0) {
      c->len += (size_t)n;
      c->buf[c->len] = '\0';
      if (c->len > c->max_line + 1) return 0; /* enough to tell a line is too long */
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
    return n == 0 ? 1 : -1;
  }
}

size_t mfbo_child_pending(const mfbo_child *c) { return c->len - c->used; }

mfbo_child_io mfbo_child_read_line(mfbo_child *c, double deadline_s, char **line) {
  if (c->used) {
    memmove(c->buf, c->buf + c->used, c->len - c->used);
    c->len -= c->used;
    c->used = 0;
  }
  for (int at_end = 0;;) {
    char *nl = c->len ? memchr(c->buf, '\n', c->len) : NULL;
    if (nl) {
      *nl = '\0';
      if (nl > c->buf && nl[-1] == '\r') nl[-1] = '\0';
      *line = c->buf;
      c->used = (size_t)(nl - c->buf) + 1;
      return (size_t)(nl - c->buf) > c->max_line ? MFBO_CHILD_TOO_LONG : MFBO_CHILD_OK;
    }
    if (c->len > c->max_line) return MFBO_CHILD_TOO_LONG;
    if (at_end || c->out < 0) return MFBO_CHILD_EOF;
    int r = fill(c);
    if (r < 0) return MFBO_CHILD_BROKEN;
    if (r > 0) {
      at_end = 1;
      continue;
    }
    if (memchr(c->buf, '\n', c->len) || c->len > c->max_line) continue;
    if (mfbo_now_s() >= deadline_s) return MFBO_CHILD_TIMEOUT;
    /* a program that has exited says no more, even if a descendant holds its output */
    if (has_exited(c) && fill(c) == 0) at_end = 1;
    else wait_fd(c, c->out, POLLIN, deadline_s);
  }
}

mfbo_child_io mfbo_child_read_all(mfbo_child *c, double deadline_s, size_t max, char **out,
                                  size_t *len, int *full) {
  char chunk[8192];
  *full = 0;
  if (c->cap < max + 1) {
    char *b = realloc(c->buf, max + 1);
    if (!b) return MFBO_CHILD_BROKEN;
    c->buf = b;
    c->cap = max + 1;
  }
  c->len = c->used = 0;
  c->buf[0] = '\0';
  *out = c->buf;
  *len = 0;
  for (int exited = 0;;) {
    ssize_t n = c->out >= 0 ? read(c->out, chunk, sizeof chunk) : 0;
    if (n > 0) {
      size_t k = (size_t)n;
      *full |= c->len + k > max; /* whole reads only: no line spliced from two */
      if (!*full) memcpy(c->buf + c->len, chunk, k), c->len += k, c->buf[c->len] = '\0';
      *len = c->len;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    int again = n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
    if (!again) return n == 0 ? MFBO_CHILD_OK : MFBO_CHILD_BROKEN;
    if (exited) return MFBO_CHILD_OK; /* it has exited and its output is read */
    if (mfbo_now_s() >= deadline_s) return MFBO_CHILD_TIMEOUT;
    exited = has_exited(c);
    if (!exited) wait_fd(c, c->out, POLLIN, deadline_s);
  }
}

/* ---------------------------------------------------------------- telling */

pid_t mfbo_child_pid(const mfbo_child *c) { return c->pid; }

int mfbo_child_reaped(const mfbo_child *c, int *status) {
  if (c->pid > 0) return 0;
  if (status) *status = c->status;
  return 1;
}

void mfbo_child_exit_text(const mfbo_child *c, char *out, size_t size) {
  out[0] = '\0';
  if (c->pid > 0) return;
  if (WIFEXITED(c->status))
    snprintf(out, size, " (it exited with status %d)", WEXITSTATUS(c->status));
  else if (WIFSIGNALED(c->status))
    snprintf(out, size, " (it was killed by signal %d, %s)", WTERMSIG(c->status),
             strsignal(WTERMSIG(c->status)));
}

void mfbo_child_stderr_tail(const mfbo_child *c, char *out, size_t size) {
  size_t end = c->tail_len;
  while (end > 0 && strchr("\n\r ", c->tail[end - 1])) end--;
  size_t start = end;
  for (int lines = 0; start > 0; start--)
    if (c->tail[start - 1] == '\n' && ++lines == 2) break;
  size_t n = end - start, k = 0;
  if (n + 1 > size) start += n + 1 - size;
  for (size_t i = start; i < end && k + 1 < size; i++) {
    char ch = c->tail[i];
    out[k++] = ch == '\n' ? '|' : ((unsigned char)ch < ' ' ? ' ' : ch);
  }
  out[k] = '\0';
}
