/* acquisition.h: acquisition functions for minimisation with a Gaussian posterior
 * N(mean, sd^2) at a candidate: larger is better for every function here, so a searcher
 * takes the argmax whatever the choice. `best` is the incumbent's value on the same scale
 * as mean (mfbo.c: log ms); xi >= 0 asks for an improvement of at least xi. */
#ifndef MFBO_MODEL_ACQUISITION_H
#define MFBO_MODEL_ACQUISITION_H

typedef enum { MFBO_ACQ_EI, MFBO_ACQ_LCB, MFBO_ACQ_PI, MFBO_ACQ_COST_EI } mfbo_acq_kind;

/* Expected improvement E[max(best - xi - f, 0)]. */
double mfbo_acq_ei(double mean, double sd, double best, double xi);
/* Probability of improvement P(f < best - xi). */
double mfbo_acq_pi(double mean, double sd, double best, double xi);
/* Lower confidence bound mean - beta sd, returned negated (larger is better). */
double mfbo_acq_lcb(double mean, double sd, double beta);
/* Cost-aware EI: expected improvement per second of predicted evaluation cost. */
double mfbo_acq_cost_ei(double mean, double sd, double best, double xi, double cost_s);

#endif
