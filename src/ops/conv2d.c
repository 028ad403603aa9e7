/* CONV2D: 2-D convolution (cross-correlation, as Keras computes it),
 * channels-last. x (N,H,W,C), W (kh,kw,C/G,F) as Keras stores a Conv2D
 * kernel, b (F) optional, y (N,Ho,Wo,F); strides, dilation, padding
 * amounts and groups G in attrs.conv (see graph.h).
 *
 * Stride 1 (any dilation, padding, groups) runs direct: each sample is
 * copied once into a zero-padded image (Hp = Ho + (kh-1) dh rows of
 * Wp = Wo + (kw-1) dw columns), where a kernel tap is a fixed offset, and
 * conv_tile.c's register tiles read it in place ("implicit GEMM"): no
 * im2col matrix, no extra pass over memory. Positions are numbered
 * m = p Wp + q over the padded width; the few with q >= Wo are computed
 * and dropped, which keeps every tile's six positions one stride apart.
 *   y    = tiles of the padded x against W packed in 16-filter panels;
 *   dx  += the same kernel run on dy padded to "full", against W flipped
 *          and transposed (kh-1-i, kw-1-j, f, c);
 *   dW  += tiles of six kernel rows (tap, channel), each a fixed offset in
 *          the padded image, x sixteen filters, summed over the image into
 *          a per-thread partial that is reduced at the end (a tile may
 *          span taps, so one input channel fills it as well as many).
 * Samples are spread over threads, each with its own padded image; a batch
 * smaller than the thread count splits each image's positions instead.
 * Few filters waste most of a 16-filter tile: then 12x8 tiles (up to 8
 * filters) or dot tiles (lanes over channels) compute y and dx, and
 * tap-major tiles dW (see tile_for and dw_by_taps). A fused ReLU (attrs.conv.relu) is applied as y is written
 * and turns dy into the pre-activation gradient before the rest.
 * When at most SPARSE_SHARE of dy is nonzero (behind a max pooling or ReLU),
 * dx and dW go by its nonzeros instead (conv_sparse.h).
 *
 * Strides above 1 lower each sample to GEMMs over an im2col matrix
 * (Ho*Wo, kh*kw*C/G) per group, with col2im for dx.
 *
 * The reference kernels are direct loops in double. */
#include <string.h>
#include <omp.h>
#include "ops/conv_sparse.h"
#include "ops/conv_tile.h"
#include "ops/gemm.h"
#include "ops/kernels.h"
#include "ops/window.h"
#include "ops/vmath.h"

typedef nr_window geom;

#define TM NR_TILE_M
#define TN NR_TILE_N

static int64_t round_up(int64_t v, int64_t m) { return (v + m - 1) / m * m; }
static int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }
/* max(v, 0) without fmaxf's call (NaN handling is not inlined here). */
static inline float relu_of(float v) { return v > 0.0f ? v : 0.0f; }
static int slots_of(const nr_exec *x) { return x->threads > 0 ? x->threads : 1; }

static int direct(const geom *g) { return g->sh == 1 && g->sw == 1; }
/* Channels in and filters out per group. */
static int64_t cg(const geom *g) { return g->C / g->G; }
static int64_t fg(const geom *g) { return g->F / g->G; }
/* Rows of a group's GEMM reduction: taps times its channels. */
static int64_t col_k(const geom *g) { return (int64_t)g->kh * g->kw * cg(g); }

/* Padded image sizes: of x for y and dW, of dy for dx. */
static int64_t hp(const geom *g) { return g->Ho + (int64_t)(g->kh - 1) * g->dh; }
static int64_t wp(const geom *g) { return g->Wo + (int64_t)(g->kw - 1) * g->dw; }
static int64_t hq(const geom *g) { return g->H + (int64_t)(g->kh - 1) * g->dh; }
static int64_t wq(const geom *g) { return g->W + (int64_t)(g->kw - 1) * g->dw; }

/* A tile reads up to NR_TILE_M8 positions past the last one, plus TM
 * channels past the last channel (weight gradient): zeros kept after
 * every image. */
static int64_t slack(int64_t C) { return (NR_TILE_M8 + 1) * C + 16; }

/* Floats of one thread's image buffer. */
static int64_t image_floats(const geom *g) {
    int64_t v = max64(hp(g) * wp(g) * g->C + slack(g->C), hq(g) * wq(g) * g->F + slack(g->F));
    return v;
}
/* Floats of the packed weights: all groups' panels, for y or for dx. */
static int64_t pack_floats(const geom *g) {
    int64_t kf = col_k(g) * round_up(fg(g), TN), kb = (int64_t)g->kh * g->kw * fg(g) * round_up(cg(g), TN);
    return g->G * max64(kf, kb);
}

static nr_conv_sparse sparse_geom(const geom *g) {
    return (nr_conv_sparse){.Ho = g->Ho, .Wo = g->Wo, .F = g->F, .C = g->C, .wp = wp(g), .kh = g->kh, .kw = g->kw,
                            .dh = g->dh, .dw = g->dw};
}

/* One thread's padded dx image and lists of nonzeros. */
static int64_t sparse_need(const geom *g) {
    nr_conv_sparse s = sparse_geom(g);
    return hp(g) * wp(g) * g->C + nr_conv_sparse_floats(&s);
}

/* Per-thread scratch the sparse backward may take (4 MiB): enough for the
 * layers of small networks; large images keep the dense kernels. */
#define SPARSE_MAX_FLOATS (1 << 20)

/* Whether the backward may go by nonzeros (conv_sparse.h): stride 1, one
 * group, runs of a patch long enough to vectorize, offsets within int32,
 * scratch within SPARSE_MAX_FLOATS. */
static int sparse_fits(const geom *g) {
    int64_t run = g->dw == 1 ? g->kw * g->C : g->C;
    return direct(g) && g->G == 1 && run >= 16 && hp(g) * wp(g) * g->C < INT32_MAX && col_k(g) * g->F < INT32_MAX &&
           sparse_need(g) <= SPARSE_MAX_FLOATS;
}

static int64_t sparse_floats(const geom *g) { return sparse_fits(g) ? sparse_need(g) : 0; }

/* Scratch of the kernels proper: packed weights, then per thread an
 * image, a weight-gradient partial and the sparse backward's buffers. */
static int64_t kernel_floats(const geom *g) {
    int64_t K = col_k(g);
    if (!direct(g)) return g->Ho * g->Wo * K + nr_gemm_pack_floats(K > fg(g) ? K : fg(g));
    return pack_floats(g) + nr_num_threads() * (image_floats(g) + (K + 1) * g->F + sparse_floats(g));
}

int64_t nr_conv2d_workspace(const nr_node *n, const nr_node *nodes, int64_t batch) {
    geom g = nr_window_of(n, nodes, batch);
    return kernel_floats(&g);
}

/* --- direct (stride 1) ------------------------------------------------------ */

/* dst (hh, ww, C) = zeros with src (h, w, C) at row top, column left. */
static void pad_image(const float *src, int64_t h, int64_t w, int64_t C, float *dst, int64_t hh, int64_t ww,
                      int64_t top, int64_t left) {
    /* Zeros only where x does not land: rows above and below, the side
     * columns of its rows, and the slack. */
    int64_t row = ww * C, lead = left * C, body = w * C, trail = row - lead - body;
    memset(dst, 0, (size_t)(top * row + lead) * sizeof *dst);
    for (int64_t r = 0; r < h; r++) {
        float *d = dst + (r + top) * row + lead;
        memcpy(d, src + r * body, (size_t)body * sizeof *dst);
        /* The right columns of this row and the left ones of the next. */
        memset(d + body, 0, (size_t)(r + 1 < h ? trail + lead : trail) * sizeof *dst);
    }
    int64_t done = (top + h) * row;
    memset(dst + done, 0, (size_t)(hh * row + slack(C) - done) * sizeof *dst);
}

/* Panels of 16 output columns of a group's (K, nf) weight matrix, where
 * row k, column f is w(k, f); columns past nf are zero. */
/* Row k of group grp's weight matrix as a pointer to its column 0 and the
 * step between columns. For y the matrix is W itself (row (i, j, c),
 * column f). For dx it is W flipped and transposed: row (i', j', f),
 * column c holds W[kh-1-i', kw-1-j', c, f]. */
static const float *weight_row(const geom *g, const float *W, int flipped, int64_t grp, int64_t k, int64_t *step) {
    if (!flipped) {
        *step = 1;
        return W + k * g->F + grp * fg(g);
    }
    int64_t nf = fg(g), tap = k / nf, f = k % nf;
    int64_t i = g->kh - 1 - tap / g->kw, j = g->kw - 1 - tap % g->kw;
    *step = g->F;
    return W + (i * g->kw + j) * cg(g) * g->F + grp * nf + f;
}

/* Panels of w columns (16, or 8 for the narrow tiles) of each group's
 * (K, nf) weight matrix (see weight_row), k-major; columns past nf are
 * zero. */
static void pack_weights(const geom *g, const float *W, int flipped, int64_t K, int64_t nf, int64_t w, float *pack) {
    int64_t panels = round_up(nf, w) / w, step;
    for (int64_t grp = 0; grp < g->G; grp++)
        for (int64_t k = 0; k < K; k++) {
            const float *row = weight_row(g, W, flipped, grp, k, &step);
            for (int64_t f = 0; f < panels * w; f++)
                pack[((grp * panels + f / w) * K + k) * w + f % w] = f < nf ? row[f * step] : 0.0f;
        }
}

/* Filter f of group grp as a contiguous row of K weights, for the dot
 * tiles: pack[(grp*nf + f)*K + k] = w(k, f). */
static void pack_filters(const geom *g, const float *W, int flipped, int64_t K, int64_t nf, float *pack) {
    int64_t step;
    for (int64_t grp = 0; grp < g->G; grp++)
        for (int64_t k = 0; k < K; k++) {
            const float *row = weight_row(g, W, flipped, grp, k, &step);
            for (int64_t f = 0; f < nf; f++) pack[(grp * nf + f) * K + k] = row[f * step];
        }
}

/* The register tile of a pass: 6 positions x 16 filters, 12 x 8 (all
 * lanes busy up to 8 filters), or 6 x 1 with lanes over channels. */
typedef enum tile_kind { TILE_WIDE, TILE_NARROW, TILE_DOT } tile_kind;

/* The tile with the largest share of useful multiply-adds: few filters
 * waste most of a 16-column tile; the dot tile keeps all lanes busy on
 * channels but needs one load per multiply-add (about half speed). */
static tile_kind tile_for(int64_t cin, int64_t nf) {
    double wide = (double)nf / (double)round_up(nf, TN), narrow = nf <= 8 ? (double)nf / 8.0 : 0.0;
    double dot = 0.45 * (double)cin / (double)round_up(cin, 8);
    if (dot > wide && dot > narrow) return TILE_DOT;
    return narrow > wide ? TILE_NARROW : TILE_WIDE;
}

/* Tile rows and columns of each kind. */
static int tile_rows(tile_kind k) { return k == TILE_NARROW ? NR_TILE_M8 : TM; }
static int tile_cols(tile_kind k) { return k == TILE_NARROW ? 8 : k == TILE_DOT ? 1 : TN; }

/* One run of the tiles over a padded image (iw columns wide, C channels
 * per position, cin of them per group) into an output image (oh, ow, F)
 * with nf filters per group: positions [m0, m1) of the padded numbering.
 * y = result + bias, or y += result when bias is NULL and acc is set. */
typedef struct pass {
    const float *img, *pack, *bias;
    int64_t iw, C, cin, oh, ow, F, nf;
    int relu;                         /* y = max(0, result + bias) */
    nr_taps t;
    int acc;
    tile_kind tile;                   /* TILE_DOT: pack holds filter rows */
} pass;

/* Writes a tile's rows (positions m, m + 1, ... below m1; row r at
 * o + r * rs) into filter columns [f0, f0 + nj); positions in the padding
 * columns (q >= ow) are dropped. */
/* y = o (+ b) (then ReLU), or y += o: one row of a tile, each variant a
 * loop the compiler vectorizes (inlined, so a full row of TN columns
 * becomes straight-line code). */
static inline __attribute__((always_inline)) void put_row(float *restrict y, const float *restrict o, const float *restrict b, int64_t nj, int acc, int relu) {
    if (acc) {
#pragma omp simd
        for (int64_t j = 0; j < nj; j++) y[j] += o[j];
    } else if (b && relu) {
#pragma omp simd
        for (int64_t j = 0; j < nj; j++) y[j] = relu_of(o[j] + b[j]);
    } else if (b) {
#pragma omp simd
        for (int64_t j = 0; j < nj; j++) y[j] = o[j] + b[j];
    } else if (relu) {
#pragma omp simd
        for (int64_t j = 0; j < nj; j++) y[j] = relu_of(o[j]);
    } else {
        memcpy(y, o, (size_t)nj * sizeof *y);
    }
}

static void put_tile(const pass *s, float *y, int64_t m, int64_t m1, int64_t f0, int64_t nj, const float *o) {
    int64_t p = m / s->iw, q = m % s->iw;
    const float *b = s->bias ? s->bias + f0 : NULL;
    int rows = tile_rows(s->tile), rs = tile_cols(s->tile);
    for (int r = 0; r < rows && m + r < m1; r++, o += rs) {
        float *yr = y + (p * s->ow + q) * s->F + f0;
        if (q < s->ow && nj == TN) put_row(yr, o, b, TN, s->acc, s->relu);
        else if (q < s->ow && nj == 8) put_row(yr, o, b, 8, s->acc, s->relu);
        else if (q < s->ow) put_row(yr, o, b, nj, s->acc, s->relu);
        if (++q == s->iw) q = 0, p++;
    }
}

static void run_dot(const pass *s, float *y, int64_t G, int64_t m0, int64_t m1, int64_t K) {
    float out[TM];
    for (int64_t grp = 0; grp < G; grp++)
        for (int64_t f = 0; f < s->nf; f++) {
            const float *w = s->pack + (grp * s->nf + f) * K;
            for (int64_t m = m0; m < m1; m += TM) {
                nr_conv_tile_fwd_dot(s->img + m * s->C + grp * s->cin, s->C, &s->t, w, out);
                put_tile(s, y, m, m1, grp * s->nf + f, 1, out);
            }
        }
}

static void run_pass(const pass *s, float *y, int64_t G, int64_t m0, int64_t m1) {
    int64_t M = (s->oh - 1) * s->iw + s->ow, K = (int64_t)s->t.kh * s->t.kw * s->cin;
    if (m1 > M) m1 = M;
    if (s->tile == TILE_DOT) {
        run_dot(s, y, G, m0, m1, K);
        return;
    }
    int narrow = s->tile == TILE_NARROW, rows = tile_rows(s->tile), w = tile_cols(s->tile);
    int64_t panels = round_up(s->nf, w) / w;
    float out[NR_TILE_M8 * 8 > TM * TN ? NR_TILE_M8 * 8 : TM * TN];
    for (int64_t grp = 0; grp < G; grp++)
        for (int64_t pn = 0; pn < panels; pn++) {
            const float *b = s->pack + (grp * panels + pn) * K * w;
            int64_t f0 = grp * s->nf + pn * w, nj = s->nf - pn * w < w ? s->nf - pn * w : w;
            for (int64_t m = m0; m < m1; m += rows) {
                const float *a = s->img + m * s->C + grp * s->cin;
                if (narrow) nr_conv_tile_fwd8(a, s->C, &s->t, b, out);
                else nr_conv_tile_fwd(a, s->C, &s->t, b, out);
                put_tile(s, y, m, m1, f0, nj, out);
            }
        }
}

/* The weights of pass s (K rows, s->nf columns per group) as its tile reads them. */
static void pack_pass(const pass *s, const geom *g, const float *W, int flipped, int64_t K, float *pack) {
    if (s->tile == TILE_DOT)
        pack_filters(g, W, flipped, K, s->nf, pack);
    else
        pack_weights(g, W, flipped, K, s->nf, tile_cols(s->tile), pack);
}

/* Runs pass s over every sample: pad(sample, image) then the tiles. */
typedef void (*pad_fn)(const geom *g, const float *src, float *img);

static void pad_x(const geom *g, const float *src, float *img) {
    pad_image(src, g->H, g->W, g->C, img, hp(g), wp(g), g->pt, g->pl);
}
static void pad_dy(const geom *g, const float *src, float *img) {
    pad_image(src, g->Ho, g->Wo, g->F, img, hq(g), wq(g), (int64_t)(g->kh - 1) * g->dh - g->pt,
              (int64_t)(g->kw - 1) * g->dw - g->pl);
}

static void run_samples(const nr_exec *x, const geom *g, pass s, pad_fn pad, const float *src, int64_t src_size,
                        float *dst, int64_t dst_size, float *imgs) {
    int T = slots_of(x);
    int64_t isz = image_floats(g), M = (s.oh - 1) * s.iw + s.ow;
    if (g->N >= T) {
#pragma omp parallel for schedule(static) num_threads(T)
        for (int64_t n = 0; n < g->N; n++) {
            pass t = s;
            float *img = imgs + omp_get_thread_num() * isz;
            pad(g, src + n * src_size, img);
            t.img = img;
            run_pass(&t, dst + n * dst_size, g->G, 0, M);
        }
        return;
    }
    /* Fewer samples than threads: one shared image, positions split. */
    int64_t chunk = round_up((M + T - 1) / T, NR_TILE_M8); /* whole tiles of either height */
    for (int64_t n = 0; n < g->N; n++) {
        pad(g, src + n * src_size, imgs);
        s.img = imgs;
#pragma omp parallel for schedule(static) num_threads(T)
        for (int c = 0; c < T; c++) run_pass(&s, dst + n * dst_size, g->G, c * chunk, (c + 1) * chunk);
    }
}

static void direct_forward(const nr_exec *x, const nr_node *n, const geom *g) {
    const float *in = x->val[n->in[0]], *W = x->val[n->in[1]];
    const float *b = n->n_in > 2 ? x->val[n->in[2]] : NULL;
    float *pack = x->work[NR_ID(x, n)], *imgs = pack + pack_floats(g);
    pass s = {.pack = pack, .bias = b, .relu = n->a.conv.relu, .iw = wp(g), .C = g->C, .cin = cg(g), .oh = g->Ho, .ow = g->Wo, .F = g->F,
              .nf = fg(g), .t = {g->kh, g->kw, g->dh * wp(g) * g->C, g->dw * g->C, cg(g)}, .tile = tile_for(cg(g), fg(g))};
    pack_pass(&s, g, W, 0, col_k(g), pack);
    run_samples(x, g, s, pad_x, in, g->H * g->W * g->C, x->val[NR_ID(x, n)], g->Ho * g->Wo * g->F, imgs);
}

static void direct_dx(const nr_exec *x, const nr_node *n, const geom *g, const float *dy, float *dx) {
    const float *W = x->val[n->in[1]];
    float *pack = x->work[NR_ID(x, n)], *imgs = pack + pack_floats(g);
    pass s = {.pack = pack, .iw = wq(g), .C = g->F, .cin = fg(g), .oh = g->H, .ow = g->W, .F = g->C, .nf = cg(g),
              .t = {g->kh, g->kw, g->dh * wq(g) * g->F, g->dw * g->F, fg(g)}, .acc = !x->fresh,
              .tile = tile_for(fg(g), cg(g))};
    pack_pass(&s, g, W, 1, (int64_t)g->kh * g->kw * fg(g), pack);
    run_samples(x, g, s, pad_dy, dy, g->Ho * g->Wo * g->F, dx, g->H * g->W * g->C, imgs);
}

/* col[(p*Wo + q), (i*kw + j)*cn + c] = x[p sh - pt + i dh, q sw - pl + j dw, c0 + c]. */
static void im2col(const geom *g, const float *x, int64_t c0, int64_t cn, float *col) {
    int64_t K = (int64_t)g->kh * g->kw * cn;
    for (int64_t p = 0; p < g->Ho; p++)
        for (int64_t q = 0; q < g->Wo; q++) {
            float *row = col + (p * g->Wo + q) * K;
            for (int i = 0; i < g->kh; i++) {
                int64_t ih = p * g->sh - g->pt + (int64_t)i * g->dh;
                for (int j = 0; j < g->kw; j++) {
                    int64_t iw = q * g->sw - g->pl + (int64_t)j * g->dw;
                    float *dst = row + ((int64_t)i * g->kw + j) * cn;
                    /* Plain loops: cn is often 1 or 3, where a memcpy call costs more than the copy. */
                    if (ih >= 0 && ih < g->H && iw >= 0 && iw < g->W) {
                        const float *src = x + (ih * g->W + iw) * g->C + c0;
                        for (int64_t c = 0; c < cn; c++) dst[c] = src[c];
                    } else {
                        for (int64_t c = 0; c < cn; c++) dst[c] = 0.0f;
                    }
                }
            }
        }
}

/* Whether the weight gradient tiles go tap by tap for each filter (six
 * taps by sixteen channels) rather than channel by filter (six channels
 * by sixteen filters): better for few filters; broadcasting dy instead of
 * x costs one load per multiply-add, counted as two thirds. */
static int dw_by_taps(const geom *g) {
    int64_t taps = (int64_t)g->kh * g->kw, nc = cg(g), nf = fg(g);
    double by_channel = (double)(taps * nc) / (double)round_up(taps * nc, TM) * (double)nf / (double)round_up(nf, TN);
    double by_tap = 0.67 * (double)taps / (double)round_up(taps, TM) * (double)nc / (double)round_up(nc, TN);
    return by_tap > by_channel;
}

/* Offset of tap t in the padded image. */
static int64_t tap_off(const geom *g, int64_t t) {
    return ((t / g->kw) * g->dh * wp(g) + (t % g->kw) * g->dw) * g->C;
}

/* part += one group's weight gradient, tile rows over taps (dw_by_taps). */
static void group_dw_taps(const geom *g, const float *img, const float *dys, int64_t grp, float *part) {
    int64_t taps = (int64_t)g->kh * g->kw, nc = cg(g), nf = fg(g), off[TM];
    for (int64_t f = 0; f < nf; f++)
        for (int64_t t0 = 0; t0 < taps; t0 += TM)
            for (int64_t c0 = 0; c0 < nc; c0 += TN) {
                int nj = (int)(nc - c0 < TN ? nc - c0 : TN);
                for (int r = 0; r < TM; r++) off[r] = tap_off(g, t0 + r < taps ? t0 + r : t0);
                float acc[TM * TN] = {0};
                nr_conv_tile_dw_taps(img + grp * nc + c0, wp(g) * g->C, g->C, off, g->Ho, g->Wo, dys + grp * nf + f,
                                     g->F, nj, acc);
                for (int r = 0; r < TM && t0 + r < taps; r++)
                    for (int j = 0; j < nj; j++) part[((t0 + r) * nc + c0 + j) * g->F + grp * nf + f] += acc[r * TN + j];
            }
}

/* part += one group's weight gradient, tile rows over the kernel's
 * (tap, channel) rows k = tap*nc + c, six at a time (a tile may span two
 * taps), columns over filters. */
static void group_dw_rows(const geom *g, const float *img, const float *dys, int64_t grp, float *part) {
    int64_t K = col_k(g), nc = cg(g), nf = fg(g), off[TM];
    for (int64_t r0 = 0; r0 < K; r0 += TM) {
        for (int r = 0; r < TM; r++) {
            int64_t k = r0 + r < K ? r0 + r : K - 1;
            off[r] = tap_off(g, k / nc) + k % nc;
        }
        for (int64_t f0 = 0; f0 < nf; f0 += TN) {
            int nj = (int)(nf - f0 < TN ? nf - f0 : TN);
            float acc[TM * TN] = {0};
            nr_conv_tile_dw(img + grp * nc, wp(g) * g->C, g->C, off, g->Ho, g->Wo, dys + grp * nf + f0, g->F, nj, acc);
            for (int r = 0; r < TM && r0 + r < K; r++)
                for (int j = 0; j < nj; j++) part[(r0 + r) * g->F + grp * nf + f0 + j] += acc[r * TN + j];
        }
    }
}

/* part (K, F) += one sample's weight gradient, group by group. */
static void sample_dw(const geom *g, const float *xs, const float *dys, float *img, float *part) {
    pad_x(g, xs, img);
    for (int64_t grp = 0; grp < g->G; grp++) {
        if (dw_by_taps(g))
            group_dw_taps(g, img, dys, grp, part);
        else
            group_dw_rows(g, img, dys, grp, part);
    }
}

/* db (f) += the sum of one sample's dy rows. */
static void sample_db(const geom *g, const float *dys, float *db) {
    for (int64_t r = 0; r < g->Ho * g->Wo; r++)
        for (int64_t f = 0; f < g->F; f++) db[f] += dys[r * g->F + f];
}

/* dW and db (when not NULL) from per-thread partial sums over samples. */
static void direct_dw(const nr_exec *x, const nr_node *n, const geom *g, const float *dy, float *dW, float *db) {
    const float *in = x->val[n->in[0]];
    int T = slots_of(x);
    int64_t isz = image_floats(g), KF = col_k(g) * g->F, part = KF + g->F;
    float *imgs = x->work[NR_ID(x, n)] + pack_floats(g), *parts = imgs + T * isz;
    memset(parts, 0, (size_t)(T * part) * sizeof *parts);
#pragma omp parallel for schedule(static) num_threads(T)
    for (int64_t s = 0; s < g->N; s++) {
        float *mine = parts + omp_get_thread_num() * part;
        const float *dys = dy + s * g->Ho * g->Wo * g->F;
        sample_dw(g, in + s * g->H * g->W * g->C, dys, imgs + omp_get_thread_num() * isz, mine);
        if (db) sample_db(g, dys, mine + KF);
    }
    for (int t = 0; t < T; t++) {
        for (int64_t k = 0; k < KF; k++) dW[k] += parts[t * part + k];
        for (int64_t f = 0; db && f < g->F; f++) db[f] += parts[t * part + KF + f];
    }
}

/* --- sparse gradients (stride 1) ---------------------------------------------- */

/* dx (H, W, C) += (or, fresh, =) the part of the padded image dimg that x covers. */
static void add_interior(const geom *g, const float *dimg, float *dx, int fresh) {
    int64_t row = g->W * g->C;
    for (int64_t r = 0; r < g->H; r++) {
        const float *src = dimg + ((r + g->pt) * wp(g) + g->pl) * g->C;
        float *dst = dx + r * row;
        if (fresh) {
            memcpy(dst, src, (size_t)row * sizeof *dst);
            continue;
        }
#pragma omp simd
        for (int64_t i = 0; i < row; i++) dst[i] += src[i];
    }
}

/* dx, dW and db by the nonzeros of dy, samples spread over threads; the
 * weight gradient is summed filter-major per thread and transposed into
 * dW at the end. */
static void sparse_backward(const nr_exec *x, const nr_node *n, const geom *g, const float *dy, float *dx, float *dW,
                            float *db) {
    const float *in = x->val[n->in[0]], *W = x->val[n->in[1]];
    int T = slots_of(x);
    int64_t K = col_k(g), KF = K * g->F, isz = image_floats(g), part = KF + g->F, ssz = sparse_floats(g);
    int64_t dsz = hp(g) * wp(g) * g->C, xs = g->H * g->W * g->C, ys = g->Ho * g->Wo * g->F;
    float *Wt = x->work[NR_ID(x, n)], *imgs = Wt + pack_floats(g), *parts = imgs + T * isz, *bufs = parts + T * part;
    nr_conv_sparse s = sparse_geom(g);
    for (int64_t k = 0; dx && k < K; k++)
        for (int64_t f = 0; f < g->F; f++) Wt[f * K + k] = W[k * g->F + f];
    memset(parts, 0, (size_t)(T * part) * sizeof *parts);
#pragma omp parallel for schedule(static) num_threads(T)
    for (int64_t i = 0; i < g->N; i++) {
        int t = omp_get_thread_num();
        float *img = imgs + t * isz, *mine = parts + t * part, *dimg = bufs + t * ssz;
        if (dW) pad_x(g, in + i * xs, img);
        if (dx) memset(dimg, 0, (size_t)dsz * sizeof *dimg);
        nr_conv_sparse_sample(&s, img, dy + i * ys, Wt, dW ? mine : NULL, db ? mine + KF : NULL, dx ? dimg : NULL,
                              dimg + dsz);
        if (dx) add_interior(g, dimg, dx + i * xs, x->fresh);
    }
    for (int t = 0; t < T; t++) {
        const float *p = parts + t * part;
        for (int64_t f = 0; dW && f < g->F; f++)
            for (int64_t k = 0; k < K; k++) dW[k * g->F + f] += p[f * K + k];
        for (int64_t f = 0; db && f < g->F; f++) db[f] += p[KF + f];
    }
}

/* --- strided: im2col + GEMM --------------------------------------------------- */

/* The adjoint of im2col: dx += scatter of col (padding cells dropped). */
static void col2im(const geom *g, const float *col, int64_t c0, int64_t cn, float *dx) {
    int64_t K = (int64_t)g->kh * g->kw * cn;
    for (int64_t p = 0; p < g->Ho; p++)
        for (int64_t q = 0; q < g->Wo; q++) {
            const float *row = col + (p * g->Wo + q) * K;
            for (int i = 0; i < g->kh; i++) {
                int64_t ih = p * g->sh - g->pt + (int64_t)i * g->dh;
                if (ih < 0 || ih >= g->H) continue;
                for (int j = 0; j < g->kw; j++) {
                    int64_t iw = q * g->sw - g->pl + (int64_t)j * g->dw;
                    if (iw < 0 || iw >= g->W) continue;
                    const float *src = row + ((int64_t)i * g->kw + j) * cn;
                    float *dst = dx + (ih * g->W + iw) * g->C + c0;
                    for (int64_t c = 0; c < cn; c++) dst[c] += src[c];
                }
            }
        }
}

static void strided_forward(const nr_exec *x, const nr_node *n, const geom *g) {
    const float *in = x->val[n->in[0]], *W = x->val[n->in[1]];
    const float *b = n->n_in > 2 ? x->val[n->in[2]] : NULL;
    float *y = x->val[NR_ID(x, n)];
    int64_t K = col_k(g), P = g->Ho * g->Wo, xs = g->H * g->W * g->C, nc = cg(g), nf = fg(g);
    float *col = x->work[NR_ID(x, n)], *pack = col + P * K;
    for (int64_t r = 0; r < g->N * P; r++)
        for (int64_t f = 0; f < g->F; f++) y[r * g->F + f] = b ? b[f] : 0.0f;
    for (int64_t s = 0; s < g->N; s++)
        for (int64_t grp = 0; grp < g->G; grp++) {
            im2col(g, in + s * xs, grp * nc, nc, col);
            nr_gemm(&(nr_gemm_args){P, nf, K, col, K, 1, W + grp * nf, g->F, 1, y + s * P * g->F + grp * nf, g->F},
                    pack);
        }
    if (n->a.conv.relu)
        for (int64_t i = 0; i < g->N * P * g->F; i++) y[i] = relu_of(y[i]);
}

static void strided_backward(const nr_exec *x, const nr_node *n, const geom *g, const float *dy, float *dx,
                             float *dW) {
    const float *in = x->val[n->in[0]], *W = x->val[n->in[1]];
    int64_t K = col_k(g), P = g->Ho * g->Wo, xs = g->H * g->W * g->C, nc = cg(g), nf = fg(g);
    float *col = x->work[NR_ID(x, n)], *pack = col + P * K;
    for (int64_t s = 0; s < g->N; s++)
        for (int64_t grp = 0; grp < g->G; grp++) {
            const float *dys = dy + s * P * g->F + grp * nf;
            if (dW) {
                im2col(g, in + s * xs, grp * nc, nc, col);
                nr_gemm(&(nr_gemm_args){K, nf, P, col, 1, K, dys, g->F, 1, dW + grp * nf, g->F}, pack);
            }
            if (dx) {
                memset(col, 0, (size_t)(P * K) * sizeof *col);
                nr_gemm(&(nr_gemm_args){P, K, nf, dys, g->F, 1, W + grp * nf, 1, g->F, col, K}, pack);
                col2im(g, col, grp * nc, nc, dx + s * xs);
            }
        }
}

void nr_cpu_conv2d_forward(const nr_exec *x, const nr_node *n) {
    geom g = nr_window_of(n, x->nodes, x->batch);
    if (direct(&g))
        direct_forward(x, n, &g);
    else
        strided_forward(x, n, &g);
}

/* The gradient before a fused ReLU: dy where y > 0, else 0. Made in
 * place: only this backward reads the gradient of this node's output
 * (and doing it twice changes nothing). Returns the number of nonzeros,
 * counted when there is a ReLU or count is set (else 0). */
static int64_t pre_relu_grad(const nr_exec *x, const nr_node *n, const geom *g, int count) {
    float *dy = x->grad[NR_ID(x, n)];
    const float *y = x->val[NR_ID(x, n)];
    int64_t len = g->N * g->Ho * g->Wo * g->F, nz = 0;
    int T = len > NR_PAR_MIN ? slots_of(x) : 1;
    if (n->a.conv.relu) {
#pragma omp parallel for simd schedule(static) num_threads(T) reduction(+ : nz)
        for (int64_t i = 0; i < len; i++) {
            dy[i] = y[i] > 0.0f ? dy[i] : 0.0f;
            nz += dy[i] != 0.0f;
        }
    } else if (count) {
#pragma omp parallel for simd schedule(static) num_threads(T) reduction(+ : nz)
        for (int64_t i = 0; i < len; i++) nz += dy[i] != 0.0f;
    }
    return nz;
}

/* Share of nonzeros in dy up to which the sparse backward is faster. Its
 * work is that share of the dense work, at a lower rate: behind a max
 * pooling (a quarter or less) it wins by far; behind a ReLU alone (about
 * half) it measured 4% faster on W4's layers and even on W5's. */
#define SPARSE_SHARE 0.6

void nr_cpu_conv2d_backward(const nr_exec *x, const nr_node *n) {
    geom g = nr_window_of(n, x->nodes, x->batch);
    const float *dy = x->grad[NR_ID(x, n)];
    float *dx = x->grad[n->in[0]], *dW = x->grad[n->in[1]];
    float *db = n->n_in > 2 ? x->grad[n->in[2]] : NULL;
    int sparse = sparse_fits(&g) && (dx || dW);
    int64_t nz = pre_relu_grad(x, n, &g, sparse);
    if (sparse && (double)nz <= SPARSE_SHARE * (double)(g.N * g.Ho * g.Wo * g.F)) {
        sparse_backward(x, n, &g, dy, dx, dW, db);
        return;
    }
    if (direct(&g) && dW) {
        direct_dw(x, n, &g, dy, dW, db); /* db with it, spread over the threads */
    } else if (db) {
        for (int64_t s = 0; s < g.N; s++) sample_db(&g, dy + s * g.Ho * g.Wo * g.F, db);
    }
    if (!direct(&g) && dx && x->fresh) memset(dx, 0, (size_t)(g.N * g.H * g.W * g.C) * sizeof *dx);
    if (!direct(&g))
        strided_backward(x, n, &g, dy, dx, dW);
    else if (dx)
        direct_dx(x, n, &g, dy, dx);
}

/* --- reference ---------------------------------------------------------------- */

/* Input offset (within a sample) of tap (i, j) at output (p, q), or -1 in
 * the padding. */
static int64_t tap_at(const geom *g, int64_t p, int64_t q, int i, int j) {
    int64_t ih = p * g->sh - g->pt + (int64_t)i * g->dh, iw = q * g->sw - g->pl + (int64_t)j * g->dw;
    return (ih >= 0 && ih < g->H && iw >= 0 && iw < g->W) ? (ih * g->W + iw) * g->C : -1;
}

/* Index into W of tap (i, j), the group's channel c, filter f. */
static int64_t w_at(const geom *g, int i, int j, int64_t c, int64_t f) {
    return (((int64_t)i * g->kw + j) * cg(g) + c) * g->F + f;
}

void nr_ref_conv2d_forward(const nr_exec *x, const nr_node *n) {
    geom g = nr_window_of(n, x->nodes, x->batch);
    const float *in = x->val[n->in[0]], *W = x->val[n->in[1]];
    const float *b = n->n_in > 2 ? x->val[n->in[2]] : NULL;
    float *y = x->val[NR_ID(x, n)];
    int64_t xs = g.H * g.W * g.C, nc = cg(&g);
    for (int64_t s = 0; s < g.N; s++)
        for (int64_t p = 0; p < g.Ho; p++)
            for (int64_t q = 0; q < g.Wo; q++)
                for (int64_t f = 0; f < g.F; f++) {
                    double acc = b ? b[f] : 0.0;
                    int64_t c0 = f / fg(&g) * nc;
                    for (int i = 0; i < g.kh; i++)
                        for (int j = 0; j < g.kw; j++) {
                            int64_t o = tap_at(&g, p, q, i, j);
                            if (o < 0) continue;
                            for (int64_t c = 0; c < nc; c++)
                                acc += (double)in[s * xs + o + c0 + c] * W[w_at(&g, i, j, c, f)];
                        }
                    if (n->a.conv.relu && acc < 0) acc = 0;
                    y[((s * g.Ho + p) * g.Wo + q) * g.F + f] = (float)acc;
                }
}

void nr_ref_conv2d_backward(const nr_exec *x, const nr_node *n) {
    geom g = nr_window_of(n, x->nodes, x->batch);
    const float *in = x->val[n->in[0]], *W = x->val[n->in[1]], *dy = x->grad[NR_ID(x, n)], *y = x->val[NR_ID(x, n)];
    float *dx = x->grad[n->in[0]], *dW = x->grad[n->in[1]];
    float *db = n->n_in > 2 ? x->grad[n->in[2]] : NULL;
    int64_t xs = g.H * g.W * g.C, nc = cg(&g), nf = fg(&g);
    int relu = n->a.conv.relu;
#define AT(s, p, q, f) ((((s) * g.Ho + (p)) * g.Wo + (q)) * g.F + (f))
#define DY(s, p, q, f) (relu && y[AT(s, p, q, f)] <= 0 ? 0.0f : dy[AT(s, p, q, f)])
    for (int64_t f = 0; db && f < g.F; f++) {
        double acc = 0;
        for (int64_t s = 0; s < g.N; s++)
            for (int64_t p = 0; p < g.Ho; p++)
                for (int64_t q = 0; q < g.Wo; q++) acc += DY(s, p, q, f);
        db[f] += (float)acc;
    }
    for (int i = 0; dW && i < g.kh; i++)
        for (int j = 0; j < g.kw; j++)
            for (int64_t c = 0; c < nc; c++)
                for (int64_t f = 0; f < g.F; f++) {
                    double acc = 0;
                    int64_t c0 = f / nf * nc;
                    for (int64_t s = 0; s < g.N; s++)
                        for (int64_t p = 0; p < g.Ho; p++)
                            for (int64_t q = 0; q < g.Wo; q++) {
                                int64_t o = tap_at(&g, p, q, i, j);
                                if (o >= 0) acc += (double)in[s * xs + o + c0 + c] * DY(s, p, q, f);
                            }
                    dW[w_at(&g, i, j, c, f)] += (float)acc;
                }
    for (int64_t s = 0; dx && s < g.N; s++)
        for (int64_t p = 0; p < g.Ho; p++)
            for (int64_t q = 0; q < g.Wo; q++)
                for (int i = 0; i < g.kh; i++)
                    for (int j = 0; j < g.kw; j++) {
                        int64_t o = tap_at(&g, p, q, i, j);
                        if (o < 0) continue;
                        for (int64_t c = 0; c < g.C; c++) {
                            double acc = 0;
                            int64_t f0 = c / nc * nf;
                            for (int64_t f = f0; f < f0 + nf; f++)
                                acc += (double)DY(s, p, q, f) * W[w_at(&g, i, j, c % nc, f)];
                            dx[s * xs + o + c] += (float)acc;
                        }
                    }
#undef DY
#undef AT
}
