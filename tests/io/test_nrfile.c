/* The container format of model files: round trips of every section kind,
 * payload alignment, atomic saves that leave the old file intact when they
 * fail, and files that are truncated, corrupted, foreign, too new, hostile
 * or random, each rejected with a clear message. Allocation failures are
 * injected at every point of open and save; run under ASan this also
 * shows that no failure path leaks. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>
#include "core/core.h"
#include "io/nrfile.h"
#include "testutil.h"

/* ---- helpers ----------------------------------------------------------- */

static char tmpdir[] = "/tmp/nr_test_nrfile.XXXXXX";

/* Path of name inside the test directory; four rotating buffers so a few
 * can be alive at once. */
static const char *tpath(const char *name) {
    static char bufs[4][256];
    static int k;
    char *b = bufs[k++ % 4];
    snprintf(b, sizeof bufs[0], "%s/%s", tmpdir, name);
    return b;
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint32_t rnd(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

static int write_bytes(const char *path, const void *buf, size_t n) {
    FILE *fp = fopen(path, "wb");
    if (!fp) return 0;
    int ok = fwrite(buf, 1, n, fp) == n;
    return fclose(fp) == 0 && ok;
}

static int file_equals(const char *path, const void *buf, size_t n) {
    size_t len;
    char *got = nr_test_read_file(path, &len);
    int ok = got && len == n && memcmp(got, buf, n) == 0;
    free(got);
    return ok;
}

/* Counts entries of dir whose name contains ".tmp.": leftovers of a save. */
static int temp_files(const char *dir) {
    DIR *d = opendir(dir);
    int n = 0;
    if (!d) return -1;
    for (struct dirent *e; (e = readdir(d));) n += strstr(e->d_name, ".tmp.") != NULL;
    closedir(d);
    return n;
}

static void put32(unsigned char *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static void put64(unsigned char *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}

/* Makes a doctored buffer pass the size and checksum checks, so the
 * section walk behind them gets tested too. */
static void fix_up(unsigned char *b, size_t n) {
    if (n < 52) return;
    memcpy(b, "NRNAMODL", 8);
    put64(b + 16, n);
    put64(b + n - 20, n);
    memcpy(b + n - 8, "NRNAEND", 8);
    put32(b + n - 12, (uint32_t)crc32(0, b, (uInt)(n - 20)));
}

static int starts_with(const char *s, const char *prefix) { return strncmp(s, prefix, strlen(prefix)) == 0; }

/* ---- the sample file: every kind and edge shape ------------------------ */

static float w1[37], w5[2 * 1 * 3 * 1 * 2], scalar = 3.5f;
static unsigned char blob[1000];
static const char *arch = "Dense(64, relu)\nDense(10, softmax) \xc3\xbc \xe2\x82\xac";
static const int64_t shape1[1] = {37}, shape5[5] = {2, 1, 3, 1, 2}, shape_zero[2] = {0, 4};

static void init_sample_data(void) {
    for (int i = 0; i < 37; i++) w1[i] = (float)i * 0.25f - 3.0f;
    for (int i = 0; i < 12; i++) w5[i] = (float)(i * i) - 7.5f;
    for (int i = 0; i < 1000; i++) blob[i] = (unsigned char)rnd();
}

static nr_status build_sample(nr_nrfile_writer **out) {
    nr_nrfile_writer *w;
    NR_TRY(nr_nrfile_writer_new(&w));
    nr_status st = nr_nrfile_add_text(w, "architecture", arch);
    if (st == NR_OK) st = nr_nrfile_add_bytes(w, "optimizer", blob, sizeof blob);
    if (st == NR_OK) st = nr_nrfile_add_tensor(w, "scalar", 0, NULL, &scalar);
    if (st == NR_OK) st = nr_nrfile_add_tensor(w, "w1", 1, shape1, w1);
    if (st == NR_OK) st = nr_nrfile_add_text(w, "empty_text", "");
    if (st == NR_OK) st = nr_nrfile_add_bytes(w, "empty_bytes", NULL, 0);
    if (st == NR_OK) st = nr_nrfile_add_tensor(w, "w5", 5, shape5, w5);
    if (st == NR_OK) st = nr_nrfile_add_tensor(w, "zero", 2, shape_zero, NULL);
    if (st != NR_OK) {
        nr_nrfile_writer_free(w);
        return st;
    }
    *out = w;
    return NR_OK;
}

static const char *const sample_names[] = {"architecture", "optimizer", "scalar", "w1",
                                           "empty_text", "empty_bytes", "w5", "zero"};

static unsigned char *sample_bytes(size_t *n) {
    nr_nrfile_writer *w;
    void *buf = NULL;
    *n = 0;
    if (build_sample(&w) != NR_OK) return NULL;
    if (nr_nrfile_save_memory(w, &buf, n) != NR_OK) buf = NULL;
    nr_nrfile_writer_free(w);
    return buf;
}

static int same_shape(const nr_nrfile_section *s, int ndim, const int64_t *shape) {
    if (s->kind != NR_NRFILE_KIND_TENSOR || s->ndim != ndim) return 0;
    for (int d = 0; d < ndim; d++)
        if (s->shape[d] != shape[d]) return 0;
    return 1;
}

static void check_sample(const nr_nrfile *f) {
    nr_nrfile_section s;
    CHECK(nr_nrfile_count(f) == 8);
    for (size_t i = 0; i < nr_nrfile_count(f) && i < 8; i++) {
        CHECK_OK(nr_nrfile_section_at(f, i, &s));
        CHECK(strcmp(s.name, sample_names[i]) == 0);
        CHECK(s.data != NULL && (uintptr_t)s.data % 64 == 0);
    }
    CHECK_STATUS(nr_nrfile_section_at(f, 8, &s), NR_STATUS_BAD_ARGUMENT);
    CHECK_OK(nr_nrfile_find_kind(f, "architecture", NR_NRFILE_KIND_TEXT, &s));
    CHECK(s.size == strlen(arch) && strcmp(s.data, arch) == 0);
    CHECK_OK(nr_nrfile_find_kind(f, "optimizer", NR_NRFILE_KIND_BYTES, &s));
    CHECK(s.size == sizeof blob && memcmp(s.data, blob, sizeof blob) == 0);
    CHECK_OK(nr_nrfile_find(f, "scalar", &s));
    CHECK(same_shape(&s, 0, NULL) && s.numel == 1 && s.size == 4 && *(const float *)s.data == 3.5f);
    CHECK_OK(nr_nrfile_find(f, "w1", &s));
    CHECK(same_shape(&s, 1, shape1) && s.numel == 37 && memcmp(s.data, w1, sizeof w1) == 0);
    CHECK_OK(nr_nrfile_find(f, "w5", &s));
    CHECK(same_shape(&s, 5, shape5) && s.numel == 12 && memcmp(s.data, w5, sizeof w5) == 0);
    CHECK_OK(nr_nrfile_find(f, "zero", &s));
    CHECK(same_shape(&s, 2, shape_zero) && s.numel == 0 && s.size == 0);
    CHECK_OK(nr_nrfile_find_kind(f, "empty_text", NR_NRFILE_KIND_TEXT, &s));
    CHECK(s.size == 0 && ((const char *)s.data)[0] == 0);
    CHECK_OK(nr_nrfile_find_kind(f, "empty_bytes", NR_NRFILE_KIND_BYTES, &s));
    CHECK(s.size == 0 && s.ndim == 0 && s.numel == 0);
}

/* ---- tests ------------------------------------------------------------- */

static void test_round_trip(void) {
    nr_nrfile_writer *w;
    nr_nrfile *f;
    void *mem;
    size_t n;
    const char *path = tpath("sample.nrm");
    if (!CHECK_OK(build_sample(&w))) return;
    CHECK_OK(nr_nrfile_save(w, path));
    if (!CHECK_OK(nr_nrfile_save_memory(w, &mem, &n))) return;
    CHECK(file_equals(path, mem, n));
    CHECK(memcmp(mem, "NRNAMODL", 8) == 0 && memcmp((char *)mem + n - 8, "NRNAEND", 8) == 0);
    if (CHECK_OK(nr_nrfile_open(path, &f))) {
        check_sample(f);
        CHECK(strcmp(nr_nrfile_label(f), path) == 0);
        nr_nrfile_close(f);
    }
    if (CHECK_OK(nr_nrfile_open_memory(mem, n, "mem", &f))) {
        check_sample(f);
        nr_nrfile_close(f);
    }
    /* Payload offsets in the file itself are multiples of 64. */
    const unsigned char *b = mem;
    size_t at1 = 0, at5 = 0;
    for (size_t i = 0; i + sizeof w1 <= n; i++) {
        if (!at1 && memcmp(b + i, w1, sizeof w1) == 0) at1 = i;
        if (!at5 && memcmp(b + i, w5, sizeof w5) == 0) at5 = i;
    }
    CHECK(at1 > 0 && at1 % 64 == 0 && at5 > 0 && at5 % 64 == 0);
    nr_free(mem);
    nr_nrfile_writer_free(w);

    nr_nrfile_writer *empty;
    CHECK_OK(nr_nrfile_writer_new(&empty));
    CHECK_OK(nr_nrfile_save_memory(empty, &mem, &n));
    CHECK(n == 52);
    if (CHECK_OK(nr_nrfile_open_memory(mem, n, NULL, &f))) {
        CHECK(nr_nrfile_count(f) == 0 && strcmp(nr_nrfile_label(f), "<memory>") == 0);
        nr_nrfile_section s;
        CHECK_STATUS(nr_nrfile_find(f, "x", &s), NR_STATUS_BAD_FORMAT);
        nr_nrfile_close(f);
    }
    nr_free(mem);
    nr_nrfile_writer_free(empty);
}

static void test_writer_errors(void) {
    nr_nrfile_writer *w;
    char long_name[300];
    int64_t neg[2] = {3, -1}, huge[2] = {INT64_C(1) << 40, INT64_C(1) << 40};
    float x = 1;
    CHECK_OK(nr_nrfile_writer_new(&w));
    CHECK_OK(nr_nrfile_add_text(w, "a", "first"));
    CHECK_STATUS(nr_nrfile_add_text(w, "a", "again"), NR_STATUS_BAD_ARGUMENT);
    CHECK(strstr(nr_last_error(), "duplicate section name 'a'") != NULL);
    CHECK_STATUS(nr_nrfile_add_bytes(w, "a", &x, 4), NR_STATUS_BAD_ARGUMENT);
    CHECK_STATUS(nr_nrfile_add_bytes(w, "", &x, 4), NR_STATUS_BAD_ARGUMENT);
    CHECK_STATUS(nr_nrfile_add_bytes(w, NULL, &x, 4), NR_STATUS_BAD_ARGUMENT);
    memset(long_name, 'n', sizeof long_name);
    long_name[256] = 0;
    CHECK_STATUS(nr_nrfile_add_bytes(w, long_name, &x, 4), NR_STATUS_BAD_ARGUMENT);
    long_name[255] = 0;
    CHECK_OK(nr_nrfile_add_bytes(w, long_name, &x, 4));
    CHECK_STATUS(nr_nrfile_add_bytes(w, "bad\xff", &x, 4), NR_STATUS_BAD_ARGUMENT);
    CHECK_STATUS(nr_nrfile_add_bytes(w, "nul", NULL, 4), NR_STATUS_BAD_ARGUMENT);
    CHECK_STATUS(nr_nrfile_add_text(w, "t", "overlong \xc0\x80"), NR_STATUS_BAD_ARGUMENT);
    CHECK_STATUS(nr_nrfile_add_text(w, "t", "surrogate \xed\xa0\x80"), NR_STATUS_BAD_ARGUMENT);
    CHECK_STATUS(nr_nrfile_add_text(w, "t", NULL), NR_STATUS_BAD_ARGUMENT);
    CHECK_STATUS(nr_nrfile_add_tensor(w, "t", 6, shape5, w5), NR_STATUS_BAD_ARGUMENT);
    CHECK_STATUS(nr_nrfile_add_tensor(w, "t", -1, NULL, w5), NR_STATUS_BAD_ARGUMENT);
    CHECK_STATUS(nr_nrfile_add_tensor(w, "t", 2, neg, w5), NR_STATUS_BAD_SHAPE);
    CHECK(strstr(nr_last_error(), "(3, -1)") != NULL);
    CHECK_STATUS(nr_nrfile_add_tensor(w, "t", 2, huge, w5), NR_STATUS_BAD_SHAPE);
    CHECK_STATUS(nr_nrfile_add_tensor(w, "t", 1, shape1, NULL), NR_STATUS_BAD_ARGUMENT);
    CHECK_OK(nr_nrfile_add_tensor(w, "t", 1, shape1, w1));

    /* Failed adds left nothing behind. */
    void *mem;
    size_t n;
    nr_nrfile *f;
    CHECK_OK(nr_nrfile_save_memory(w, &mem, &n));
    if (CHECK_OK(nr_nrfile_open_memory(mem, n, "w", &f))) {
        nr_nrfile_section s;
        CHECK(nr_nrfile_count(f) == 3);
        CHECK_OK(nr_nrfile_find_kind(f, long_name, NR_NRFILE_KIND_BYTES, &s));
        CHECK_OK(nr_nrfile_find_kind(f, "a", NR_NRFILE_KIND_TEXT, &s));
        CHECK(strcmp(s.data, "first") == 0);
        nr_nrfile_close(f);
    }
    nr_free(mem);
    CHECK_STATUS(nr_nrfile_save(w, ""), NR_STATUS_BAD_ARGUMENT);
    nr_nrfile_writer_free(w);
    nr_nrfile_writer_free(NULL);
    nr_nrfile_close(NULL);
}

static void test_lookup_errors(void) {
    nr_nrfile *f;
    nr_nrfile_section s;
    const char *path = tpath("sample.nrm");
    if (!CHECK_OK(nr_nrfile_open(path, &f))) return;
    char want[512];
    CHECK_STATUS(nr_nrfile_find(f, "labels", &s), NR_STATUS_BAD_FORMAT);
    snprintf(want, sizeof want, "%s: section 'labels' missing", path);
    CHECK(strcmp(nr_last_error(), want) == 0);
    CHECK_STATUS(nr_nrfile_find_kind(f, "w1", NR_NRFILE_KIND_TEXT, &s), NR_STATUS_BAD_FORMAT);
    snprintf(want, sizeof want, "%s: section 'w1' is tensor, expected text", path);
    CHECK(strcmp(nr_last_error(), want) == 0);
    CHECK_STATUS(nr_nrfile_find(f, "", &s), NR_STATUS_BAD_FORMAT);
    nr_nrfile_close(f);

    CHECK_STATUS(nr_nrfile_open(tpath("does-not-exist.nrm"), &f), NR_STATUS_IO);
    CHECK(f == NULL && strstr(nr_last_error(), "does-not-exist.nrm: cannot open: No such file") != NULL);
    CHECK_STATUS(nr_nrfile_open(tmpdir, &f), NR_STATUS_IO);
    CHECK(strstr(nr_last_error(), "is a directory") != NULL);
    CHECK_STATUS(nr_nrfile_open("/dev/null", &f), NR_STATUS_IO);
}

static void save_variant(const char *path, float value, nr_status want) {
    nr_nrfile_writer *w;
    float v[1] = {value};
    int64_t one[1] = {1};
    if (!CHECK_OK(nr_nrfile_writer_new(&w))) return;
    CHECK_OK(nr_nrfile_add_tensor(w, "v", 1, one, v));
    CHECK_STATUS(nr_nrfile_save(w, path), want);
    nr_nrfile_writer_free(w);
}

static float read_variant(const char *path) {
    nr_nrfile *f;
    nr_nrfile_section s;
    float v = -1;
    if (nr_nrfile_open(path, &f) != NR_OK) return -1;
    if (nr_nrfile_find(f, "v", &s) == NR_OK) v = *(const float *)s.data;
    nr_nrfile_close(f);
    return v;
}

/* Runs fn in a child process (so setuid and rlimits stay there); returns
 * its exit status, 77 when it could not set itself up. */
static int in_child(int (*fn)(const char *), const char *arg) {
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) _exit(fn(arg));
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
    return WEXITSTATUS(status);
}

static int child_save_readonly(const char *path) {
    /* Root writes anywhere, so become nobody to feel the permissions. */
    if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) return 77;
    nr_nrfile_writer *w;
    if (nr_nrfile_writer_new(&w) != NR_OK) return 2;
    nr_status st = nr_nrfile_add_text(w, "v", "new");
    if (st == NR_OK) st = nr_nrfile_save(w, path);
    nr_nrfile_writer_free(w);
    if (st != NR_STATUS_IO || !strstr(nr_last_error(), path) || !strstr(nr_last_error(), "Permission denied")) {
        fprintf(stderr, "child: %s: %s\n", nr_status_str(st), nr_last_error());
        return 1;
    }
    return 0;
}

static int child_save_too_big(const char *path) {
    struct rlimit lim = {64 << 10, 64 << 10};
    signal(SIGXFSZ, SIG_IGN);
    if (setrlimit(RLIMIT_FSIZE, &lim) != 0) return 77;
    static float big[1 << 18];
    int64_t shape[1] = {1 << 18};
    nr_nrfile_writer *w;
    if (nr_nrfile_writer_new(&w) != NR_OK) return 2;
    nr_status st = nr_nrfile_add_tensor(w, "v", 1, shape, big);
    if (st == NR_OK) st = nr_nrfile_save(w, path);
    nr_nrfile_writer_free(w);
    if (st != NR_STATUS_IO || !strstr(nr_last_error(), path) || !strstr(nr_last_error(), "cannot write")) {
        fprintf(stderr, "child: %s: %s\n", nr_status_str(st), nr_last_error());
        return 1;
    }
    return 0;
}

static void test_atomic_save(void) {
    const char *dir = tpath("atomic");
    char path[256], sub[256];
    struct stat st;
    snprintf(path, sizeof path, "%s/model.nrm", dir);
    snprintf(sub, sizeof sub, "%s/subdir", dir);
    CHECK(mkdir(dir, 0755) == 0 && mkdir(sub, 0755) == 0);

    mode_t old_mask = umask(022);
    save_variant(path, 1.0f, NR_OK);
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0644);
    CHECK(chmod(path, 0640) == 0);
    save_variant(path, 2.0f, NR_OK);
    CHECK(read_variant(path) == 2.0f);
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0640);
    umask(old_mask);
    CHECK(temp_files(dir) == 0);

    /* Saving over a directory fails at the rename; nothing is left. */
    save_variant(sub, 3.0f, NR_STATUS_IO);
    CHECK(strstr(nr_last_error(), sub) != NULL);
    CHECK(stat(sub, &st) == 0 && S_ISDIR(st.st_mode));
    CHECK(temp_files(dir) == 0);

    /* A device (through a link to /dev/null, so a regression replaces the
     * link, not the device) is written in place, not renamed over. */
    char link[300];
    snprintf(link, sizeof link, "%s/null", dir);
    if (CHECK(symlink("/dev/null", link) == 0)) {
        save_variant(link, 4.0f, NR_OK);
        CHECK(lstat(link, &st) == 0 && S_ISLNK(st.st_mode));
        CHECK(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode));
        CHECK(temp_files(dir) == 0);
        unlink(link);
    }

    char missing[300];
    snprintf(missing, sizeof missing, "%s/no/such/dir.nrm", dir);
    save_variant(missing, 3.0f, NR_STATUS_IO);
    CHECK(strstr(nr_last_error(), "cannot create a temporary file") != NULL);

    /* A full disk (here a file size limit) and a read-only directory. */
    int rc = in_child(child_save_too_big, path);
    CHECK(rc == 0 || rc == 77);
    CHECK(read_variant(path) == 2.0f && temp_files(dir) == 0);
    CHECK(chmod(tmpdir, 0755) == 0 && chmod(dir, 0555) == 0);
    rc = in_child(child_save_readonly, path);
    if (rc == 77) printf("note: cannot drop root, read-only directory case skipped\n");
    CHECK(rc == 0 || rc == 77);
    CHECK(chmod(dir, 0755) == 0 && chmod(tmpdir, 0700) == 0);
    CHECK(read_variant(path) == 2.0f && temp_files(dir) == 0);
}

static void test_truncated(void) {
    size_t n;
    unsigned char *b = sample_bytes(&n);
    if (!CHECK(b != NULL)) return;
    int bad = 0;
    char want[128];
    for (size_t cut = 0; cut < n; cut++) {
        nr_nrfile *f = NULL;
        nr_status st = nr_nrfile_open_memory(b, cut, "m", &f);
        const char *msg = nr_last_error();
        if (cut >= 24) snprintf(want, sizeof want, "m: file is truncated (%zu of %zu bytes)", cut, n);
        else if (cut > 0) snprintf(want, sizeof want, "m: file is truncated (%zu of at least 52 bytes)", cut);
        else snprintf(want, sizeof want, "m: file is empty, not a neurona model file");
        if (st != NR_STATUS_BAD_FORMAT || f != NULL || strcmp(msg, want) != 0) {
            if (bad++ < 5) fprintf(stderr, "cut %zu: %s: %s\n", cut, nr_status_str(st), msg);
        }
    }
    CHECK(bad == 0);

    /* The same through real files, with the path in the message. */
    size_t cuts[] = {1, 8, 31, 32, 100, n / 2, n - 20, n - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++) {
        nr_nrfile *f;
        const char *path = tpath("cut.nrm");
        CHECK(write_bytes(path, b, cuts[i]));
        CHECK_STATUS(nr_nrfile_open(path, &f), NR_STATUS_BAD_FORMAT);
        CHECK(starts_with(nr_last_error(), path) && strstr(nr_last_error(), "file is truncated (") != NULL);
    }
    unsigned char *longer = malloc(n + 1);
    if (!longer) return;
    memcpy(longer, b, n);
    longer[n] = 0;
    nr_nrfile *f;
    CHECK_STATUS(nr_nrfile_open_memory(longer, n + 1, "m", &f), NR_STATUS_BAD_FORMAT);
    CHECK(strstr(nr_last_error(), "extra data") != NULL);
    free(longer);
    free(b);
}

static void test_corrupted(void) {
    size_t n;
    unsigned char *b = sample_bytes(&n);
    if (!CHECK(b != NULL)) return;
    static const unsigned char masks[] = {0x01, 0x10, 0x80, 0xff};
    int undetected = 0, unclear = 0;
    for (size_t m = 0; m < sizeof masks; m++) {
        for (size_t pos = 0; pos < n; pos++) {
            nr_nrfile *f = NULL;
            b[pos] ^= masks[m];
            nr_status st = nr_nrfile_open_memory(b, n, "m", &f);
            b[pos] ^= masks[m];
            if (st == NR_OK || f) {
                undetected++;
                nr_nrfile_close(f);
            } else if (pos >= 24 && pos < n - 20 && strcmp(nr_last_error(), "m: checksum mismatch: file is corrupted")) {
                if (unclear++ < 5) fprintf(stderr, "byte %zu: %s\n", pos, nr_last_error());
            }
        }
    }
    CHECK(undetected == 0);
    CHECK(unclear == 0);
    free(b);
}

static void test_foreign_and_newer(void) {
    nr_nrfile *f;
    char want[512];
    const char *path = tpath("notes.txt");
    const char *text = "These are not the weights you are looking for.\n";
    CHECK(write_bytes(path, text, strlen(text)));
    CHECK_STATUS(nr_nrfile_open(path, &f), NR_STATUS_BAD_FORMAT);
    snprintf(want, sizeof want, "%s: not a neurona model file (bad magic)", path);
    CHECK(strcmp(nr_last_error(), want) == 0);
    CHECK_STATUS(nr_nrfile_open_memory("PK\3\4", 4, "z", &f), NR_STATUS_BAD_FORMAT);
    CHECK(strcmp(nr_last_error(), "z: not a neurona model file (bad magic)") == 0);
    CHECK_STATUS(nr_nrfile_open_memory("NRNA", 4, "z", &f), NR_STATUS_BAD_FORMAT);
    CHECK(strstr(nr_last_error(), "truncated") != NULL);

    size_t n;
    unsigned char *b = sample_bytes(&n);
    if (!CHECK(b != NULL)) return;
    path = tpath("v2.nrm");
    put32(b + 8, 2);
    fix_up(b, n);
    CHECK(write_bytes(path, b, n));
    CHECK_STATUS(nr_nrfile_open(path, &f), NR_STATUS_BAD_VERSION);
    snprintf(want, sizeof want,
             "%s: format version 2 is newer than this neurona supports (1); upgrade neurona", path);
    CHECK(strcmp(nr_last_error(), want) == 0);
    put32(b + 8, 0);
    fix_up(b, n);
    CHECK_STATUS(nr_nrfile_open_memory(b, n, "m", &f), NR_STATUS_BAD_FORMAT);
    CHECK(strstr(nr_last_error(), "version 0") != NULL);
    put32(b + 8, 1);
    put32(b + 12, 4);
    fix_up(b, n);
    CHECK_STATUS(nr_nrfile_open_memory(b, n, "m", &f), NR_STATUS_BAD_VERSION);
    CHECK(strstr(nr_last_error(), "flags 0x4") != NULL);
    free(b);
}

/* Two one-section files. Tensor "t" of shape (2, 3): name length at 32,
 * name at 36, kind at 37, ndim at 41, dims at 45, payload size at 61,
 * payload at 128, 172 bytes in all. Text "x" = "hi": kind at 37, payload
 * size at 41, payload at 64, 87 bytes in all. */
static unsigned char *one_section_file(int text, size_t *n) {
    static const float x[6] = {1, 2, 3, 4, 5, 6};
    static const int64_t shape[2] = {2, 3};
    nr_nrfile_writer *w;
    void *buf = NULL;
    if (nr_nrfile_writer_new(&w) != NR_OK) return NULL;
    nr_status st = text ? nr_nrfile_add_text(w, "x", "hi") : nr_nrfile_add_tensor(w, "t", 2, shape, x);
    if (st != NR_OK || nr_nrfile_save_memory(w, &buf, n) != NR_OK) buf = NULL;
    nr_nrfile_writer_free(w);
    return buf;
}

typedef struct doctor {
    int text;                    /* which one_section_file */
    size_t at;                   /* byte offset to overwrite */
    int width;                   /* 1, 4 or 8 bytes */
    uint64_t value;
    const char *want;            /* part of the expected message */
} doctor;

static const doctor hostile[] = {
    {0, 24, 8, UINT64_MAX, "sections cannot fit"},
    {0, 24, 8, 2, "section 1 is malformed: header runs past the end"},
    {0, 24, 8, 0, "20 stray bytes after the last section"},
    {0, 32, 4, 0, "name length 0 is not in 1..255"},
    {0, 32, 4, 256, "name length 256"},
    {0, 32, 4, UINT32_MAX, "name length 4294967295"},
    {0, 36, 1, 0xff, "name is not valid UTF-8"},
    {0, 36, 1, 0, "name is not valid UTF-8"},
    {0, 37, 4, 7, "unknown kind 7"},
    {0, 37, 4, 0, "alignment padding is not zero"},
    {0, 41, 4, 6, "ndim 6 is more than 5"},
    {0, 41, 4, 1, "alignment padding is not zero"},
    {0, 41, 4, UINT32_MAX, "ndim 4294967295"},
    {0, 45, 8, UINT64_MAX, "shape (-1, 3) has a negative or too large dim"},
    {0, 45, 8, UINT64_C(1) << 62, "too large dim"},
    {0, 45, 8, 3, "tensor payload is 24 bytes, its shape needs 36"},
    {0, 61, 8, UINT64_MAX, "payload of 18446744073709551615 bytes runs past the end"},
    {0, 61, 8, 20, "tensor payload is 20 bytes"},
    {0, 61, 8, 28, "payload of 28 bytes runs past"},
    {0, 100, 1, 1, "alignment padding is not zero"},
    {1, 66, 1, '!', "text is not NUL-terminated"},
    {1, 64, 1, 0, "text is not valid UTF-8"},
    {1, 65, 1, 0xc3, "text is not valid UTF-8"},
    {1, 41, 8, 0, "text is not NUL-terminated"},
    {1, 37, 4, 1, "header runs past the end"},
};

/* Files with a valid checksum but a broken structure, as a buggy or
 * hostile writer would make them. */
static void test_hostile_structure(void) {
    size_t n[2] = {0, 0};
    unsigned char *files[2] = {one_section_file(0, &n[0]), one_section_file(1, &n[1])};
    if (!CHECK(files[0] && files[1] && n[0] == 172 && n[1] == 87)) return;
    unsigned char *d = malloc(n[0]);
    if (!d) return;
    for (size_t i = 0; i < sizeof hostile / sizeof *hostile; i++) {
        const doctor *c = &hostile[i];
        size_t len = n[c->text];
        nr_nrfile *f = NULL;
        memcpy(d, files[c->text], len);
        if (c->width == 1) d[c->at] = (unsigned char)c->value;
        else if (c->width == 4) put32(d + c->at, (uint32_t)c->value);
        else put64(d + c->at, c->value);
        fix_up(d, len);
        nr_status st = nr_nrfile_open_memory(d, len, "h", &f);
        if (!CHECK(st == NR_STATUS_BAD_FORMAT && f == NULL && strstr(nr_last_error(), c->want)))
            fprintf(stderr, "  case %zu: %s: %s\n", i, nr_status_str(st), nr_last_error());
        nr_nrfile_close(f);
    }
    free(d);
    nr_free(files[0]);
    nr_free(files[1]);

    /* Two sections with one name. */
    nr_nrfile_writer *w;
    void *mem;
    nr_nrfile *f;
    size_t len;
    CHECK_OK(nr_nrfile_writer_new(&w));
    CHECK_OK(nr_nrfile_add_text(w, "aa", "x"));
    CHECK_OK(nr_nrfile_add_text(w, "ab", "y"));
    CHECK_OK(nr_nrfile_save_memory(w, &mem, &len));
    nr_nrfile_writer_free(w);
    unsigned char *m = mem;
    for (size_t i = 40; i + 2 <= len; i++)
        if (memcmp(m + i, "ab", 2) == 0) m[i + 1] = 'a';
    fix_up(m, len);
    CHECK_STATUS(nr_nrfile_open_memory(m, len, "h", &f), NR_STATUS_BAD_FORMAT);
    CHECK(strstr(nr_last_error(), "duplicate section 'aa'") != NULL);
    nr_free(mem);
}

static void test_garbage(void) {
    unsigned char buf[4096];
    int accepted = 0;
    for (int iter = 0; iter < 2000; iter++) {
        size_t n = rnd() % sizeof buf;
        for (size_t i = 0; i < n; i++) buf[i] = (unsigned char)rnd();
        if (iter % 2) {                       /* past the header checks */
            if (n >= 12) put32(buf + 8, 1);
            if (n >= 16) put32(buf + 12, 0);
            fix_up(buf, n);
        }
        nr_nrfile *f = NULL;
        nr_status st = nr_nrfile_open_memory(buf, n, "g", &f);
        accepted += st == NR_OK;
        nr_nrfile_close(f);
    }
    CHECK(accepted == 0);
}

/* Walks every section of an accepted file so ASan sees any bad view. */
static unsigned touch_all(const nr_nrfile *f) {
    unsigned sum = 0;
    for (size_t i = 0; i < nr_nrfile_count(f); i++) {
        nr_nrfile_section s;
        if (nr_nrfile_section_at(f, i, &s) != NR_OK) return 0;
        const unsigned char *p = s.data;
        for (size_t k = 0; k < s.size; k++) sum += p[k];
        sum += (unsigned)strlen(s.name);
        if (s.kind == NR_NRFILE_KIND_TEXT) CHECK(strlen(s.data) == s.size);
        if (s.kind == NR_NRFILE_KIND_TENSOR) CHECK((uint64_t)s.numel * 4 == s.size);
        CHECK((uintptr_t)s.data % 64 == 0);
    }
    return sum;
}

static size_t mutate(unsigned char *b, size_t n, size_t cap) {
    static const uint64_t interesting[] = {0, 1, 2, 5, 6, 63, 64, 255, 256, 0x7fffffff, 0xffffffff,
                                           UINT64_C(1) << 32, INT64_MAX, UINT64_MAX};
    size_t pos = n ? rnd() % n : 0;
    switch (rnd() % 6) {
    case 0: if (n) b[pos] ^= (unsigned char)(1u << (rnd() % 8)); break;
    case 1: if (n) b[pos] = (unsigned char)rnd(); break;
    case 2: if (pos + 4 <= n) put32(b + pos, (uint32_t)interesting[rnd() % 14]); break;
    case 3: if (pos + 8 <= n) put64(b + pos, interesting[rnd() % 14]); break;
    case 4: return pos;                                     /* truncate */
    default: {                                              /* insert bytes */
        size_t k = 1 + rnd() % 16;
        if (n + k > cap) return n;
        memmove(b + pos + k, b + pos, n - pos);
        for (size_t i = 0; i < k; i++) b[pos + i] = (unsigned char)rnd();
        return n + k;
    }
    }
    return n;
}

/* A deterministic mutation fuzz run; fuzz_nrfile.c does the same for as
 * long as libFuzzer is asked to. */
static void test_mutation_fuzz(void) {
    size_t n0;
    unsigned char *seed = sample_bytes(&n0);
    if (!CHECK(seed != NULL)) return;
    size_t cap = n0 + 256;
    unsigned char *b = malloc(cap);
    if (!b) return;
    int counts[NR_STATUS_COUNT_] = {0};
    unsigned sum = 0;
    rng = 12345;
    for (int iter = 0; iter < 5000; iter++) {
        memcpy(b, seed, n0);
        size_t n = n0;
        for (int k = 1 + (int)(rnd() % 4); k > 0; k--) n = mutate(b, n, cap);
        if (rnd() % 2) fix_up(b, n);
        nr_nrfile *f = NULL;
        nr_status st = nr_nrfile_open_memory(b, n, "fuzz", &f);
        counts[st]++;
        if (st == NR_OK) sum += touch_all(f);
        else CHECK(f == NULL && starts_with(nr_last_error(), "fuzz: "));
        nr_nrfile_close(f);
    }
    CHECK(counts[NR_OK] + counts[NR_STATUS_BAD_FORMAT] + counts[NR_STATUS_BAD_VERSION] == 5000);
    printf("mutation fuzz: 5000 runs, %d accepted, %d bad format, %d bad version (sum %u)\n", counts[NR_OK],
           counts[NR_STATUS_BAD_FORMAT], counts[NR_STATUS_BAD_VERSION], sum);
    free(b);
    free(seed);
}

/* ---- allocation failures ----------------------------------------------- */

static long alloc_count, alloc_fail_at;

static void *fail_malloc(size_t n, void *user) {
    return ++alloc_count == alloc_fail_at ? NULL : malloc(n);
}

static void *fail_realloc(void *p, size_t n, void *user) {
    return ++alloc_count == alloc_fail_at ? NULL : realloc(p, n);
}

static void fail_free(void *p, void *user) { free(p); }

static void fail_nth(long nth) {
    static const nr_alloc_hooks hooks = {fail_malloc, fail_realloc, fail_free, NULL};
    alloc_count = 0;
    alloc_fail_at = nth;
    nr_set_alloc_hooks(&hooks);
}

/* Runs op with allocation 1, 2, ... failing until it gets through with
 * no failure; every run must end in NR_OK or NR_STATUS_NO_MEMORY. */
static void each_alloc_failure(const char *what, nr_status (*op)(void *), void *arg) {
    int bad = 0;
    long nth;
    for (nth = 1; nth < 1000; nth++) {
        fail_nth(nth);
        nr_status st = op(arg);
        long made = alloc_count;
        nr_set_alloc_hooks(NULL);
        if (st != NR_OK && st != NR_STATUS_NO_MEMORY) {
            if (bad++ < 3) fprintf(stderr, "%s, allocation %ld fails: %s: %s\n", what, nth, nr_status_str(st),
                                   nr_last_error());
        }
        if (made < nth) break;
    }
    CHECK(bad == 0 && nth > 1 && nth < 1000);
    printf("%s: failed each of %ld allocations in turn\n", what, nth - 1);
}

static nr_status op_build_save(void *arg) {
    nr_nrfile_writer *w;
    NR_TRY(build_sample(&w));
    nr_status st = nr_nrfile_save(w, arg);
    nr_nrfile_writer_free(w);
    /* The target holds either the old file or the new one, never a mix. */
    nr_set_alloc_hooks(NULL);
    if (read_variant(arg) != 9.0f) {
        nr_nrfile *f;
        if (CHECK_OK(nr_nrfile_open(arg, &f))) {
            check_sample(f);
            nr_nrfile_close(f);
        }
    }
    CHECK(temp_files(tmpdir) == 0);
    return st;
}

static nr_status op_save_memory(void *arg) {
    nr_nrfile_writer *w;
    void *mem;
    size_t n;
    NR_TRY(build_sample(&w));
    nr_status st = nr_nrfile_save_memory(w, &mem, &n);
    if (st == NR_OK) nr_free(mem);
    nr_nrfile_writer_free(w);
    return st;
}

static nr_status op_open(void *arg) {
    nr_nrfile *f = NULL;
    nr_status st = nr_nrfile_open(arg, &f);
    if (st == NR_OK) {
        nr_nrfile_section s;
        st = nr_nrfile_find(f, "w5", &s);
    } else {
        CHECK(f == NULL);
    }
    nr_nrfile_close(f);
    return st;
}

static nr_status op_open_memory(void *arg) {
    size_t n = 0;
    unsigned char *b = NULL;
    nr_set_alloc_hooks(NULL);
    b = sample_bytes(&n);
    long nth = alloc_fail_at;
    fail_nth(nth);
    nr_nrfile *f = NULL;
    nr_status st = b ? nr_nrfile_open_memory(b, n, "m", &f) : NR_STATUS_NO_MEMORY;
    nr_nrfile_close(f);
    nr_free(b);
    return st;
}

static void test_alloc_failures(void) {
    const char *path = tpath("alloc.nrm");
    save_variant(path, 9.0f, NR_OK);
    each_alloc_failure("build and save", op_build_save, (void *)path);
    each_alloc_failure("save to memory", op_save_memory, NULL);
    each_alloc_failure("open", op_open, (void *)path);
    each_alloc_failure("open from memory", op_open_memory, NULL);
}

int main(void) {
    if (!mkdtemp(tmpdir)) nr_test_skip("cannot create a temporary directory");
    init_sample_data();
    test_round_trip();
    test_writer_errors();
    test_lookup_errors();
    test_atomic_save();
    test_truncated();
    test_corrupted();
    test_foreign_and_newer();
    test_hostile_structure();
    test_garbage();
    test_mutation_fuzz();
    test_alloc_failures();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    nr_test_run(cmd, NULL);
    return nr_test_finish();
}
