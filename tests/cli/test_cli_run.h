/* Running the built neurona CLI from a test: each run's exit code, stdout
 * and stderr, kept apart so a test can check that errors go to stderr.
 * Files the runs write go to a temporary folder removed at the end. */
#ifndef NR_TEST_CLI_RUN_H
#define NR_TEST_CLI_RUN_H

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "testutil.h"

/* Source-tree paths, as literals: SRC_PATH("data/iris.csv"). */
#define SRC_PATH(rel) NR_SOURCE_DIR "/" rel
#define FIXTURE(name) SRC_PATH("tests/fixtures/cli/" name)

typedef struct cli_result {
    int rc;
    char *out, *err;
} cli_result;

static char cli_tmp[256];

static inline void cli_setup(void) {
    snprintf(cli_tmp, sizeof cli_tmp, "/tmp/nr_cli_XXXXXX");
    if (!mkdtemp(cli_tmp)) nr_test_skip("cannot create a temporary folder");
}

static inline void cli_cleanup(void) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", cli_tmp);
    nr_test_run(cmd, NULL);
}

/* A path inside the temporary folder; four rotating buffers so that a
 * format call can hold several. */
static inline const char *tmp_path(const char *name) {
    static char bufs[4][512];
    static int next;
    char *b = bufs[next++ % 4];
    snprintf(b, 512, "%s/%s", cli_tmp, name);
    return b;
}

/* Runs "neurona ARGS" (ARGS a printf format, passed through the shell). */
static inline cli_result cli_run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline cli_result cli_run(const char *fmt, ...) {
    char args[4096], cmd[8192], out[512], err[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(out, sizeof out, "%s/.stdout", cli_tmp);
    snprintf(err, sizeof err, "%s/.stderr", cli_tmp);
    snprintf(cmd, sizeof cmd, "'%s' %s >'%s' 2>'%s'", NR_CLI_PATH, args, out, err);
    cli_result r = {nr_test_run(cmd, NULL), nr_test_read_file(out, NULL), nr_test_read_file(err, NULL)};
    if (!r.out) r.out = calloc(1, 1);
    if (!r.err) r.err = calloc(1, 1);
    return r;
}

static inline void cli_result_free(cli_result *r) {
    free(r->out);
    free(r->err);
}

/* The value of NAME on the line that starts with "test " ("test loss:
 * 0.35 - accuracy: 0.87"), or -1 when there is none. */
static inline double test_metric(const char *out, const char *name) {
    for (const char *line = out; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        if (strncmp(line, "test ", 5) != 0) continue;
        char key[64];
        snprintf(key, sizeof key, "%s: ", name);
        const char *end = strchr(line, '\n'), *at = strstr(line, key);
        if (at && (!end || at < end)) return strtod(at + strlen(key), NULL);
    }
    return -1;
}

static inline int starts_with(const char *s, const char *prefix) {
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static inline int count_lines(const char *s) {
    int n = 0;
    for (; *s; s++) n += *s == '\n';
    return n;
}

/* An uncompressed IDX file: magic, big-endian dims, bytes. */
static inline void cli_write_idx(const char *path, int ndim, const int *dims, const unsigned char *data) {
    FILE *f = fopen(path, "wb");
    unsigned char head[4] = {0, 0, 0x08, (unsigned char)ndim};
    size_t n = 1;
    fwrite(head, 1, 4, f);
    for (int i = 0; i < ndim; i++) {
        unsigned char be[4] = {(unsigned char)(dims[i] >> 24), (unsigned char)(dims[i] >> 16),
                               (unsigned char)(dims[i] >> 8), (unsigned char)dims[i]};
        fwrite(be, 1, 4, f);
        n *= (size_t)dims[i];
    }
    fwrite(data, 1, n, f);
    fclose(f);
}

/* n 4x4 images whose top (class 0) or bottom (class 1) half is bright. */
static inline void cli_write_tiny_set(const char *images, const char *labels, int n, unsigned seed) {
    unsigned char *px = malloc((size_t)n * 16), *lab = malloc((size_t)n);
    for (int i = 0; i < n; i++) {
        lab[i] = (unsigned char)(i % 2);
        for (int p = 0; p < 16; p++) {
            seed = seed * 1103515245u + 12345u;
            int bright = (p < 8) == (lab[i] == 0);
            px[i * 16 + p] = (unsigned char)((bright ? 160 : 0) + (seed >> 16) % 90);
        }
    }
    cli_write_idx(images, 3, (int[]){n, 4, 4}, px);
    cli_write_idx(labels, 1, (int[]){n}, lab);
    free(px);
    free(lab);
}

/* Checks the exit code and that stderr holds want; shows both otherwise. */
#define CHECK_FAILS(r, code, want) check_fails((r), (code), (want), __FILE__, __LINE__)
static inline void check_fails(const cli_result *r, int code, const char *want, const char *file, int line) {
    int ok = r->rc == code && strstr(r->err, want) && strncmp(r->err, "neurona: ", 9) == 0;
    nr_test_check(ok, want, file, line);
    if (!ok) fprintf(stderr, "  exit %d (want %d), stderr:\n%s\n", r->rc, code, r->err);
}

/* Runs `neurona ARGS` (printf-style) and checks it fails as CHECK_FAILS does. */
static inline void expect(int code, const char *want, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static inline void expect(int code, const char *want, const char *fmt, ...) {
    char args[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    cli_result r = cli_run("%s", args);
    CHECK_FAILS(&r, code, want);
    if (r.rc != code || !strstr(r.err, want)) fprintf(stderr, "  command: neurona %s\n", args);
    cli_result_free(&r);
}

#endif
