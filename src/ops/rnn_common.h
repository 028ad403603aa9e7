/* What the RNN kernels (rnn.c fast, rnn_ref.c plain) share: the sizes of
 * a node, which inputs it has, the layout of its scratch, and the dropout
 * masks, which both kernels must draw identically.
 *
 * Time order versus processing order: step s (0..T-1) of the recurrence
 * reads time index tt(s) = go_backwards ? T-1-s : s. Everything kept per
 * step (gates, states before the step) is stored at its time index, so
 * that the input-side products over all steps are single GEMMs over x. */
#ifndef NR_OPS_RNN_COMMON_H
#define NR_OPS_RNN_COMMON_H

#include "ops/kernels.h"

typedef struct nr_rnn_dims {
    int64_t N, T, F, U, G, GU;  /* G gates: 1 SimpleRNN, 4 LSTM, 3 GRU */
    int ns;                     /* states: 2 for LSTM (h, c), else 1 */
    int64_t rows_out;           /* output rows per sample (T or 1) before the packed states */
    int64_t out_rows;           /* all output rows per sample (rows_out + ns when return_state) */
    int nx, nh;                 /* dropout masks on x and on h in this run (0, 1 or G; 0 unless training) */
} nr_rnn_dims;

/* The inputs of an RNN node, NULL when absent. */
typedef struct nr_rnn_in {
    nr_sym x, W, Uk, b, mask, h0, c0;
} nr_rnn_in;

nr_rnn_dims nr_rnn_dims_of(const nr_exec *x, const nr_node *n);
nr_rnn_in nr_rnn_inputs(const nr_node *n);

/* Time index of processing step s. */
static inline int64_t nr_rnn_tt(const nr_node *n, int64_t T, int64_t s) {
    return n->a.rnn.go_backwards ? T - 1 - s : s;
}
/* Output row (within a sample) of step s when returning sequences. */
static inline int64_t nr_rnn_out_row(const nr_node *n, int64_t T, int64_t s) {
    return n->a.rnn.keep_order ? nr_rnn_tt(n, T, s) : s;
}

/* Scratch, in floats from the node's work pointer. Time-ordered (n, tt)
 * rows unless said otherwise:
 *   Z   N T GU  preactivations (GRU: z, r, candidate = xh + r inner_h)
 *   A   N T GU  activated gates
 *   HP  N T U   h before each step; HF N U: h after the last step
 *   CP  N T U   c before each step, TC N T U: act(c after the step), CF N U (LSTM)
 *   R   N T U   GRU: inner_h (reset_after) or r h mh (reset before)
 *   MX  nx N F, MH nh N U: dropout scales (0 or 1 / (1 - rate))
 *   XD  nx N T F: x times each input mask (when dropout)
 *   HM  N T U   h times one gate's recurrent mask (when recurrent dropout)
 *   DZ  N T GU  gradient of the input-side preactivations
 *   DI  N T GU  gradient of the recurrent products (GRU only; else DZ)
 *   DH, DC N U  gradients carried backwards through time
 *   TMP N GU    per-step recurrent products (GRU, recurrent dropout)
 *   PK  G packed U x U blocks of the recurrent kernel, PKT their transposes
 *   S   4 GU + U: the reference kernel's per-step vectors
 *   GP  GEMM packing space for the products over all steps */
typedef struct nr_rnn_ws {
    float *Z, *A, *HP, *HF, *CP, *TC, *CF, *R, *MX, *MH, *XD, *HM, *DZ, *DI, *DH, *DC, *TMP, *PK, *PKT, *S, *GP;
} nr_rnn_ws;

nr_rnn_ws nr_rnn_ws_of(const nr_exec *x, const nr_node *n);

/* Draws the dropout scales of this step into MX and MH (Keras: one mask
 * per sequence, per gate when recurrent dropout is on). */
void nr_rnn_draw_masks(const nr_exec *x, const nr_node *n, const nr_rnn_ws *w);

#endif
