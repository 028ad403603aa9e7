#include "testutil.h"
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

int nr_test_passed, nr_test_failed;

int nr_test_check(int ok, const char *expr, const char *file, int line) {
    if (ok) nr_test_passed++;
    else {
        nr_test_failed++;
        fprintf(stderr, "FAIL %s:%d: %s\n", file, line, expr);
    }
    return ok;
}

int nr_test_check_ok(nr_status s, const char *expr, const char *file, int line) {
    if (s == NR_OK) return nr_test_check(1, expr, file, line);
    nr_test_failed++;
    fprintf(stderr, "FAIL %s:%d: %s returned %s: %s\n", file, line, expr, nr_status_str(s), nr_last_error());
    return 0;
}

int nr_test_check_status(nr_status s, nr_status want, const char *expr, const char *file, int line) {
    if (s == want) return nr_test_check(1, expr, file, line);
    nr_test_failed++;
    fprintf(stderr, "FAIL %s:%d: %s returned %s, want %s (%s)\n", file, line, expr, nr_status_str(s),
            nr_status_str(want), nr_last_error());
    return 0;
}

int nr_test_check_close(double a, double b, double atol, double rtol, const char *expr, const char *file, int line) {
    int ok = fabs(a - b) <= atol + rtol * fabs(b);
    if (ok) return nr_test_check(1, expr, file, line);
    nr_test_failed++;
    fprintf(stderr, "FAIL %s:%d: %s = %.9g, want %.9g (atol %g rtol %g)\n", file, line, expr, a, b, atol, rtol);
    return 0;
}

int nr_test_close_arrays(const float *got, const float *want, size_t n, double atol, double rtol, const char *what) {
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)got[i] - want[i]);
        if (!(d <= atol + rtol * fabs(want[i]))) {
            if (bad < 5) fprintf(stderr, "  %s[%zu] = %.9g, want %.9g\n", what, i, got[i], want[i]);
            bad++;
        }
    }
    if (bad) {
        nr_test_failed++;
        fprintf(stderr, "FAIL %s: %zu of %zu values differ (atol %g rtol %g)\n", what, bad, n, atol, rtol);
        return 0;
    }
    nr_test_passed++;
    return 1;
}

int nr_test_finish(void) {
    printf("%d passed, %d failed\n", nr_test_passed, nr_test_failed);
    return nr_test_failed ? 1 : 0;
}

void nr_test_skip(const char *why) {
    printf("SKIP: %s\n", why);
    exit(77);
}

const char *nr_test_path(const char *rel) {
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s/%s", NR_SOURCE_DIR, rel);
    return buf;
}

const char *nr_test_shared_data(const char *rel) {
    static char buf[4096];
    struct stat st;
    snprintf(buf, sizeof buf, "%s/../shared/data/%s", NR_SOURCE_DIR, rel);
    return stat(buf, &st) == 0 ? buf : NULL;
}

int nr_test_run(const char *cmd, const char *out_path) {
    char full[8192];
    if (out_path) snprintf(full, sizeof full, "%s >%s 2>&1", cmd, out_path);
    else snprintf(full, sizeof full, "%s", cmd);
    int rc = system(full);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

char *nr_test_read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) { free(buf); buf = NULL; }
    fclose(f);
    if (buf) { buf[n] = 0; if (len) *len = (size_t)n; }
    return buf;
}

char *nr_test_summary(const nr_model *m) {
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) return NULL;
    nr_model_summary(m, f);
    fclose(f);
    return text;
}

int nr_test_summary_has(const nr_model *m, const char *want) {
    char *text = nr_test_summary(m);
    int ok = CHECK(text && strstr(text, want));
    if (!ok) fprintf(stderr, "  missing \"%s\" in:\n%s\n", want, text ? text : "");
    free(text);
    return ok;
}

void nr_test_shape_is(const nr_model *m, int out, int ndim, const int64_t *want) {
    int nd = 0;
    int64_t sh[NR_MAX_DIMS];
    CHECK_OK(nr_sym_shape(nr_model_graph(m), nr_model_output(m, out), &nd, sh));
    if (CHECK(nd == ndim && memcmp(sh, want, (size_t)ndim * sizeof *sh) == 0)) return;
    fprintf(stderr, "  output %d:", out);
    for (int i = 0; i < nd; i++) fprintf(stderr, " %lld", (long long)sh[i]);
    fprintf(stderr, ", want");
    for (int i = 0; i < ndim; i++) fprintf(stderr, " %lld", (long long)want[i]);
    fprintf(stderr, "\n");
}

void nr_test_spec_fails(const char *spec, nr_status want, const char *needle) {
    nr_spec *s = NULL;
    nr_status got = nr_spec_load_string(spec, "e.nr", 1, &s);
    if (!CHECK(got != NR_OK && (want == NR_OK || got == want)))
        fprintf(stderr, "  status %s, want %s, for:\n%s\n", nr_status_str(got), nr_status_str(want), spec);
    if (!CHECK(strstr(nr_last_error(), needle) != NULL)) fprintf(stderr, "  error was: %s\n", nr_last_error());
    nr_spec_free(s);
}

double nr_test_digits_accuracy(const char *spec, int ndim, int scaled, int epochs) {
    nr_csv *csv;
    nr_tensor *x = NULL, *y = NULL, *xtr = NULL, *xte = NULL, *ytr = NULL, *yte = NULL;
    nr_labels *labels = NULL;
    nr_spec *s = NULL;
    double acc = -1;
    if (!CHECK_OK(nr_csv_read(nr_test_path("data/digits.csv.gz"), NULL, &csv))) return acc;
    int64_t shape[4] = {0, 8, 8, 1};
    nr_logs logs;
    if (CHECK_OK(nr_csv_to_xy(csv, "-1", &(nr_csv_xy_opts){.classification = 1}, &x, &y, &labels))) {
        for (int64_t i = 0; scaled && i < nr_tensor_numel(x); i++) x->data[i] /= 16.0f;
        shape[0] = x->shape[0];
        if (ndim == 2) shape[1] = 64;
        if (CHECK_OK(nr_tensor_reshape(x, ndim, shape)) &&
            CHECK_OK(nr_train_test_split(x, y, 0.2f, 7, 1, &xtr, &xte, &ytr, &yte)) &&
            CHECK_OK(nr_spec_load_string(spec, "digits.nr", 3, &s))) {
            const nr_tensor *xv[1] = {xtr}, *yv[1] = {ytr}, *xtv[1] = {xte}, *ytv[1] = {yte};
            nr_model *m = nr_spec_model(s);
            if (CHECK_OK(nr_model_fit(m, xv, yv, &(nr_fit_opts){.epochs = epochs, .batch_size = 32}, NULL)) &&
                CHECK_OK(nr_model_evaluate(m, xtv, ytv, NULL, &logs)))
                acc = nr_logs_get(&logs, "accuracy");
        }
    }
    nr_spec_free(s);
    nr_tensor_free(x); nr_tensor_free(y); nr_tensor_free(xtr); nr_tensor_free(xte); nr_tensor_free(ytr); nr_tensor_free(yte);
    nr_labels_free(labels);
    nr_csv_free(csv);
    return acc;
}

char *nr_test_next_line(char **p) {
    if (!*p || !**p) return NULL;
    char *line = *p, *nl = strchr(line, '\n');
    if (nl) {
        *nl = 0;
        *p = nl + 1;
    } else {
        *p = line + strlen(line);
    }
    return line;
}
