/* acquisition.c: EI, PI, LCB and cost-aware EI (acquisition.h), closed forms with GSL's
 * normal distribution functions. Pure functions: no state, no randomness. */
#include "acquisition.h"

#include <math.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

double mfbo_acq_ei(double mean, double sd, double best, double xi) {
  double gain = best - xi - mean;
  if (!(sd > 0)) return gain > 0 ? gain : 0.0;
  double z = gain / sd;
  double ei = gain * gsl_cdf_ugaussian_P(z) + sd * gsl_ran_ugaussian_pdf(z);
  return ei > 0 ? ei : 0.0;
}

double mfbo_acq_pi(double mean, double sd, double best, double xi) {
  double gain = best - xi - mean;
  if (!(sd > 0)) return gain > 0 ? 1.0 : 0.0;
  return gsl_cdf_ugaussian_P(gain / sd);
}

double mfbo_acq_lcb(double mean, double sd, double beta) { return -(mean - beta * sd); }

double mfbo_acq_cost_ei(double mean, double sd, double best, double xi, double cost_s) {
  return mfbo_acq_ei(mean, sd, best, xi) / (cost_s > 1e-9 ? cost_s : 1e-9);
}
