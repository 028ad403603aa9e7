/* Seeded mutation fuzzing of the Keras readers: model configs (JSON into
 * SPEC into a model), .keras archives (libzip, then the config and the
 * weights inside) and, by truncation only, HDF5 files: libhdf5 1.10 is not
 * hardened against crafted files (it may crash on a corrupted object
 * header), so HDF5 gets the damage real files get, cut short anywhere.
 * Every call must return a status with a message, never crash or leak;
 * under ASan and UBSan this is the readers' memory-safety test. */
#include <string.h>
#include <unistd.h>
#include "io/keras_internal.h"
#include "testutil.h"

#ifndef ITERS
#define ITERS 400 /* override with -DITERS=N for a longer campaign */
#endif

static uint64_t rng_state = 20250808;

static uint64_t rnd(void) {
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static size_t below(size_t n) { return n ? (size_t)(rnd() % n) : 0; }

/* 1..4 edits biased towards the bytes JSON and zip headers care about. */
static size_t mutate(unsigned char *b, size_t n, size_t cap) {
    static const unsigned char special[] = "{}[]:,\"0-9.eE nulltrue\\\x00\xff\x01PK\x03\x04";
    int edits = 1 + (int)below(4);
    for (int e = 0; e < edits; e++) {
        size_t pos = below(n + 1);
        unsigned char c = rnd() & 1 ? special[below(sizeof special - 1)] : (unsigned char)rnd();
        switch (below(4)) {
        case 0:
            if (pos < n) b[pos] = c;
            break;
        case 1:
            if (n < cap) {
                memmove(b + pos + 1, b + pos, n - pos);
                b[pos] = c;
                n++;
            }
            break;
        case 2:
            if (pos < n) {
                memmove(b + pos, b + pos + 1, n - pos - 1);
                n--;
            }
            break;
        default: {
            size_t len = 1 + below(24);
            if (pos + len <= n) memmove(b + pos, b + pos + len, n - pos - len), n -= len;
        }
        }
    }
    return n;
}

static char *read_fixture(const char *name, size_t *n) {
    char rel[128];
    snprintf(rel, sizeof rel, "tests/fixtures/kerasfiles/%s", name);
    char *b = nr_test_read_file(nr_test_path(rel), n);
    if (!b) nr_test_skip("the Keras fixtures are missing (scripts/gen_keras_files.py)");
    return b;
}

static void write_file(const char *path, const void *b, size_t n) {
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(b, 1, n, f);
        fclose(f);
    }
}

static int failures_have_messages = 1;

static void note(nr_status s) {
    if (s != NR_OK && !nr_last_error()[0]) failures_have_messages = 0;
}

static void fuzz_configs(void) {
    static const char *const files[] = {"func.json", "rnn.json", "cnn.json", "rnn2.json"};
    for (int f = 0; f < 4; f++) {
        size_t n;
        char *orig = read_fixture(files[f], &n);
        size_t cap = n + 64;
        char *b = malloc(cap + 1);
        for (int it = 0; b && it < ITERS / 4; it++) {
            memcpy(b, orig, n);
            size_t m = mutate((unsigned char *)b, n, cap);
            b[m] = 0;
            nr_spec *spec = NULL;
            nr_status s = nr_keras_config_load(b, NULL, "fuzz.json", it & 1, 1, &spec);
            note(s);
            CHECK((s == NR_OK) == (spec != NULL));
            nr_spec_free(spec);
        }
        free(b);
        free(orig);
    }
}

static void fuzz_zip(const char *dir) {
    size_t n;
    char *orig = read_fixture("mlp.keras", &n);
    size_t cap = n + 64;
    unsigned char *b = malloc(cap);
    char path[600];
    snprintf(path, sizeof path, "%s/fuzz.keras", dir);
    for (int it = 0; b && it < ITERS / 2; it++) {
        memcpy(b, orig, n);
        /* Half the edits hit the local header and the central directory at the end. */
        size_t m = n;
        if (it & 1) m = mutate(b, n, cap);
        else {
            size_t tail = n - 600 - below(200);
            m = tail + mutate(b + tail, n - tail, cap - tail);
            if (it % 4 == 0) b[below(64)] ^= (unsigned char)(1 + below(255));
        }
        write_file(path, b, m);
        nr_graph *g = NULL;
        nr_model *mod = NULL;
        nr_status s = nr_model_load(path, &g, &mod);
        note(s);
        nr_graph_free(g);
    }
    free(b);
    free(orig);
}

static void truncate_h5(const char *dir, const char *name, int weights_only) {
    size_t n;
    char *orig = read_fixture(name, &n);
    char path[600];
    snprintf(path, sizeof path, "%s/cut.h5", dir);
    nr_graph *g = NULL;
    nr_model *m = NULL;
    if (weights_only && !CHECK_OK(nr_model_load(nr_test_path("tests/fixtures/kerasfiles/mlp.h5"), &g, &m))) return;
    for (int k = 0; k < 48; k++) {
        size_t cut = k < 40 ? n * (size_t)k / 40 : n - 1 - below(4096);
        write_file(path, orig, cut);
        nr_status s;
        if (weights_only) s = nr_model_load_weights(m, path, NULL);
        else {
            nr_graph *g2 = NULL;
            nr_model *m2 = NULL;
            s = nr_model_load(path, &g2, &m2);
            nr_graph_free(g2);
        }
        CHECK(s != NR_OK);
        note(s);
    }
    nr_graph_free(g);
    free(orig);
}

int main(void) {
    char dir[] = "/tmp/nr_kfuzz_XXXXXX";
    if (!mkdtemp(dir)) nr_test_skip("cannot create a temporary folder");
    fuzz_configs();
    fuzz_zip(dir);
    truncate_h5(dir, "func.h5", 0);
    truncate_h5(dir, "mlp.weights.h5", 1);
    CHECK(failures_have_messages);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    nr_test_run(cmd, NULL);
    return nr_test_finish();
}
