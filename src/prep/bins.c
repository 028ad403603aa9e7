/* Discretization, as pandas does it: cut(x, K) (equal width), qcut(x, K)
 * (equal frequency), cut(x, edges), or user edges with labels. Bins are
 * right-closed, (a, b]; generated labels are pandas' interval strings,
 * its breaks rounded by _round_frac at the precision _infer_precision
 * finds, printed as Python prints floats. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/fmt.h"
#include "prep/prep_internal.h"

/* ------------------------------------------------------------- labels --- */

/* NumPy's power_of_ten (multiarray/calculation.c), for np.around. */
static double power_of_ten(int n) {
    static const double p10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8};
    if (n < 9) return p10[n];
    double r = 1e9;
    while (n-- > 9) r *= 10.;
    return r;
}

/* pandas' _round_frac: x rounded to precision digits after the leading
 * zeros of its fraction (np.around: rint(x * 10^d) / 10^d). */
static double round_frac(double x, int precision) {
    if (!isfinite(x) || x == 0) return x;
    double whole, frac = modf(x, &whole);
    int digits = whole == 0 ? -(int)floor(log10(fabs(frac))) - 1 + precision : precision;
    double f = power_of_ten(digits);
    return rint(x * f) / f;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int distinct(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    int k = 0;
    for (int i = 0; i < n; i++) k += i == 0 || v[i] != v[i - 1];
    return k;
}

/* pandas' _infer_precision: the first precision from 3 whose rounded
 * breaks are all distinct (else 3). */
static int infer_precision(const double *edges, int n, double *tmp) {
    for (int p = 3; p < 20; p++) {
        for (int i = 0; i < n; i++) tmp[i] = round_frac(edges[i], p);
        if (distinct(tmp, n) == n) return p;
    }
    return 3;
}

nr_status prep_interval_labels(const double *edges, int k, int lowest, prep_strs *labels) {
    double *br = nr_malloc(2 * (size_t)(k + 1) * sizeof *br);
    if (!br) return NR_NOMEM();
    int p = infer_precision(edges, k + 1, br + k + 1);
    for (int i = 0; i <= k; i++) br[i] = round_frac(edges[i], p);
    if (lowest) br[0] -= pow(10.0, -p);
    nr_status s = NR_OK;
    for (int i = 0; s == NR_OK && i < k; i++) {
        char a[NR_FMT_SIZE], b[NR_FMT_SIZE], label[2 * NR_FMT_SIZE + 8];
        snprintf(label, sizeof label, "(%s, %s]", nr_fmt_pyrepr(a, br[i]), nr_fmt_pyrepr(b, br[i + 1]));
        s = prep_strs_add(labels, label);
    }
    nr_free(br);
    return s;
}

/* -------------------------------------------------------------- edges --- */

/* np.linspace(start, stop, n + 1): i * step + start, the end exact. */
static void linspace(double start, double stop, int n, double *out) {
    double step = (stop - start) / n;
    for (int i = 0; i <= n; i++) out[i] = step == 0 ? (double)i / n * (stop - start) + start : i * step + start;
    out[n] = stop;
}

/* np.quantile(sorted v, q), linear method, with NumPy's _lerp. */
static double quantile(const double *v, int64_t n, double q) {
    double virt = (double)(n - 1) * q;
    double prev = floor(virt);
    int64_t lo = (int64_t)prev, hi = lo + 1;
    if (virt >= (double)(n - 1)) lo = hi = n - 1, prev = -1;
    double t = virt - prev, a = v[lo], b = v[hi], d = b - a;
    return t >= 0.5 ? b - d * (1 - t) : a + d * t;
}

/* pandas.cut(x, k): k equal-width bins over [min, max]. */
static void width_edges(const double *v, int64_t n, int k, double *e) {
    double mn = v[0], mx = v[n - 1];
    if (mn == mx) {
        mn -= mn != 0 ? 0.001 * fabs(mn) : 0.001;
        mx += mx != 0 ? 0.001 * fabs(mx) : 0.001;
        linspace(mn, mx, k, e);
        return;
    }
    linspace(mn, mx, k, e);
    e[0] -= (mx - mn) * 0.001;
}

static nr_status freq_edges(prep_step *s, const double *v, int64_t n, int k, double *e) {
    double q[4097];
    linspace(0, 1, k, q);
    for (int i = 0; i <= k; i++) e[i] = quantile(v, n, q[i]);
    for (int i = 0; i < k; i++)
        if (e[i] == e[i + 1]) {
            char a[NR_FMT_SIZE];
            return prep_fail(s, NR_STATUS_BAD_ARGUMENT, "the %d-quantile edges repeat %s: too many values are equal "
                             "for %d bins of equal frequency (pandas: 'Bin edges must be unique'); use fewer bins or "
                             "K:width", k, nr_fmt_pyrepr(a, e[i]), k);
        }
    return NR_OK;
}

/* ------------------------------------------------------------ parsing --- */

/* "<=100:BREVE,<=136:NORMAL,>136:LARGA" */
static nr_status parse_labelled(prep_step *s, const char *arg) {
    int cap = 2;
    for (const char *p = arg; *p; p++) cap += *p == ',';
    if (!(s->nums = nr_malloc((size_t)cap * sizeof *s->nums))) return NR_NOMEM();
    s->nums[0] = -INFINITY;
    s->k = 0;
    for (const char *p = arg; *p;) {
        size_t len = strcspn(p, ",");
        int gt = p[0] == '>';
        const char *num = p + (gt ? 1 : p[0] == '<' && p[1] == '=' ? 2 : 0);
        char *end;
        double e = strtod(num, &end);
        int last = !p[len];
        if (num == p || end == num || *end != ':' || end[1] == 0 || end + 1 > p + len ||
            (gt && (!last || s->k == 0 || e != s->nums[s->k])) || (!gt && s->k && e <= s->nums[s->k]))
            return prep_fail(s, NR_STATUS_BAD_ARGUMENT, "bad bin '%.*s': expected <=EDGE:LABEL with increasing "
                             "edges, and optionally a last >EDGE:LABEL with the last edge", (int)len, p);
        char label[512];
        snprintf(label, sizeof label, "%.*s", (int)(p + len - end - 1), end + 1);
        NR_TRY(prep_strs_add(&s->keys, label));
        s->nums[++s->k] = gt ? INFINITY : e;
        p += len + !last;
    }
    return NR_OK;
}

/* "0,10,20": pandas.cut with these edges. */
static nr_status parse_edges(prep_step *s, const char *arg) {
    int cap = 1;
    for (const char *p = arg; *p; p++) cap += *p == ',';
    if (!(s->nums = nr_malloc((size_t)cap * sizeof *s->nums))) return NR_NOMEM();
    int n = 0;
    for (const char *p = arg; *p;) {
        char *end;
        double e = strtod(p, &end);
        if (end == p || (*end && *end != ',') || isnan(e) || (n && e <= s->nums[n - 1]))
            return prep_fail(s, NR_STATUS_BAD_ARGUMENT, "expected K:width, K:freq, increasing edges E0,E1,... or "
                             "<=E1:LABEL,...,>EK:LABEL");
        s->nums[n++] = e;
        p = *end ? end + 1 : end;
    }
    if (n < 2) return prep_fail(s, NR_STATUS_BAD_ARGUMENT, "give at least two edges");
    s->k = n - 1;
    return NR_OK;
}

static nr_status parse_bins(prep_step *s) {
    const char *arg = s->text;
    char *end;
    long k = strtol(arg, &end, 10);
    if (end != arg && *end == ':') {
        if (strcmp(end, ":width") != 0 && strcmp(end, ":freq") != 0)
            return prep_fail(s, NR_STATUS_BAD_ARGUMENT, "expected K:width or K:freq, got '%s'", arg);
        if (k < 1 || k > 4096) return prep_fail(s, NR_STATUS_BAD_ARGUMENT, "the bin count must be 1 to 4096");
        s->how = end[1] == 'w' ? BINS_WIDTH : BINS_FREQ;
        s->k = (int)k;
        return (s->nums = nr_malloc((size_t)(k + 1) * sizeof *s->nums)) ? NR_OK : NR_NOMEM();
    }
    s->how = strchr(arg, ':') ? BINS_LABELLED : BINS_EDGES;
    return s->how == BINS_LABELLED ? parse_labelled(s, arg) : parse_edges(s, arg);
}

/* ------------------------------------------------------------ fitting --- */

/* The column's non-missing values, sorted; an error for text. */
static nr_status sorted_values(prep_step *s, const nr_frame *f, int col, double **v, int64_t *n) {
    const nr_frame_col *c = &f->cols[col];
    if (c->text) {
        for (int64_t r = 0; r < f->nrows; r++)
            if (c->text[r])
                return prep_fail(s, NR_STATUS_BAD_ARGUMENT, "%s:%lld: column '%s' holds the text '%s' where bins "
                                 "need a number", f->source, (long long)f->lines[r], c->name, c->text[r]);
    }
    *v = nr_malloc((size_t)(f->nrows + 1) * sizeof **v);
    if (!*v) return NR_NOMEM();
    *n = 0;
    for (int64_t r = 0; c->num && r < f->nrows; r++)
        if (!isnan(c->num[r])) (*v)[(*n)++] = c->num[r];
    qsort(*v, (size_t)*n, sizeof **v, cmp_double);
    if (!*n) return prep_fail(s, NR_STATUS_BAD_ARGUMENT, "column '%s' has no values to bin", c->name);
    return NR_OK;
}

static nr_status fit_edges(prep_step *s, double *v, int64_t n) {
    int64_t k = 0;
    for (int64_t i = 0; i < n; i++) k += i == 0 || v[i] != v[i - 1];
    if (s->k > k)
        return prep_fail(s, NR_STATUS_BAD_ARGUMENT, "%d bins but the column has %lld distinct value%s; use at most "
                         "%lld", s->k, (long long)k, k == 1 ? "" : "s", (long long)k);
    if (s->how == BINS_WIDTH) width_edges(v, n, s->k, s->nums);
    else NR_TRY(freq_edges(s, v, n, s->k, s->nums));
    return prep_interval_labels(s->nums, s->k, s->how == BINS_FREQ, &s->keys);
}

static void report_bins(const prep_step *s, const nr_frame *f, FILE *report) {
    static const char *const how[4] = {"of equal width", "of equal frequency", "at the given edges", "as given"};
    int col = nr_frame_col_find(f, s->col), w = 8;
    int64_t *count = nr_calloc((size_t)s->k + 1, sizeof *count);
    if (!count) return;
    for (int64_t r = 0; r < f->nrows; r++) {
        const char *t = f->cols[col].text[r];
        int i = 0;
        while (t && i < s->k && strcmp(s->keys.s[i], t) != 0) i++;
        count[t ? i : s->k]++;
    }
    for (int i = 0; i < s->k; i++) w = (int)strlen(s->keys.s[i]) > w ? (int)strlen(s->keys.s[i]) : w;
    fprintf(report, "bins of '%s': %d %s\n", s->col, s->k, how[s->how]);
    char a[NR_FMT_SIZE], b[NR_FMT_SIZE];
    for (int i = 0; i < s->k; i++)
        fprintf(report, "  %-*s  %8lld   (%s, %s]\n", w, s->keys.s[i], (long long)count[i], nr_fmt_pyrepr(a, s->nums[i]),
                nr_fmt_pyrepr(b, s->nums[i + 1]));
    if (count[s->k]) fprintf(report, "  %-*s  %8lld\n", w, "(missing)", (long long)count[s->k]);
    nr_free(count);
}

nr_status prep_fit_bins(prep_step *s, nr_frame *f, FILE *report) {
    int col;
    double *v = NULL;
    int64_t n = 0;
    NR_TRY(prep_col(s, f, s->col, &col));
    nr_status st = parse_bins(s);
    if (st == NR_OK) st = sorted_values(s, f, col, &v, &n);
    if (st == NR_OK && (s->how == BINS_WIDTH || s->how == BINS_FREQ)) st = fit_edges(s, v, n);
    if (st == NR_OK && s->how == BINS_EDGES) st = prep_interval_labels(s->nums, s->k, 0, &s->keys);
    nr_free(v);
    if (st == NR_OK) st = prep_apply_bins(s, f, 1);
    if (st == NR_OK && report) report_bins(s, f, report);
    return st;
}

/* ----------------------------------------------------------- applying --- */

/* pandas' bin of x: searchsorted(edges, x, 'left') - 1, the first edge
 * included for qcut; -1 outside. New data is clamped to the end bins of
 * edges learned from the training range (width, freq); edges the user
 * gave keep their meaning. */
static int bin_of(const prep_step *s, double x, int fitting) {
    const double *e = s->nums;
    int lo = 0, hi = s->k + 1;   /* first index with e[i] >= x */
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (e[mid] < x) lo = mid + 1;
        else hi = mid;
    }
    if (s->how == BINS_FREQ && x == e[0]) lo = 1;
    if (!fitting && (s->how == BINS_WIDTH || s->how == BINS_FREQ)) lo = lo < 1 ? 1 : lo > s->k ? s->k : lo;
    return lo == 0 || lo == s->k + 1 ? -1 : lo - 1;
}

nr_status prep_apply_bins(const prep_step *s, nr_frame *f, int fitting) {
    int col;
    NR_TRY(prep_col(s, f, s->col, &col));
    nr_frame_col *c = &f->cols[col];
    if (c->text)
        return prep_fail(s, NR_STATUS_BAD_ARGUMENT, "column '%s' holds text where bins need numbers", c->name);
    char **text = nr_calloc((size_t)(f->nrows + 1), sizeof *text);
    if (!text) return NR_NOMEM();
    for (int64_t r = 0; r < f->nrows; r++) {
        int b = isnan(c->num[r]) ? -1 : bin_of(s, c->num[r], fitting);
        if (b >= 0 && !(text[r] = nr_strdup(s->keys.s[b]))) {
            for (int64_t i = 0; i < r; i++) nr_free(text[i]);
            nr_free(text);
            return NR_NOMEM();
        }
    }
    nr_free(c->num);
    c->num = NULL, c->text = text, c->type = NR_CSV_TYPE_TEXT;
    for (int i = 0; i < s->k; i++) NR_TRY(prep_strs_add(&c->levels, s->keys.s[i]));
    return NR_OK;
}
