/* summary.h: the summary of an analysis as text (stdout and DIR/summary.txt) and as CSV
 * (DIR/summary.csv, one row per algorithm, machine-readable). Only formats: every number
 * comes from analysis.h. */
#ifndef MFBO_ANALYSIS_SUMMARY_H
#define MFBO_ANALYSIS_SUMMARY_H

#include <stdio.h>

#include "analysis.h"

/* The human-readable summary: the seed's own table first, then cost, targets (success,
 * ERT, speedup in cost), the configuration returned most often, the pairwise tests and the
 * failed runs. */
void mfbo_summary_text(const mfbo_analysis *a, FILE *out);

/* The CSV: a header line, then one row per algorithm (inf, nan as such). */
void mfbo_summary_csv(const mfbo_analysis *a, FILE *out);

#endif
