/* main.c — a compiled ONNX model inside a plain C program.
 *
 * fraud.o and fraud.h come from `muonc fraud.onnx -o fraud.o --name fraud`;
 * samples.h from make_model.py. The program scores each sample "transaction",
 * prints the fraud probability Muon computed next to the one numpy computed,
 * and exits non-zero when they differ by more than 1e-5, so it doubles as a
 * smoke test. No malloc: the model's scratch memory is the static buffer below.
 *
 * The model's output "scores" is a softmax over two classes; make_model.py
 * labels the bad class (malignant, standing in for fraud) 1, so the fraud
 * probability is scores[SAMPLE_FRAUD_CLASS] = scores[1].
 * Needs C11 for _Alignas; everything else is C99.
 */
#include <math.h>
#include <stdio.h>

#include "fraud.h"
#include "samples.h"

#if FRAUD_FEATURES_ELEMENTS != SAMPLE_FEATURES ||                              \
    FRAUD_SCORES_ELEMENTS != SAMPLE_CLASSES
#error                                                                         \
    "fraud.h does not match samples.h: rerun make_model.py and muonc together"
#endif

#define TOLERANCE 1e-5

/* Intermediates of one fraud_run call. Size and alignment come from the header.
 */
static _Alignas(FRAUD_WORKSPACE_ALIGN) unsigned char workspace
    [FRAUD_WORKSPACE_SIZE > 0 ? FRAUD_WORKSPACE_SIZE : 1];

int main(void) {
  double max_diff = 0.0;
  printf("txn  label   fraud p (muon)  fraud p (numpy)\n");
  for (int i = 0; i < SAMPLE_COUNT; ++i) {
    float scores[FRAUD_SCORES_ELEMENTS];
    int status = fraud_run(sample_features[i], scores, workspace);
    if (status != 0) {
      fprintf(stderr, "error: fraud_run returned %d on transaction %d\n",
              status, i);
      return 1;
    }
    for (int c = 0; c < SAMPLE_CLASSES; ++c) {
      double diff = fabs((double)scores[c] - (double)sample_fraud_scores[i][c]);
      if (!(diff <=
            max_diff)) /* true for NaN too, which counts as infinitely far */
        max_diff = diff != diff ? INFINITY : diff;
    }
    printf("%3d  %-6s  %14.6f  %15.6f\n", i,
           sample_labels[i] ? "fraud" : "legit", scores[SAMPLE_FRAUD_CLASS],
           sample_fraud_scores[i][SAMPLE_FRAUD_CLASS]);
  }
  printf("%d transactions scored, max |muon - numpy| = %.1e\n", SAMPLE_COUNT,
         max_diff);
  if (!(max_diff <= TOLERANCE)) {
    fprintf(stderr, "error: Muon and numpy differ by more than %.0e\n",
            TOLERANCE);
    return 1;
  }
  return 0;
}
