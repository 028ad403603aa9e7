/* Data preparation against pandas and scikit-learn: every case of
 * tests/fixtures/metrics/prep.txt (scripts/gen_metrics_goldens.py), fitted
 * and, after a round trip through the pipeline's text, applied to the same
 * data again, to 1e-9 and text for text; then the errors. */
#include <unistd.h>
#include "metrics/golden.h"
#include "neurona/prep.h"

static char tmp_path[64];

/* The CSV text as a table, through a temporary file. */
static nr_csv *read_csv_text(const char *text) {
    snprintf(tmp_path, sizeof tmp_path, "/tmp/nr_prep_XXXXXX");
    int fd = mkstemp(tmp_path);
    if (fd < 0) return NULL;
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    nr_csv *csv = NULL;
    CHECK_OK(nr_csv_read(tmp_path, NULL, &csv));
    unlink(tmp_path);
    return csv;
}

static nr_frame *frame_of(const char *text) {
    nr_csv *csv = read_csv_text(text);
    nr_frame *f = NULL;
    if (csv) CHECK_OK(nr_frame_from_csv(csv, &f));
    nr_csv_free(csv);
    return f;
}

static nr_status add_steps(nr_prep *p, char **steps, int n) {
    for (int i = 0; i < n; i++) {
        char *sp = strchr(steps[i], ' ');
        *sp = 0;
        nr_status s = nr_prep_add(p, steps[i], sp + 1);
        *sp = ' ';
        if (s != NR_OK) return s;
    }
    return NR_OK;
}

static void check_text_col(const golden *g, const nr_frame *f, int c, const char *key) {
    int n;
    char **want = golden_strings(g, key, &n);
    int ok = want && n == nr_frame_num_rows(f);
    for (int64_t r = 0; ok && r < n; r++) {
        const char *got = nr_frame_text(f, r, c);
        ok = strcmp(got ? got : "<NA>", want[r]) == 0;
        if (!ok) fprintf(stderr, "  %s/%s[%lld]: got '%s', want '%s'\n", g->name, key, (long long)r, got, want[r]);
    }
    if (!want) fprintf(stderr, "  %s: %s is text here, numbers in pandas\n", g->name, key);
    CHECK(ok);
    free(want);
}

static void check_frame(const golden *g, const nr_frame *f) {
    int n;
    char **cols = golden_strings(g, "columns", &n);
    if (!CHECK(cols && n == nr_frame_num_cols(f))) fprintf(stderr, "  %s: %d columns, want %d\n", g->name, nr_frame_num_cols(f), n);
    for (int c = 0; cols && c < n && c < nr_frame_num_cols(f); c++) {
        char key[600];
        if (!CHECK(strcmp(nr_frame_col_name(f, c), cols[c]) == 0))
            fprintf(stderr, "  %s: column %d is '%s', want '%s'\n", g->name, c, nr_frame_col_name(f, c), cols[c]);
        if (nr_frame_col_type(f, c) == NR_CSV_TYPE_TEXT) {
            snprintf(key, sizeof key, "text:%s", cols[c]);
            check_text_col(g, f, c, key);
            continue;
        }
        int64_t rows = nr_frame_num_rows(f);
        double *v = malloc((size_t)(rows + 1) * sizeof *v);
        for (int64_t r = 0; r < rows; r++) v[r] = nr_frame_value(f, r, c);
        snprintf(key, sizeof key, "num:%s", cols[c]);
        golden_check(g, key, v, rows);
        free(v);
    }
    free(cols);
}

static void prep_case(const golden *g) {
    char *csv = golden_text(g, "csv");
    int n;
    char **steps = golden_strings(g, "steps", &n);
    nr_frame *f = frame_of(csv), *f2 = frame_of(csv);
    nr_prep *p = NULL, *back = NULL;
    char *text = NULL;
    CHECK_OK(nr_prep_new(&p));
    CHECK_OK(add_steps(p, steps, n));
    CHECK_OK(nr_prep_fit_transform(p, f, NULL));
    check_frame(g, f);
    CHECK_OK(nr_prep_to_text(p, &text));
    CHECK_OK(nr_prep_from_text(text, "test", &back));
    if (back) {
        CHECK_OK(nr_prep_transform(back, f2));
        check_frame(g, f2);
    }
    nr_prep_free_text(text);
    nr_prep_free(back);
    nr_prep_free(p);
    nr_frame_free(f);
    nr_frame_free(f2);
    free(steps);
    free(csv);
}

static const char cars[] = "length,mpg,fuel,size\n90,30,gas,small\n120,,diesel,mid\n140,22,gas,large\n"
                           "100,28,electric,small\n136,25,gas,mid\n";

/* Fitting one step on cars fails with needle in the message. */
static void fit_fails(const char *step, const char *arg, const char *needle) {
    nr_frame *f = frame_of(cars);
    nr_prep *p = NULL;
    CHECK_OK(nr_prep_new(&p));
    nr_status s = nr_prep_add(p, step, arg);
    if (s == NR_OK) s = nr_prep_fit_transform(p, f, NULL);
    if (!CHECK(s != NR_OK && strstr(nr_last_error(), needle)))
        fprintf(stderr, "  %s %s: status %s, message '%s' (wanted '%s')\n", step, arg, nr_status_str(s), nr_last_error(),
                needle);
    nr_prep_free(p);
    nr_frame_free(f);
}

/* A pipeline fitted on cars, applied to other data. */
static nr_status apply_to(const char *step, const char *arg, const char *target, const char *data) {
    nr_frame *f = frame_of(cars), *g = frame_of(data);
    nr_prep *p = NULL;
    CHECK_OK(nr_prep_new(&p));
    CHECK_OK(nr_prep_add(p, step, arg));
    CHECK_OK(nr_prep_set_target(p, target));
    CHECK_OK(nr_prep_fit_transform(p, f, NULL));
    nr_status s = nr_prep_transform(p, g);
    nr_prep_free(p);
    nr_frame_free(f);
    nr_frame_free(g);
    return s;
}

static void errors(void) {
    fit_fails("fill", "weight=mean", "no column 'weight'; the columns are length, mpg, fuel, size");
    fit_fails("bins", "fuel=3:width", "column 'fuel' holds the text 'gas' where bins need a number");
    fit_fails("normalize", "fuel=zscore", "holds the text 'gas' where normalize needs a number");
    fit_fails("bins", "length=6:width", "6 bins but the column has 5 distinct values");
    fit_fails("bins", "mpg=5:freq", "5 bins but the column has 4 distinct values");
    fit_fails("fill", "fuel=mean", "a text column is filled with its mode or a value");
    fit_fails("fill", "mpg=abc", "column 'mpg' is numeric but 'abc' is not a number");
    fit_fails("ordinal", "size=small,mid", "holds 'large', which is not one of small, mid");
    fit_fails("bins", "length=<=100:A,>90:B", "bad bin '>90:B'");
    fit_fails("bins", "length=3:wide", "expected K:width");
    fit_fails("normalize", "length=minmax:1,0", "minmax:A,B (A < B)");
    fit_fails("sort", "length", "unknown step 'sort'");
    fit_fails("onehot", "fuel=1", "no '='");
    /* qcut with repeated edges: pandas' "Bin edges must be unique". */
    nr_frame *f = frame_of("x\n1\n1\n1\n1\n2\n3\n");
    nr_prep *p = NULL;
    CHECK_OK(nr_prep_new(&p));
    CHECK_OK(nr_prep_add(p, "bins", "x=3:freq"));
    CHECK(nr_prep_fit_transform(p, f, NULL) == NR_STATUS_BAD_ARGUMENT && strstr(nr_last_error(), "edges repeat"));
    nr_prep_free(p);
    nr_frame_free(f);
    /* Another header; the target may be left out; unseen values. */
    nr_status s = apply_to("fill", "mpg=mean", NULL, "length,mpg,size,fuel\n1,2,small,gas\n");
    CHECK(s == NR_STATUS_BAD_ARGUMENT && strstr(nr_last_error(), "the header is length,mpg,size,fuel but the prep "
                                                "steps were fitted on length,mpg,fuel,size"));
    CHECK_OK(apply_to("ordinal", "size=small,mid,large", "size", "length,mpg,fuel\n1,2,gas\n"));
    s = apply_to("onehot", "fuel", NULL, "length,mpg,fuel,size\n1,2,hydrogen,small\n");
    CHECK(s == NR_STATUS_BAD_ARGUMENT && strstr(nr_last_error(), "holds 'hydrogen', which is not one of diesel, "
                                                "electric, gas"));
    nr_prep *bad = NULL;
    CHECK(nr_prep_from_text("neurona prep 9\n", "m.nrm", &bad) == NR_STATUS_BAD_VERSION);
    CHECK(nr_prep_from_text("neurona prep 1\ninput a\nstep bins\noption x\ncolumn a\nedge 1\n", "m.nrm", &bad) ==
          NR_STATUS_BAD_FORMAT);
}

/* New data outside the fitted edges goes to the end bins. */
static void clamps(void) {
    nr_frame *f = frame_of(cars), *g = frame_of("length,mpg,fuel,size\n10,1,gas,small\n900,1,gas,small\n");
    nr_prep *p = NULL;
    CHECK_OK(nr_prep_new(&p));
    CHECK_OK(nr_prep_add(p, "bins", "length=2:width"));
    CHECK_OK(nr_prep_fit_transform(p, f, NULL));
    CHECK_OK(nr_prep_transform(p, g));
    CHECK(strcmp(nr_frame_text(g, 0, 0), nr_frame_text(f, 0, 0)) == 0);
    CHECK(strcmp(nr_frame_text(g, 1, 0), nr_frame_text(f, 2, 0)) == 0);
    nr_prep_free(p);
    nr_frame_free(f);
    nr_frame_free(g);
}

int main(void) {
    golden g;
    int cases = 0;
    if (CHECK(golden_open(&g, "prep.txt"))) {
        while (golden_next(&g)) prep_case(&g), cases++;
        golden_close(&g);
    }
    CHECK(cases >= 30);
    errors();
    clamps();
    return nr_test_finish();
}
