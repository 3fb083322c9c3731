/* progress.c: progress reporting for long sweeps, throttled to about once a second. */
#include "progress.h"

static void format_duration(double s, char *buf, size_t len) {
  long t = (long)(s + 0.5);
  if (t >= 3600)
    snprintf(buf, len, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
  else
    snprintf(buf, len, "%ld:%02ld", t / 60, t % 60);
}

void mfbo_progress_start(mfbo_progress *p, FILE *out, uint64_t total, uint64_t skipped) {
  *p = (mfbo_progress){.out = out, .total = total, .skipped = skipped,
                       .start_s = mfbo_now_s()};
  p->last_print_s = p->start_s;
  if (out && skipped)
    fprintf(out, "mfbo-sweep: resuming: %llu of %llu tasks already done\n",
            (unsigned long long)skipped, (unsigned long long)total);
}

static void print_line(const mfbo_progress *p, double now) {
  double elapsed = now - p->start_s;
  double rate = elapsed > 0 ? (double)p->done / elapsed : 0;
  uint64_t finished = p->skipped + p->done;
  char el[32], eta[32] = "?";
  format_duration(elapsed, el, sizeof el);
  if (rate > 0) format_duration((double)(p->total - finished) / rate, eta, sizeof eta);
  fprintf(p->out, "mfbo-sweep: %llu/%llu tasks (%.1f%%), %.3g tasks/s, elapsed %s, ETA %s%s\n",
          (unsigned long long)finished, (unsigned long long)p->total,
          p->total ? 100.0 * (double)finished / (double)p->total : 100.0, rate, el, eta,
          p->failed ? ", some failed" : "");
  fflush(p->out);
}

void mfbo_progress_task_done(mfbo_progress *p, int failed) {
  p->done++;
  p->failed += failed != 0;
  double now = mfbo_now_s();
  if (!p->out || now - p->last_print_s < 1.0) return;
  p->last_print_s = now;
  print_line(p, now);
}

void mfbo_progress_finish(mfbo_progress *p, const char *how, const char *path) {
  if (!p->out) return;
  char el[32];
  format_duration(mfbo_now_s() - p->start_s, el, sizeof el);
  fprintf(p->out, "mfbo-sweep: %s: %llu/%llu tasks done (%llu failed) in %s; results: %s\n",
          how, (unsigned long long)(p->skipped + p->done), (unsigned long long)p->total,
          (unsigned long long)p->failed, el, path);
  fflush(p->out);
}
