/* The sparse backward of conv_sparse.h. One pass over dy lists the
 * nonzeros twice: by filter (patch offset, value), for the weight
 * gradient, and by position (filter offset, value), for dx. Each list then
 * goes through nr_conv_rows_axpy one run of the patch at a time, so a
 * row of the gradient stays in registers over all of its terms. */
#include <stddef.h>
#if defined(__AVX2__)
#include <immintrin.h>
#endif
#include "ops/conv_sparse.h"
#include "ops/conv_tile.h"

static int64_t positions(const nr_conv_sparse *s) { return s->Ho * s->Wo; }
static int64_t kernel_len(const nr_conv_sparse *s) { return (int64_t)s->kh * s->kw * s->C; }

int64_t nr_conv_sparse_floats(const nr_conv_sparse *s) {
    int64_t P = positions(s);
    return 4 * s->F * P + s->F + P + 1;
}

/* A patch is n_runs() runs of run_len() floats: kernel row i when the
 * taps of a row touch (no dilation across columns), else tap (i, j). */
static int n_runs(const nr_conv_sparse *s) { return s->dw == 1 ? s->kh : s->kh * s->kw; }
static int64_t run_len(const nr_conv_sparse *s) { return s->dw == 1 ? s->kw * s->C : s->C; }

/* Where run r starts: in the padded image, from a patch's start, and in
 * a filter's K weights. */
static void run_at(const nr_conv_sparse *s, int r, int64_t *img_off, int64_t *k_off) {
    int i = s->dw == 1 ? r : r / s->kw, j = s->dw == 1 ? 0 : r % s->kw;
    *img_off = ((int64_t)i * s->dh * s->wp + (int64_t)j * s->dw) * s->C;
    *k_off = ((int64_t)i * s->kw + j) * s->C;
}

typedef struct lists {
    int32_t *f_off, *f_n, *p_off, *p_start;   /* by filter: F rows of P; by position: CSR */
    float *f_val, *p_val;
} lists;

static lists lists_in(const nr_conv_sparse *s, float *scratch) {
    int64_t FP = s->F * positions(s);
    lists l = {.f_off = (int32_t *)scratch, .f_val = scratch + FP, .p_off = (int32_t *)(scratch + 2 * FP),
               .p_val = scratch + 3 * FP, .f_n = (int32_t *)(scratch + 4 * FP)};
    l.p_start = l.f_n + s->F;
    return l;
}

/* Bit f - f0 set where row[f] != 0, for f in [f0, f0 + 8) below F. */
static unsigned nonzero_bits(const float *row, int64_t f0, int64_t F) {
#if defined(__AVX2__)
    if (f0 + 8 <= F)
        return (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(row + f0), _mm256_setzero_ps(), _CMP_NEQ_UQ));
#endif
    unsigned bits = 0;
    for (int64_t f = f0; f < f0 + 8 && f < F; f++) bits |= (unsigned)(row[f] != 0.0f) << (f - f0);
    return bits;
}

/* Lists dy's nonzeros (and sums db) in one pass, eight filters at a time
 * and only the set bits of each. */
static void list_nonzeros(const nr_conv_sparse *s, const float *dy, int by_filter, int by_position, float *db,
                          const lists *l) {
    int64_t P = positions(s), K = kernel_len(s);
    int32_t n = 0;
    for (int64_t f = 0; f < s->F; f++) l->f_n[f] = 0;
    for (int64_t m = 0; m < P; m++) {
        const float *row = dy + m * s->F;
        int32_t patch = (int32_t)(((m / s->Wo) * s->wp + m % s->Wo) * s->C);
        l->p_start[m] = n;
        for (int64_t f0 = 0; f0 < s->F; f0 += 8)
            for (unsigned bits = nonzero_bits(row, f0, s->F); bits; bits &= bits - 1) {
                int64_t f = f0 + __builtin_ctz(bits);
                float d = row[f];
                if (db) db[f] += d;
                if (by_filter) {
                    int32_t k = l->f_n[f]++;
                    l->f_off[f * P + k] = patch, l->f_val[f * P + k] = d;
                }
                if (by_position) l->p_off[n] = (int32_t)(f * K), l->p_val[n++] = d;
            }
    }
    l->p_start[P] = n;
}

void nr_conv_sparse_sample(const nr_conv_sparse *s, const float *img, const float *dy, const float *Wt, float *dWt,
                           float *db, float *dimg, float *scratch) {
    lists l = lists_in(s, scratch);
    int64_t P = positions(s), K = kernel_len(s), len = run_len(s), img_off, k_off;
    list_nonzeros(s, dy, dWt != NULL, dimg != NULL, db, &l);
    for (int64_t f = 0; dWt && f < s->F; f++)
        for (int r = 0; r < n_runs(s); r++) {
            run_at(s, r, &img_off, &k_off);
            nr_conv_rows_axpy(dWt + f * K + k_off, len, img + img_off, l.f_off + f * P, l.f_val + f * P, l.f_n[f]);
        }
    for (int64_t m = 0; dimg && m < P; m++) {
        int32_t z0 = l.p_start[m], nz = l.p_start[m + 1] - z0;
        if (nz == 0) continue;
        float *patch = dimg + ((m / s->Wo) * s->wp + m % s->Wo) * s->C;
        for (int r = 0; r < n_runs(s); r++) {
            run_at(s, r, &img_off, &k_off);
            nr_conv_rows_axpy(patch + img_off, len, Wt + k_off, l.p_off + z0, l.p_val + z0, nz);
        }
    }
}
