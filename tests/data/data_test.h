/* Helpers for the data tests: unique temporary files under /tmp (removed
 * at exit), gzip copies, and a check that an error message contains a
 * substring. Header-only so the test executables stay one file each. */
#ifndef NR_DATA_TEST_H
#define NR_DATA_TEST_H

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include "testutil.h"

#define TMP_MAX_FILES 512

static char tmp_paths[TMP_MAX_FILES][64];
static int tmp_count;

static inline void tmp_cleanup(void) {
    for (int i = 0; i < tmp_count; i++) unlink(tmp_paths[i]);
    tmp_count = 0;
}

/* A new empty file "/tmp/nr_data_XXXXXX<suffix>"; the path is static. */
static inline const char *tmp_new(const char *suffix) {
    if (tmp_count == 0) atexit(tmp_cleanup);
    if (tmp_count == TMP_MAX_FILES) {
        fprintf(stderr, "data_test.h: too many temporary files\n");
        exit(1);
    }
    char *p = tmp_paths[tmp_count];
    snprintf(p, sizeof tmp_paths[0], "/tmp/nr_data_XXXXXX%s", suffix);
    int fd = mkstemps(p, (int)strlen(suffix));
    if (fd < 0) {
        perror("mkstemps");
        exit(1);
    }
    close(fd);
    tmp_count++;
    return p;
}

static inline void write_bytes(const char *path, const void *data, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, n, f) != n || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

static inline void write_gz(const char *path, const void *data, size_t n) {
    gzFile gz = gzopen(path, "wb");
    if (!gz || (n && gzwrite(gz, data, (unsigned)n) != (int)n) || gzclose(gz) != Z_OK) {
        fprintf(stderr, "%s: gzip write failed\n", path);
        exit(1);
    }
}

static inline const char *tmp_file(const char *suffix, const void *data, size_t n) {
    const char *p = tmp_new(suffix);
    write_bytes(p, data, n);
    return p;
}

static inline const char *tmp_text(const char *text) { return tmp_file(".csv", text, strlen(text)); }

static inline const char *tmp_gz(const char *suffix, const void *data, size_t n) {
    const char *p = tmp_new(suffix);
    write_gz(p, data, n);
    return p;
}

/* The call failed with `want` and the message holds every substring. */
#define CHECK_ERR(expr, want, ...) check_err((expr), (want), #expr, __FILE__, __LINE__, (const char *[]){__VA_ARGS__, NULL})

static inline int check_err(nr_status s, nr_status want, const char *expr, const char *file, int line, const char **subs) {
    if (!nr_test_check_status(s, want, expr, file, line)) return 0;
    for (; *subs; subs++)
        if (!strstr(nr_last_error(), *subs)) {
            nr_test_check(0, expr, file, line);
            fprintf(stderr, "  message \"%s\" lacks \"%s\"\n", nr_last_error(), *subs);
            return 0;
        }
    return 1;
}

/* Allocation hook that fails the Nth allocation (counting from 0) and
 * every one after it, for out-of-memory tests. */
static long fail_at = -1, alloc_seen;

static inline void *failing_malloc(size_t n, void *user) {
    (void)user;
    return fail_at >= 0 && alloc_seen++ >= fail_at ? NULL : malloc(n);
}

static inline void *failing_realloc(void *p, size_t n, void *user) {
    (void)user;
    return fail_at >= 0 && alloc_seen++ >= fail_at ? NULL : realloc(p, n);
}

static inline void failing_free(void *p, void *user) {
    (void)user;
    free(p);
}

static inline void fail_allocs_from(long n) {
    fail_at = n;
    alloc_seen = 0;
    nr_alloc_hooks h = {failing_malloc, failing_realloc, failing_free, NULL};
    nr_set_alloc_hooks(n >= 0 ? &h : NULL);
}

#endif
