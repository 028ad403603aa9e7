/* "Did you mean": edit distance between names and the pick of the closest
 * valid ones for error messages. Candidate lists are small (tens of
 * names), so a quadratic distance per candidate is cheap; names are cut at
 * NR_SUGGEST_MAX_LEN so hostile input stays cheap too. */
#include <string.h>
#include "core/suggest.h"

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; }

static size_t cut_len(const char *s) {
    size_t n = strlen(s);
    return n > NR_SUGGEST_MAX_LEN ? NR_SUGGEST_MAX_LEN : n;
}

static int min3(int a, int b, int c) {
    int m = a < b ? a : b;
    return m < c ? m : c;
}

int nr_edit_distance(const char *a, const char *b) {
    size_t n = cut_len(a), m = cut_len(b);
    /* Three rows: the one before the previous is needed for swaps. */
    int rows[3][NR_SUGGEST_MAX_LEN + 1];
    int *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
    for (size_t j = 0; j <= m; j++) prev[j] = (int)j;
    for (size_t i = 1; i <= n; i++) {
        cur[0] = (int)i;
        for (size_t j = 1; j <= m; j++) {
            int cost = lower(a[i - 1]) != lower(b[j - 1]);
            cur[j] = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
            if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) && lower(a[i - 2]) == lower(b[j - 1]) &&
                prev2[j - 2] + 1 < cur[j])
                cur[j] = prev2[j - 2] + 1;
        }
        int *t = prev2;
        prev2 = prev;
        prev = cur;
        cur = t;
    }
    return prev[m];
}

/* One name starts the other, ignoring case ("Dens" for "Dense"). */
static int is_prefix(const char *a, const char *b) {
    size_t n = strlen(a);
    if (n < 3 || n > strlen(b)) return 0;
    for (size_t i = 0; i < n; i++)
        if (lower(a[i]) != lower(b[i])) return 0;
    return 1;
}

int nr_suggest_close(const char *word, const char *candidate) {
    size_t lw = cut_len(word), lc = cut_len(candidate);
    size_t longest = lw > lc ? lw : lc;
    int d = nr_edit_distance(word, candidate);
    /* About one edit per three letters, as difflib's 0.6 ratio allows. */
    return (size_t)d * 3 <= longest + 2 || is_prefix(word, candidate) || is_prefix(candidate, word);
}

/* Repeats matter in short lists only; long ones (variables) are unique. */
static int seen_before(const char *const *cands, int i) {
    if (i > 256) return 0;
    for (int k = 0; k < i; k++)
        if (cands[k] && strcmp(cands[k], cands[i]) == 0) return 1;
    return 0;
}

static void append(char *buf, size_t size, size_t *len, const char *s) {
    size_t n = strlen(s);
    if (*len + 1 >= size) return;
    if (n > size - *len - 1) n = size - *len - 1;
    memcpy(buf + *len, s, n);
    *len += n;
    buf[*len] = 0;
}

/* The (up to) three candidates with the smallest distance, closest first;
 * with only_close, just those close enough to offer. */
static int best3(const char *word, const char *const *cands, int n, int only_close, int pick[3]) {
    int dist[3], k = 0;
    for (int i = 0; i < n; i++) {
        if (!cands[i] || seen_before(cands, i)) continue;
        if (only_close && !nr_suggest_close(word, cands[i])) continue;
        int d = nr_edit_distance(word, cands[i]);
        int at = k < 3 ? k : 3;
        while (at > 0 && dist[at - 1] > d) at--;
        if (at >= 3) continue;
        for (int j = (k < 3 ? k : 2); j > at; j--) {
            dist[j] = dist[j - 1];
            pick[j] = pick[j - 1];
        }
        dist[at] = d;
        pick[at] = i;
        if (k < 3) k++;
    }
    return k;
}

static void quoted_list(char *buf, size_t size, size_t *len, const char *const *cands, const int *pick, int k,
                        const char *last_sep) {
    for (int i = 0; i < k; i++) {
        if (i) append(buf, size, len, i == k - 1 ? last_sep : ", ");
        append(buf, size, len, "\"");
        append(buf, size, len, cands[pick[i]]);
        append(buf, size, len, "\"");
    }
}

char *nr_suggest(const char *word, const char *const *cands, int n, char *buf, size_t size) {
    size_t len = 0;
    int pick[3];
    if (!size) return buf;
    buf[0] = 0;
    int k = best3(word, cands, n, 1, pick);
    if (k > 0) {
        append(buf, size, &len, "did you mean ");
        quoted_list(buf, size, &len, cands, pick, k, " or ");
        append(buf, size, &len, "?");
        return buf;
    }
    int distinct = 0;
    for (int i = 0; i < n; i++) distinct += cands[i] && !seen_before(cands, i);
    if (distinct == 0) return buf;
    if (distinct <= 12) {
        append(buf, size, &len, "valid: ");
        for (int i = 0, first = 1; i < n; i++) {
            if (!cands[i] || seen_before(cands, i)) continue;
            if (!first) append(buf, size, &len, ", ");
            append(buf, size, &len, cands[i]);
            first = 0;
        }
        return buf;
    }
    k = best3(word, cands, n, 0, pick);
    append(buf, size, &len, "closest: ");
    quoted_list(buf, size, &len, cands, pick, k, ", ");
    return buf;
}
