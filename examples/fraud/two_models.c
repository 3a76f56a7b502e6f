/* two_models.c — two different compiled models linked into one program.
 *
 * fraud.o      from fraud.onnx       (30 -> 64 -> 32 -> 2), --name fraud
 * fraud_small.o from fraud_small.onnx (30 -> 16 -> 2),       --name fraud_small
 *
 * Each object exports only <name>_run, so both link side by side. Each model
 * gets its own workspace; every score is checked against that model's own
 * numpy expectation from samples.h. Exits non-zero on a mismatch.
 */
#include <math.h>
#include <stdio.h>

#include "fraud.h"
#include "fraud_small.h"
#include "samples.h"

#if FRAUD_FEATURES_ELEMENTS != SAMPLE_FEATURES ||                              \
    FRAUD_SCORES_ELEMENTS != SAMPLE_CLASSES ||                                 \
    FRAUD_SMALL_FEATURES_ELEMENTS != SAMPLE_FEATURES ||                        \
    FRAUD_SMALL_SCORES_ELEMENTS != SAMPLE_CLASSES
#error                                                                         \
    "the headers do not match samples.h: rerun make_model.py and muonc together"
#endif

#define TOLERANCE 1e-5

static _Alignas(FRAUD_WORKSPACE_ALIGN) unsigned char fraud_workspace
    [FRAUD_WORKSPACE_SIZE > 0 ? FRAUD_WORKSPACE_SIZE : 1];
static _Alignas(FRAUD_SMALL_WORKSPACE_ALIGN) unsigned char fraud_small_workspace
    [FRAUD_SMALL_WORKSPACE_SIZE > 0 ? FRAUD_SMALL_WORKSPACE_SIZE : 1];

/* Largest |a - b| over n scores, folded into max; NaN counts as infinitely far.
 */
static double max_abs_diff(const float *a, const float *b, int n, double max) {
  for (int c = 0; c < n; ++c) {
    double diff = fabs((double)a[c] - (double)b[c]);
    if (!(diff <= max))
      max = diff != diff ? INFINITY : diff;
  }
  return max;
}

int main(void) {
  double max_big = 0.0, max_small = 0.0;
  printf("txn  label   fraud p (fraud)  fraud p (fraud_small)\n");
  for (int i = 0; i < SAMPLE_COUNT; ++i) {
    float big[FRAUD_SCORES_ELEMENTS], small[FRAUD_SMALL_SCORES_ELEMENTS];
    if (fraud_run(sample_features[i], big, fraud_workspace) != 0 ||
        fraud_small_run(sample_features[i], small, fraud_small_workspace) !=
            0) {
      fprintf(stderr, "error: a model failed on transaction %d\n", i);
      return 1;
    }
    max_big =
        max_abs_diff(big, sample_fraud_scores[i], SAMPLE_CLASSES, max_big);
    max_small = max_abs_diff(small, sample_fraud_small_scores[i],
                             SAMPLE_CLASSES, max_small);
    printf("%3d  %-6s  %15.6f  %21.6f\n", i,
           sample_labels[i] ? "fraud" : "legit", big[SAMPLE_FRAUD_CLASS],
           small[SAMPLE_FRAUD_CLASS]);
  }
  printf(
      "%d transactions scored by 2 models, max |muon - numpy| = %.1e (fraud), "
      "%.1e (fraud_small)\n",
      SAMPLE_COUNT, max_big, max_small);
  if (!(max_big <= TOLERANCE && max_small <= TOLERANCE)) {
    fprintf(stderr, "error: Muon and numpy differ by more than %.0e\n",
            TOLERANCE);
    return 1;
  }
  return 0;
}
