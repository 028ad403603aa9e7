/* CSV reader. The whole (decompressed) file is read into memory and lexed
 * in up to two passes. The first checks the syntax, classifies every cell
 * (number, missing, text) and keeps every cell's numeric value, row-major;
 * the counts then decide the header and the column types. The second pass
 * only runs for what the first could not keep: the header names and the
 * cells of text columns, which go to one string arena. So a numeric file
 * is converted once, and no column "turns out to be text after 10^6
 * numbers" halfway through.
 *
 * Both passes share the lexer and so agree by construction; the second can
 * only fail on memory. */
#include <math.h>
#include <string.h>
#include "core/core.h"
#include "data/csv_internal.h"
#include "data/data_internal.h"

enum { KIND_MISSING, KIND_NUMBER, KIND_TEXT };

typedef struct lexer {
    const char *path;
    char *p;             /* the file, NUL-terminated (strtod relies on it) */
    size_t n, pos;
    int64_t line;        /* 1-based line of p[pos] */
    size_t line_start;   /* offset of that line's first byte */
    char delim;
    char *scratch;       /* unescaped copy of a quoted field with "" in it */
    size_t scap;
} lexer;

typedef struct field {
    char *s;             /* not NUL-terminated; s[len] is readable */
    size_t len;
    int64_t line, col;   /* where the field starts (1-based) */
    int64_t end_col;     /* column just past the field */
} field;

static int is_blank(const lexer *lx, char c) {
    return (c == ' ' || c == '\t') && c != lx->delim;
}

static int64_t lex_col(const lexer *lx) { return (int64_t)(lx->pos - lx->line_start) + 1; }

/* Consumes one line break (LF, CRLF or CR) at pos. */
static void lex_newline(lexer *lx) {
    if (lx->p[lx->pos] == '\r' && lx->pos + 1 < lx->n && lx->p[lx->pos + 1] == '\n') lx->pos++;
    lx->pos++;
    lx->line++;
    lx->line_start = lx->pos;
}

static nr_status scratch_append(lexer *lx, size_t *k, const char *s, size_t len) {
    if (*k + len + 1 > lx->scap) {
        size_t cap = lx->scap ? lx->scap : 256;
        while (cap < *k + len + 1) cap *= 2;
        char *b = nr_realloc(lx->scratch, cap);
        if (!b) return NR_NOMEM();
        lx->scratch = b;
        lx->scap = cap;
    }
    memcpy(lx->scratch + *k, s, len);
    *k += len;
    lx->scratch[*k] = 0;
    return NR_OK;
}

/* A quoted field; pos is just past the opening quote. Copies only when a
 * doubled quote needs unescaping, so big plain fields are never copied. */
static nr_status lex_quoted(lexer *lx, field *f) {
    size_t start = lx->pos, seg = lx->pos, k = 0;
    int copied = 0;
    for (;;) {
        if (lx->pos >= lx->n)
            return nr_error(NR_STATUS_PARSE, "%s:%lld:%lld: unterminated quoted field (opening quote here)",
                            lx->path, (long long)f->line, (long long)f->col);
        char c = lx->p[lx->pos];
        if (c == '"') {
            if (lx->pos + 1 < lx->n && lx->p[lx->pos + 1] == '"') {
                NR_TRY(scratch_append(lx, &k, lx->p + seg, lx->pos + 1 - seg));
                copied = 1;
                lx->pos += 2;
                seg = lx->pos;
                continue;
            }
            break;
        }
        lx->pos++;
        if (c == '\n' || (c == '\r' && lx->p[lx->pos] != '\n')) {
            lx->line++;
            lx->line_start = lx->pos;
        }
    }
    if (copied) {
        NR_TRY(scratch_append(lx, &k, lx->p + seg, lx->pos - seg));
        f->s = lx->scratch;
        f->len = k;
    } else {
        f->s = lx->p + start;
        f->len = lx->pos - start;
    }
    lx->pos++;   /* the closing quote */
    while (lx->pos < lx->n && is_blank(lx, lx->p[lx->pos])) lx->pos++;
    char c = lx->pos < lx->n ? lx->p[lx->pos] : 0;
    if (lx->pos < lx->n && c != lx->delim && c != '\n' && c != '\r')
        return nr_error(NR_STATUS_PARSE,
                        "%s:%lld:%lld: unexpected character '%c' after a closing quote "
                        "(write a quote inside a quoted field as \"\")",
                        lx->path, (long long)lx->line, (long long)lex_col(lx), c);
    return NR_OK;
}

static void lex_unquoted(lexer *lx, field *f) {
    size_t start = lx->pos;
    while (lx->pos < lx->n) {
        char c = lx->p[lx->pos];
        if (c == lx->delim || c == '\n' || c == '\r') break;
        lx->pos++;
    }
    size_t end = lx->pos;
    while (end > start && is_blank(lx, lx->p[end - 1])) end--;
    f->s = lx->p + start;
    f->len = end - start;
}

/* Reads one field and the separator after it; *row_end is set when that
 * separator ended the row (line break or end of file). */
static nr_status lex_field(lexer *lx, field *f, int *row_end) {
    while (lx->pos < lx->n && is_blank(lx, lx->p[lx->pos])) lx->pos++;
    f->line = lx->line;
    f->col = lex_col(lx);
    if (lx->pos < lx->n && lx->p[lx->pos] == '"') {
        lx->pos++;
        NR_TRY(lex_quoted(lx, f));
    } else {
        lex_unquoted(lx, f);
    }
    f->end_col = lex_col(lx);
    if (lx->pos >= lx->n) {
        *row_end = 1;
    } else if (lx->p[lx->pos] == lx->delim) {
        lx->pos++;
        *row_end = 0;
    } else {
        lex_newline(lx);
        *row_end = 1;
    }
    return NR_OK;
}

/* Skips empty and blank lines; returns 0 at the end of the file. */
static int lex_next_row(lexer *lx) {
    for (;;) {
        size_t q = lx->pos;
        while (q < lx->n && is_blank(lx, lx->p[q])) q++;
        if (q >= lx->n) {
            lx->pos = lx->n;
            return 0;
        }
        if (lx->p[q] != '\n' && lx->p[q] != '\r') return 1;
        lx->pos = q;
        lex_newline(lx);
    }
}

static void lex_init(lexer *lx, const char *path, char *buf, size_t n, char delim) {
    memset(lx, 0, sizeof *lx);
    lx->path = path;
    lx->p = buf;
    lx->n = n;
    lx->line = 1;
    lx->delim = delim;
    if (n >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) lx->pos = lx->line_start = 3;
}

/* ------------------------------------------------------------ cells --- */

static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c; }

/* Called for every cell, so it rejects on the first byte: every token
 * but "" and "?" starts with 'n'. */
static int is_missing_token(const char *s, size_t len) {
    if (len == 0) return 1;
    char c = lower(s[0]);
    if (c == '?') return len == 1;
    if (c != 'n' || len < 2 || len > 4) return 0;
    char low[4];
    for (size_t i = 0; i < len; i++) low[i] = lower(s[i]);
    if (len == 2) return memcmp(low, "na", 2) == 0;
    if (len == 3) return memcmp(low, "nan", 3) == 0 || memcmp(low, "n/a", 3) == 0;
    return memcmp(low, "null", 4) == 0;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* Decimal syntax: [+-] digits [. digits] [(e|E) [+-] digits], with at
 * least one mantissa digit. Sets *plain for short integers, which are
 * converted exactly without strtod (most numbers in data files). */
static int is_decimal(const char *s, size_t len, int *plain) {
    size_t i = 0, nd = 0;
    if (i < len && (s[i] == '+' || s[i] == '-')) i++;
    while (i < len && is_digit(s[i])) i++, nd++;
    *plain = i == len && nd > 0 && nd <= 15;
    if (i < len && s[i] == '.') {
        i++;
        while (i < len && is_digit(s[i])) i++, nd++;
    }
    if (nd == 0) return 0;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-')) i++;
        size_t ne = 0;
        while (i < len && is_digit(s[i])) i++, ne++;
        if (ne == 0) return 0;
    }
    return i == len;
}

static double parse_plain(const char *s, size_t len) {
    size_t i = 0;
    int neg = s[0] == '-';
    if (s[0] == '+' || s[0] == '-') i++;
    int64_t v = 0;
    for (; i < len; i++) v = v * 10 + (s[i] - '0');
    return neg ? -(double)v : (double)v;
}

/* Classifies a cell and, for numbers, converts it. s[len] must be
 * writable: it is briefly set to NUL for strtod. */
static int classify(char *s, size_t len, double *v) {
    while (len && (*s == ' ' || *s == '\t')) s++, len--;
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t')) len--;
    if (is_missing_token(s, len)) {
        *v = NAN;
        return KIND_MISSING;
    }
    int plain = 0;
    if (!is_decimal(s, len, &plain)) return KIND_TEXT;
    if (plain) {
        *v = parse_plain(s, len);
    } else {
        char save = s[len];
        s[len] = 0;
        *v = strtod(s, NULL);
        s[len] = save;
    }
    return KIND_NUMBER;
}

/* Trimmed view of a NUL-terminated cell, for cells already stored. */
static const char *trim(const char *s, size_t *len) {
    *len = strlen(s);
    while (*len && (*s == ' ' || *s == '\t')) s++, (*len)--;
    while (*len && (s[*len - 1] == ' ' || s[*len - 1] == '\t')) (*len)--;
    return s;
}

int nr_csv_text_is_missing(const char *s) {
    size_t len;
    s = trim(s, &len);
    return is_missing_token(s, len);
}

int nr_csv_text_is_number(const char *s) {
    size_t len;
    int plain;
    s = trim(s, &len);
    return !is_missing_token(s, len) && is_decimal(s, len, &plain);
}

/* ----------------------------------------------------------- pass 1 --- */

typedef struct scan {
    int ncols;
    int64_t nrows;        /* every row, header candidate included */
    int64_t first_line;
    unsigned char *first; /* kinds of the first row's cells */
    size_t first_cap;
    int second_has_number;
    int64_t *below;       /* per column: text, number, missing counts of rows 2.. */
    double *vals;         /* every cell, row-major; NaN unless a number */
    size_t nvals, vals_cap;
    int64_t *lines;       /* the line each row starts on */
    size_t lines_cap;
} scan;

/* Reallocates p for at least need elements, doubling *cap; NULL (p and
 * *cap untouched) when out of memory. */
static void *grow(void *p, size_t *cap, size_t need, size_t elem) {
    size_t c = *cap ? *cap : 1024;
    while (c < need) {
        if (c > SIZE_MAX / 2 / elem) return NULL;
        c *= 2;
    }
    void *b = nr_realloc(p, c * elem);
    if (b) *cap = c;
    return b;
}

static nr_status ragged(const lexer *lx, const scan *sc, int64_t line, int64_t col, int found) {
    return nr_error(NR_STATUS_PARSE, "%s:%lld:%lld: ragged row: expected %d fields (as on line %lld), found %d",
                    lx->path, (long long)line, (long long)col, sc->ncols, (long long)sc->first_line, found);
}

/* Counts the cell's kind for header detection and column typing, and
 * keeps its value so numeric cells are converted once. */
static nr_status scan_cell(scan *sc, int fi, int kind, double v) {
    if (sc->nvals == sc->vals_cap) {
        double *b = grow(sc->vals, &sc->vals_cap, sc->nvals + 1, sizeof *b);
        if (!b) return NR_NOMEM();
        sc->vals = b;
    }
    sc->vals[sc->nvals++] = kind == KIND_NUMBER ? v : NAN;
    if (sc->nrows == 0) {
        if ((size_t)fi == sc->first_cap) {
            unsigned char *b = grow(sc->first, &sc->first_cap, (size_t)fi + 1, 1);
            if (!b) return NR_NOMEM();
            sc->first = b;
        }
        sc->first[fi] = (unsigned char)kind;
    } else {
        sc->below[3 * fi + (kind == KIND_TEXT ? 0 : kind == KIND_NUMBER ? 1 : 2)]++;
        if (sc->nrows == 1 && kind == KIND_NUMBER) sc->second_has_number = 1;
    }
    return NR_OK;
}

static nr_status scan_row(lexer *lx, scan *sc) {
    int64_t line = lx->line, bad_col = 0;
    int fi = 0, end = 0;
    field f;
    if ((size_t)sc->nrows == sc->lines_cap) {
        int64_t *b = grow(sc->lines, &sc->lines_cap, (size_t)sc->nrows + 1, sizeof *b);
        if (!b) return NR_NOMEM();
        sc->lines = b;
    }
    sc->lines[sc->nrows] = line;
    while (!end) {
        NR_TRY(lex_field(lx, &f, &end));
        double v = NAN;
        int kind = classify(f.s, f.len, &v);
        if (sc->nrows == 0 || fi < sc->ncols) NR_TRY(scan_cell(sc, fi, kind, v));
        else if (fi == sc->ncols) bad_col = f.col;
        if (fi == INT32_MAX - 1) return nr_error(NR_STATUS_PARSE, "%s:%lld: too many fields", lx->path, (long long)line);
        fi++;
    }
    if (sc->nrows == 0) {
        sc->ncols = fi;
        sc->first_line = line;
        sc->below = nr_calloc((size_t)fi * 3, sizeof *sc->below);
        if (!sc->below) return NR_NOMEM();
    } else if (fi != sc->ncols) {
        return ragged(lx, sc, line, fi > sc->ncols ? bad_col : f.end_col, fi);
    }
    sc->nrows++;
    return NR_OK;
}

static nr_status scan_file(lexer *lx, scan *sc) {
    while (lex_next_row(lx)) NR_TRY(scan_row(lx, sc));
    return NR_OK;
}

/* The documented rule: a text first-row field over a numeric column, or
 * a first row without numbers over a row with one. A missing token alone
 * does not make a header: "NA,1,2" is far more often data than names. */
static int detect_header(const scan *sc) {
    if (sc->nrows < 2) return 0;
    int any_number = 0, any_text = 0;
    for (int c = 0; c < sc->ncols; c++) {
        const int64_t *b = sc->below + 3 * c;
        if (sc->first[c] == KIND_TEXT && b[0] == 0 && b[1] > 0) return 1;
        any_number |= sc->first[c] == KIND_NUMBER;
        any_text |= sc->first[c] == KIND_TEXT;
    }
    return !any_number && any_text && sc->second_has_number;
}

/* ----------------------------------------------------------- pass 2 --- */

static nr_status arena_add(nr_csv *csv, const char *s, size_t len, int64_t *off) {
    if (len == 0) {  /* offset 0 holds the shared empty string */
        *off = 0;
        return NR_OK;
    }
    if (csv->arena_len + len + 1 > csv->arena_cap) {
        char *b = grow(csv->arena, &csv->arena_cap, csv->arena_len + len + 1, 1);
        if (!b) return NR_NOMEM();
        csv->arena = b;
    }
    *off = (int64_t)csv->arena_len;
    memcpy(csv->arena + csv->arena_len, s, len);
    csv->arena[csv->arena_len + len] = 0;
    csv->arena_len += len + 1;
    return NR_OK;
}

static nr_status fill_header(lexer *lx, nr_csv *csv) {
    field f;
    int end = 0;
    for (int c = 0; !end; c++) {
        NR_TRY(lex_field(lx, &f, &end));
        csv->names[c] = nr_malloc(f.len + 1);
        if (!csv->names[c]) return NR_NOMEM();
        memcpy(csv->names[c], f.s, f.len);
        csv->names[c][f.len] = 0;
    }
    return NR_OK;
}

/* Only text cells are left to store; numbers were kept by pass 1. */
static nr_status fill_row(lexer *lx, nr_csv *csv, int64_t r) {
    field f;
    int end = 0;
    for (int c = 0; !end; c++) {
        NR_TRY(lex_field(lx, &f, &end));
        if (csv->types[c] == NR_CSV_TYPE_TEXT)
            NR_TRY(arena_add(csv, f.s, f.len, &csv->text[csv->slot[c] * csv->nrows + r]));
    }
    return NR_OK;
}

static nr_status fill_names(nr_csv *csv) {
    for (int c = 0; c < csv->ncols; c++) {
        char buf[16];
        snprintf(buf, sizeof buf, "%d", c);
        csv->names[c] = nr_strdup(buf);
        if (!csv->names[c]) return NR_NOMEM();
    }
    return NR_OK;
}

/* Takes pass 1's values and line numbers, minus the header row. */
static void take_scan(nr_csv *csv, scan *sc) {
    size_t skip = csv->has_header ? (size_t)csv->ncols : 0, n = (size_t)(csv->nrows * csv->ncols);
    memmove(sc->vals, sc->vals + skip, n * sizeof *sc->vals);
    memmove(sc->lines, sc->lines + csv->has_header, (size_t)csv->nrows * sizeof *sc->lines);
    csv->num = sc->vals;
    csv->lines = sc->lines;
    sc->vals = NULL;
    sc->lines = NULL;
}

/* Types and missing counts over the data rows, then storage. */
static nr_status table_alloc(nr_csv *csv, scan *sc) {
    int nc = sc->ncols;
    csv->names = nr_calloc((size_t)nc, sizeof *csv->names);
    csv->types = nr_calloc((size_t)nc, sizeof *csv->types);
    csv->missing = nr_calloc((size_t)nc, sizeof *csv->missing);
    csv->slot = nr_calloc((size_t)nc, sizeof *csv->slot);
    csv->arena_cap = 4096;
    csv->arena = nr_malloc(csv->arena_cap);
    if (!csv->names || !csv->types || !csv->missing || !csv->slot || !csv->arena) return NR_NOMEM();
    csv->arena[0] = 0;
    csv->arena_len = 1;
    int64_t ntext = 0;
    for (int c = 0; c < nc; c++) {
        const int64_t *b = sc->below + 3 * c;
        int first = csv->has_header ? KIND_MISSING : sc->first[c];
        int text = b[0] > 0 || (!csv->has_header && first == KIND_TEXT);
        csv->types[c] = text ? NR_CSV_TYPE_TEXT : NR_CSV_TYPE_NUMERIC;
        csv->missing[c] = b[2] + (!csv->has_header && first == KIND_MISSING);
        csv->slot[c] = text ? ntext++ : -1;
    }
    csv->ntext = ntext;
    if (ntext && (uint64_t)ntext > SIZE_MAX / sizeof(int64_t) / (uint64_t)csv->nrows) return NR_NOMEM();
    if (ntext && !(csv->text = nr_malloc((size_t)(ntext * csv->nrows) * sizeof(int64_t)))) return NR_NOMEM();
    take_scan(csv, sc);
    return NR_OK;
}

/* Pass 2: header names, and text cells when there are text columns. */
static nr_status fill_table(lexer *lx, nr_csv *csv) {
    if (csv->has_header) {
        lex_next_row(lx);
        NR_TRY(fill_header(lx, csv));
    } else {
        NR_TRY(fill_names(csv));
    }
    for (int64_t r = 0; csv->ntext && r < csv->nrows; r++) {
        lex_next_row(lx);
        NR_TRY(fill_row(lx, csv, r));
    }
    return NR_OK;
}

/* ------------------------------------------------------------- read --- */

static nr_status check_nul(const char *path, const char *buf, size_t n) {
    const char *z = memchr(buf, 0, n);
    if (!z) return NR_OK;
    int64_t line = 1;
    const char *ls = buf;
    for (const char *q = buf; q < z; q++)
        if (*q == '\n') line++, ls = q + 1;
    return nr_error(NR_STATUS_PARSE, "%s:%lld:%lld: NUL byte in the file (is it a binary file?)", path,
                    (long long)line, (long long)(z - ls) + 1);
}

static nr_status parse(nr_csv *csv, char *buf, size_t n, int header, char delim) {
    lexer lx;
    scan sc;
    memset(&sc, 0, sizeof sc);
    lex_init(&lx, csv->path, buf, n, delim);
    nr_status s = scan_file(&lx, &sc);
    if (s == NR_OK && sc.nrows == 0) s = nr_error(NR_STATUS_PARSE, "%s: empty file", csv->path);
    if (s == NR_OK) {
        csv->has_header = header == 1 || (header == 0 && detect_header(&sc));
        csv->ncols = sc.ncols;
        csv->nrows = sc.nrows - csv->has_header;
        if (csv->nrows == 0)
            s = nr_error(NR_STATUS_PARSE, "%s: no data rows (the file holds only a header)", csv->path);
    }
    if (s == NR_OK) s = table_alloc(csv, &sc);
    if (s == NR_OK) {
        nr_free(lx.scratch);
        lex_init(&lx, csv->path, buf, n, delim);
        s = fill_table(&lx, csv);
    }
    nr_free(lx.scratch);
    nr_free(sc.first);
    nr_free(sc.below);
    nr_free(sc.vals);
    nr_free(sc.lines);
    return s;
}

nr_status nr_csv_read(const char *path, const nr_csv_opts *opts, nr_csv **out) {
    if (!out) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_csv_read: out is NULL");
    *out = NULL;
    if (!path) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_csv_read: path is NULL");
    nr_csv_opts o = opts ? *opts : (nr_csv_opts){0};
    if (!o.delimiter) o.delimiter = ',';
    if (o.delimiter == '"' || o.delimiter == '\n' || o.delimiter == '\r')
        return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_csv_read: delimiter cannot be a quote or a line break");
    if (o.header < -1 || o.header > 1)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_csv_read: header must be -1, 0 or 1, not %d", o.header);
    char *buf = NULL;
    size_t n = 0;
    NR_TRY(nr_data_read_all(path, &buf, &n));
    nr_status s = check_nul(path, buf, n);
    nr_csv *csv = s == NR_OK ? nr_calloc(1, sizeof *csv) : NULL;
    if (s == NR_OK && !csv) s = NR_NOMEM();
    if (s == NR_OK && !(csv->path = nr_strdup(path))) s = NR_NOMEM();
    if (s == NR_OK) csv->delim = o.delimiter;
    if (s == NR_OK) s = parse(csv, buf, n, o.header, o.delimiter);
    nr_free(buf);
    if (s != NR_OK) {
        nr_csv_free(csv);
        return s;
    }
    *out = csv;
    return NR_OK;
}

void nr_csv_free(nr_csv *csv) {
    if (!csv) return;
    if (csv->names)
        for (int c = 0; c < csv->ncols; c++) nr_free(csv->names[c]);
    nr_free(csv->names);
    nr_free(csv->types);
    nr_free(csv->missing);
    nr_free(csv->slot);
    nr_free(csv->lines);
    nr_free(csv->num);
    nr_free(csv->text);
    nr_free(csv->arena);
    nr_free(csv->path);
    nr_free(csv);
}

/* ---------------------------------------------------- cell columns --- */

/* Lexes rows up to row index target (header included) and returns the
 * column of field col there, 0 when the file changed under us. */
static int64_t find_cell_col(lexer *lx, int64_t target, int col) {
    field f;
    for (int64_t r = 0; lex_next_row(lx); r++) {
        int end = 0;
        for (int c = 0; !end; c++) {
            if (lex_field(lx, &f, &end) != NR_OK) return 0;
            if (r == target && c == col) return f.col;
        }
        if (r == target) return 0;
    }
    return 0;
}

int64_t nr_csv_cell_col(const nr_csv *csv, int64_t row, int col) {
    char *buf = NULL;
    size_t n = 0;
    if (csv->derived) return 0;
    if (nr_data_read_all(csv->path, &buf, &n) != NR_OK) {
        nr_clear_error();
        return 0;
    }
    lexer lx;
    lex_init(&lx, csv->path, buf, n, csv->delim);
    int64_t where = find_cell_col(&lx, row + csv->has_header, col);
    nr_clear_error();
    nr_free(lx.scratch);
    nr_free(buf);
    return where;
}

/* -------------------------------------------------------- accessors --- */

static int col_ok(const nr_csv *csv, int col) { return csv && col >= 0 && col < csv->ncols; }

static int cell_ok(const nr_csv *csv, int64_t row, int col) {
    return col_ok(csv, col) && row >= 0 && row < csv->nrows;
}

const char *nr_csv_path(const nr_csv *csv) { return csv ? csv->path : NULL; }
int64_t nr_csv_num_rows(const nr_csv *csv) { return csv ? csv->nrows : 0; }
int nr_csv_num_cols(const nr_csv *csv) { return csv ? csv->ncols : 0; }
int nr_csv_has_header(const nr_csv *csv) { return csv ? csv->has_header : 0; }

const char *nr_csv_col_name(const nr_csv *csv, int col) {
    return col_ok(csv, col) ? csv->names[col] : NULL;
}

int nr_csv_col_find(const nr_csv *csv, const char *name) {
    if (!csv || !name) return -1;
    for (int c = 0; c < csv->ncols; c++)
        if (strcmp(csv->names[c], name) == 0) return c;
    return -1;
}

nr_csv_type nr_csv_col_type(const nr_csv *csv, int col) {
    return col_ok(csv, col) ? csv->types[col] : NR_CSV_TYPE_NUMERIC;
}

int64_t nr_csv_col_missing(const nr_csv *csv, int col) {
    return col_ok(csv, col) ? csv->missing[col] : -1;
}

double nr_csv_value(const nr_csv *csv, int64_t row, int col) {
    if (!cell_ok(csv, row, col) || csv->types[col] != NR_CSV_TYPE_NUMERIC) return NAN;
    return csv->num[row * csv->ncols + col];
}

const char *nr_csv_text(const nr_csv *csv, int64_t row, int col) {
    if (!cell_ok(csv, row, col) || csv->types[col] != NR_CSV_TYPE_TEXT) return NULL;
    return csv->arena + csv->text[csv->slot[col] * csv->nrows + row];
}

int nr_csv_is_missing(const nr_csv *csv, int64_t row, int col) {
    if (!cell_ok(csv, row, col)) return 0;
    if (csv->types[col] == NR_CSV_TYPE_NUMERIC) return isnan(nr_csv_value(csv, row, col));
    return nr_csv_text_is_missing(nr_csv_text(csv, row, col));
}

int64_t nr_csv_row_line(const nr_csv *csv, int64_t row) {
    return csv && row >= 0 && row < csv->nrows ? csv->lines[row] : -1;
}

void nr_csv_print_summary(const nr_csv *csv, FILE *f) {
    if (!csv || !f) return;
    fprintf(f, "%s: %lld rows x %d columns%s\n", csv->path, (long long)csv->nrows, csv->ncols,
            csv->has_header ? " (header)" : " (no header)");
    for (int c = 0; c < csv->ncols; c++)
        fprintf(f, "  %3d %-24s %-7s %lld missing\n", c, csv->names[c],
                csv->types[c] == NR_CSV_TYPE_TEXT ? "text" : "numeric", (long long)csv->missing[c]);
}
