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
