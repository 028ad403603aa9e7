/* The figures of one text column: its distinct values with their counts,
 * most frequent first (pandas' value_counts, with ties broken by the text
 * so the order is stable), and the modes among them. */
#include <stdlib.h>
#include <string.h>
#include "core/core.h"
#include "stats/stats_internal.h"

static int cmp_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

static int cmp_count(const void *a, const void *b) {
    const nr_text_count *x = a, *y = b;
    if (x->count != y->count) return x->count < y->count ? 1 : -1;
    return strcmp(x->value, y->value);
}

/* The distinct strings of sorted s[0..k) with their counts, copied. */
static nr_status distinct(const char **s, int64_t k, nr_column_stats *cs) {
    int64_t n = 0;
    for (int64_t i = 0; i < k; i++) n += i == 0 || strcmp(s[i], s[i - 1]) != 0;
    nr_text_count *v = nr_calloc((size_t)n + 1, sizeof *v);
    if (!v) return NR_NOMEM();
    cs->values = v;
    for (int64_t i = 0, j; i < k; i = j) {
        for (j = i + 1; j < k && strcmp(s[j], s[i]) == 0; j++) {}
        v[cs->n_values].count = j - i;
        if (!(v[cs->n_values++].value = nr_strdup(s[i]))) return NR_NOMEM();
    }
    qsort(v, (size_t)n, sizeof *v, cmp_count);
    for (int64_t i = 0; i < n && v[0].count > 1 && v[i].count == v[0].count; i++) cs->n_text_modes++;
    return NR_OK;
}

nr_status nr_stats_text(const nr_csv *csv, int col, nr_column_stats *cs) {
    int64_t rows = nr_csv_num_rows(csv), k = 0;
    const char **s = nr_malloc(((size_t)rows + 1) * sizeof *s);
    if (!s) return NR_NOMEM();
    for (int64_t r = 0; r < rows; r++)
        if (!nr_csv_is_missing(csv, r, col)) s[k++] = nr_csv_text(csv, r, col);
    cs->count = k, cs->missing = rows - k;
    qsort(s, (size_t)k, sizeof *s, cmp_str);
    nr_status st = distinct(s, k, cs);
    nr_free(s);
    return st;
}
