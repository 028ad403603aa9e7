/* Model files: save, load and resume.
 *   - An MLP with Dropout (so the dropout stream must resume too) trained
 *     with Adam for 3 epochs, saved and loaded: the loaded model predicts
 *     bitwise the same, evaluates the same, keeps its optimizer state, and
 *     the scaler and class labels come back.
 *   - Training the loaded model on for epochs 3..5 (initial_epoch = 3) gives
 *     the loss curve of one uninterrupted 6-epoch run from the same seed.
 *   - A file with a flipped byte, a truncated file, a newer container
 *     version, a newer model format and a missing file all fail with a
 *     clear message, return no graph and leak nothing (allocations are
 *     counted through the hook); so does every allocation failure during
 *     save and load. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include "io/nrfile.h"
#include "models/model_internal.h"
#include "testutil.h"

static long n_live, n_allocs, fail_at;

static void *hook_malloc(size_t size, void *user) {
    (void)user;
    if (fail_at && ++n_allocs == fail_at) return NULL;
    void *p = malloc(size);
    if (p) __atomic_add_fetch(&n_live, 1, __ATOMIC_RELAXED);
    return p;
}

static void *hook_realloc(void *p, size_t size, void *user) {
    (void)user;
    if (fail_at && ++n_allocs == fail_at) return NULL;
    void *q = realloc(p, size);
    if (q && !p) __atomic_add_fetch(&n_live, 1, __ATOMIC_RELAXED);
    return q;
}

static void hook_free(void *p, void *user) {
    (void)user;
    if (p) __atomic_sub_fetch(&n_live, 1, __ATOMIC_RELAXED);
    free(p);
}

#define F 6
#define K 3
#define N 240
#define SEED 2024

static char dir[64];

static const char *tmp_path(const char *name) {
    static char buf[4][256];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

/* A 3-class problem: the class is the argmax of three linear scores. */
static void make_data(nr_tensor **x, nr_tensor **y) {
    int64_t xs[2] = {N, F}, ys[1] = {N};
    CHECK_OK(nr_tensor_new(x, 2, xs));
    CHECK_OK(nr_tensor_new(y, 1, ys));
    uint64_t st = 99;
    for (int64_t r = 0; r < N; r++) {
        float *v = (*x)->data + r * F, score[K] = {0};
        for (int j = 0; j < F; j++) {
            st = st * 6364136223846793005ull + 1442695040888963407ull;
            v[j] = (float)((st >> 40) & 0xFFFF) / 65536.0f * 4 + 1; /* unscaled: the scaler matters */
        }
        for (int c = 0; c < K; c++)
            for (int j = 0; j < F; j++) score[c] += (v[j] - 3) * (float)(((c + 2) * (j + 1)) % 5 - 2);
        int best = 0;
        for (int c = 1; c < K; c++)
            if (score[c] > score[best]) best = c;
        (*y)->data[r] = (float)best;
    }
}

/* Input(6) -> Dense(16, relu) -> Dropout(0.3) -> Dense(8, tanh) -> Dense(3, softmax), Adam. */
static nr_model *build(nr_graph **g) {
    nr_sym x, h;
    nr_layer *d1, *dr, *d2, *d3;
    nr_model *m = NULL;
    CHECK_OK(nr_graph_new(g, SEED));
    CHECK_OK(nr_input(*g, &(nr_input_opts){.shape = {F}, .ndim = 1}, &x));
    CHECK_OK(nr_dense(*g, &(nr_dense_opts){.units = 16, .activation = NR_ACT_RELU}, &d1));
    CHECK_OK(nr_dropout(*g, &(nr_dropout_opts){.rate = 0.3f}, &dr));
    CHECK_OK(nr_dense(*g, &(nr_dense_opts){.units = 8, .activation = NR_ACT_TANH}, &d2));
    CHECK_OK(nr_dense(*g, &(nr_dense_opts){.units = K, .activation = NR_ACT_SOFTMAX}, &d3));
    CHECK_OK(nr_layer_call(d1, &x, 1, &h));
    CHECK_OK(nr_layer_call(dr, &h, 1, &h));
    CHECK_OK(nr_layer_call(d2, &h, 1, &h));
    CHECK_OK(nr_layer_call(d3, &h, 1, &h));
    CHECK_OK(nr_model_new(*g, &x, 1, &h, 1, NULL, &m));
    nr_compile_opts c = {.optimizer = {.kind = NR_OPTIMIZER_ADAM, .learning_rate = 0.01f},
                         .loss = {{.kind = NR_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY}},
                         .metrics = {NR_METRIC_ACCURACY}};
    CHECK_OK(nr_model_compile(m, &c));
    return m;
}

static char *summary_text(const nr_model *m) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return NULL;
    nr_model_summary(m, f);
    fclose(f);
    return buf;
}

static int write_bytes(const char *path, const void *data, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    int ok = fwrite(data, 1, n, f) == n;
    return fclose(f) == 0 && ok;
}

/* nr_model_load must fail with want, name the file and say why, and leave
 * nothing allocated and no graph behind. */
static void expect_load_error(const char *path, nr_status want, const char *why) {
    nr_graph *g = (nr_graph *)1;
    nr_model *m = (nr_model *)1;
    long live = n_live;
    CHECK_STATUS(nr_model_load(path, &g, &m), want);
    CHECK(g == NULL && m == NULL);
    const char *msg = nr_last_error();
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    if (!CHECK(strstr(msg, base) != NULL && strstr(msg, why) != NULL))
        fprintf(stderr, "  message \"%s\" should name %s and say \"%s\"\n", msg, base, why);
    CHECK(n_live == live);
}

static void save_load_resume(void) {
    nr_tensor *x, *y;
    make_data(&x, &y);
    nr_scaler *sc;
    CHECK_OK(nr_scaler_new(NR_SCALER_STANDARD, &sc));
    CHECK_OK(nr_scaler_fit(sc, x));
    CHECK_OK(nr_scaler_transform(sc, x));
    const char *names[K] = {"alpha", "beta", "gamma"};
    nr_labels *labels;
    CHECK_OK(nr_labels_new(names, K, &labels));
    const nr_tensor *xv[1] = {x}, *yv[1] = {y};
    nr_fit_opts fo = {.epochs = 6, .batch_size = 32};

    /* The uninterrupted run. */
    nr_graph *ga;
    nr_model *ma = build(&ga);
    nr_history *ha = NULL;
    CHECK_OK(nr_model_fit(ma, xv, yv, &fo, &ha));
    const double *la = ha ? nr_history_values(ha, "loss") : NULL;

    /* Three epochs, saved. */
    nr_graph *gb;
    nr_model *mb = build(&gb);
    nr_history *hb = NULL;
    fo.epochs = 3;
    CHECK_OK(nr_model_fit(mb, xv, yv, &fo, &hb));
    const double *lb = hb ? nr_history_values(hb, "loss") : NULL;
    if (CHECK(la && lb && nr_history_n_epochs(hb) == 3))
        for (int e = 0; e < 3; e++) CHECK(la[e] == lb[e]); /* same seed, same run */
    CHECK_OK(nr_model_set_scaler(mb, sc));
    CHECK_OK(nr_model_set_labels(mb, labels));
    const char *path = tmp_path("mlp.nrm");
    CHECK_OK(nr_model_save(mb, path));
    CHECK(access(path, F_OK) == 0);
    nr_tensor *pb[1] = {NULL}, *pl[1] = {NULL};
    nr_logs eb, el;
    CHECK_OK(nr_model_predict(mb, xv, 50, pb));
    CHECK_OK(nr_model_evaluate(mb, xv, yv, NULL, &eb));

    /* Loaded: the same predictions, bit for bit, and the same evaluation. */
    nr_graph *gl = NULL;
    nr_model *ml = NULL;
    if (!CHECK_OK(nr_model_load(path, &gl, &ml))) goto out;
    CHECK(nr_model_graph(ml) == gl);
    if (CHECK_OK(nr_model_predict(ml, xv, 50, pl)) && pb[0])
        CHECK(memcmp(pb[0]->data, pl[0]->data, (size_t)nr_tensor_numel(pb[0]) * sizeof(float)) == 0);
    if (CHECK_OK(nr_model_evaluate(ml, xv, yv, NULL, &el))) {
        CHECK(el.n == eb.n);
        CHECK(nr_logs_get(&el, "loss") == nr_logs_get(&eb, "loss"));
        CHECK(nr_logs_get(&el, "accuracy") == nr_logs_get(&eb, "accuracy"));
    }
    /* The architecture, compile options and optimizer state. */
    {
        char *sa = summary_text(mb), *sl = summary_text(ml);
        if (!CHECK(sa && sl && strcmp(sa, sl) == 0)) fprintf(stderr, "saved:\n%sloaded:\n%s", sa, sl);
        free(sa);
        free(sl);
        int64_t ta, fa, tl, fl;
        nr_model_count_params(mb, &ta, &fa);
        nr_model_count_params(ml, &tl, &fl);
        CHECK(ta == tl && fa == fl);
        const nr_compile_opts *co = nr_model_compile_opts(ml);
        CHECK(co != NULL);
        nr_loss loss = nr_model_loss(ml, 0);
        CHECK(loss.kind == NR_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY);
        CHECK(nr_model_learning_rate(ml) == nr_model_learning_rate(mb));
        if (CHECK(ml->opt && mb->opt)) {
            CHECK(nr_optimizer_iterations(ml->opt) == nr_optimizer_iterations(mb->opt));
            CHECK(nr_optimizer_iterations(ml->opt) == 3 * ((N + 31) / 32));
            size_t ns = nr_optimizer_state_size(mb->opt);
            CHECK(ns > 0 && ns == nr_optimizer_state_size(ml->opt));
            if (ns == nr_optimizer_state_size(ml->opt))
                CHECK(memcmp(nr_optimizer_state(mb->opt), nr_optimizer_state(ml->opt), ns * sizeof(float)) == 0);
        }
        CHECK(ml->step == mb->step);
    }
    /* Scaler and labels round-trip. */
    {
        const nr_scaler *s2 = nr_model_scaler(ml);
        if (CHECK(s2 != NULL)) {
            CHECK(nr_scaler_get_kind(s2) == NR_SCALER_STANDARD);
            CHECK(nr_scaler_size(s2) == F);
            CHECK(memcmp(nr_scaler_offset(s2), nr_scaler_offset(sc), F * sizeof(float)) == 0);
            CHECK(memcmp(nr_scaler_scale(s2), nr_scaler_scale(sc), F * sizeof(float)) == 0);
        }
        const nr_labels *l2 = nr_model_labels(ml);
        if (CHECK(l2 != NULL && nr_labels_count(l2) == K))
            for (int i = 0; i < K; i++) CHECK(strcmp(nr_labels_name(l2, i), names[i]) == 0);
    }

    /* Resumed: epochs 3..5 continue the uninterrupted run's loss curve. */
    {
        nr_history *hl = NULL;
        fo.epochs = 6;
        fo.initial_epoch = 3;
        if (CHECK_OK(nr_model_fit(ml, xv, yv, &fo, &hl)) && CHECK(nr_history_n_epochs(hl) == 3)) {
            const double *ll = nr_history_values(hl, "loss"), *acc_l = nr_history_values(hl, "accuracy");
            const double *acc_a = nr_history_values(ha, "accuracy");
            const int *ep = nr_history_epochs(hl);
            for (int e = 0; e < 3; e++) {
                CHECK(ep[e] == 3 + e);
                if (la && ll) CHECK_CLOSE(ll[e], la[3 + e], 0, 1e-6);
                if (acc_a && acc_l) CHECK_CLOSE(acc_l[e], acc_a[3 + e], 0, 1e-6);
            }
            printf("loss, uninterrupted: %.7f %.7f %.7f | %.7f %.7f %.7f\n", la[0], la[1], la[2], la[3], la[4], la[5]);
            printf("loss, resumed:                                        | %.7f %.7f %.7f\n", ll[0], ll[1], ll[2]);
        }
        nr_history_free(hl);
        /* and the weights end where the uninterrupted run's did */
        int64_t n = nr_model_weights_size(ma);
        float *wa = malloc((size_t)n * sizeof(float)), *wl = malloc((size_t)n * sizeof(float));
        if (CHECK(wa && wl && nr_model_weights_size(ml) == n)) {
            CHECK_OK(nr_model_get_weights(ma, wa));
            CHECK_OK(nr_model_get_weights(ml, wl));
            nr_test_close_arrays(wl, wa, (size_t)n, 1e-6, 1e-5, "weights after resuming");
        }
        free(wa);
        free(wl);
    }
    /* Saving the loaded model again gives a file that loads again. */
    {
        nr_graph *g3;
        nr_model *m3;
        const char *p2 = tmp_path("again.nrm");
        CHECK_OK(nr_model_save(ml, p2));
        if (CHECK_OK(nr_model_load(p2, &g3, &m3))) {
            nr_tensor *p3[1] = {NULL}, *p4[1] = {NULL};
            if (CHECK_OK(nr_model_predict(m3, xv, 64, p3)) && CHECK_OK(nr_model_predict(ml, xv, 64, p4)))
                CHECK(memcmp(p3[0]->data, p4[0]->data, (size_t)nr_tensor_numel(p3[0]) * sizeof(float)) == 0);
            nr_tensor_free(p3[0]);
            nr_tensor_free(p4[0]);
            nr_graph_free(g3);
        }
        unlink(p2);
    }
out:
    nr_tensor_free(pb[0]);
    nr_tensor_free(pl[0]);
    nr_graph_free(gl);
    nr_history_free(ha);
    nr_history_free(hb);
    nr_graph_free(ga);
    nr_graph_free(gb);
    nr_scaler_free(sc);
    nr_labels_free(labels);
    nr_tensor_free(x);
    nr_tensor_free(y);
}

/* Damaged and foreign files. */
static void bad_files(void) {
    nr_graph *g;
    nr_model *m = build(&g);
    const char *path = tmp_path("good.nrm");
    CHECK_OK(nr_model_save(m, path));
    nr_graph_free(g);
    size_t len = 0;
    unsigned char *bytes = (unsigned char *)nr_test_read_file(path, &len);
    if (!CHECK(bytes && len > 200)) { free(bytes); return; }

    /* A flipped byte in the middle, in the weights, and in the header. */
    const size_t spots[3] = {len / 2, len - 100, 20};
    for (int i = 0; i < 3; i++) {
        const char *p = tmp_path("flipped.nrm");
        bytes[spots[i]] ^= 0x10;
        CHECK(write_bytes(p, bytes, len));
        bytes[spots[i]] ^= 0x10;
        nr_graph *g2 = (nr_graph *)1;
        nr_model *m2 = (nr_model *)1;
        long live = n_live;
        nr_status s = nr_model_load(p, &g2, &m2);
        CHECK(s == NR_STATUS_BAD_FORMAT || s == NR_STATUS_BAD_VERSION);
        CHECK(g2 == NULL && m2 == NULL && n_live == live);
        CHECK(strstr(nr_last_error(), "flipped.nrm") != NULL);
    }
    {
        const char *p = tmp_path("flipped.nrm");
        bytes[len / 2] ^= 0x01;
        CHECK(write_bytes(p, bytes, len));
        bytes[len / 2] ^= 0x01;
        expect_load_error(p, NR_STATUS_BAD_FORMAT, "corrupt");
    }
    /* Truncated: cut at several points. */
    const size_t cuts[4] = {len / 2, len - 1, 40, 5};
    for (int i = 0; i < 4; i++) {
        const char *p = tmp_path("truncated.nrm");
        CHECK(write_bytes(p, bytes, cuts[i]));
        nr_graph *g2 = (nr_graph *)1;
        nr_model *m2 = (nr_model *)1;
        long live = n_live;
        CHECK(nr_model_load(p, &g2, &m2) == NR_STATUS_BAD_FORMAT);
        CHECK(g2 == NULL && m2 == NULL && n_live == live);
        if (i < 2) CHECK(strstr(nr_last_error(), "truncated") != NULL);
    }
    {
        const char *p = tmp_path("truncated.nrm");
        CHECK(write_bytes(p, bytes, len / 2));
        expect_load_error(p, NR_STATUS_BAD_FORMAT, "truncated");
        CHECK(write_bytes(p, bytes, 0));
        expect_load_error(p, NR_STATUS_BAD_FORMAT, "truncated.nrm");
    }
    /* A newer container version, with a valid checksum. */
    {
        const char *p = tmp_path("newer.nrm");
        unsigned char *b = malloc(len);
        if (CHECK(b != NULL)) {
            memcpy(b, bytes, len);
            b[8] = 2; /* u32 version, little-endian */
            uLong crc = crc32(0L, Z_NULL, 0);
            crc = crc32(crc, b, (uInt)(len - NR_NRFILE_TRAILER_SIZE));
            unsigned char *t = b + len - NR_NRFILE_TRAILER_SIZE + 8;
            for (int k = 0; k < 4; k++) t[k] = (unsigned char)(crc >> (8 * k));
            CHECK(write_bytes(p, b, len));
            expect_load_error(p, NR_STATUS_BAD_VERSION, "version");
        }
        free(b);
    }
    /* A newer model format inside a valid container. */
    {
        const char *p = tmp_path("format2.nrm");
        nr_nrfile_writer *w;
        CHECK_OK(nr_nrfile_writer_new(&w));
        CHECK_OK(nr_nrfile_add_text(w, "neurona/format", "neurona model 2"));
        CHECK_OK(nr_nrfile_add_text(w, "architecture", "Input(shape=(3,))\nDense(2)\n"));
        CHECK_OK(nr_nrfile_save(w, p));
        nr_nrfile_writer_free(w);
        expect_load_error(p, NR_STATUS_BAD_VERSION, "upgrade");
    }
    /* Not a model file at all, and no file. */
    {
        const char *p = tmp_path("text.nrm");
        const char text[] = "Input(shape=(3,))\nDense(2)\nthis is a SPEC, not a model file\n";
        CHECK(write_bytes(p, text, sizeof text - 1));
        expect_load_error(p, NR_STATUS_BAD_FORMAT, "text.nrm");
        expect_load_error(tmp_path("missing.nrm"), NR_STATUS_IO, "missing.nrm");
    }
    /* Saving where no file can be made fails cleanly. */
    {
        nr_graph *g2;
        nr_model *m2 = build(&g2);
        CHECK_STATUS(nr_model_save(m2, "/nonexistent-dir/x.nrm"), NR_STATUS_IO);
        nr_graph_free(g2);
    }
    free(bytes);
}

/* Every allocation of a save and of a load, failed in turn. */
static void allocation_failures(void) {
    nr_graph *g;
    nr_model *m = build(&g);
    nr_tensor *x, *y;
    make_data(&x, &y);
    const nr_tensor *xv[1] = {x}, *yv[1] = {y};
    CHECK_OK(nr_model_fit(m, xv, yv, &(nr_fit_opts){.epochs = 1, .batch_size = 64}, NULL));
    const char *path = tmp_path("oom.nrm");
    CHECK_OK(nr_model_save(m, path));
    int bad = 0;
    for (int what = 0; what < 2; what++) {
        fail_at = 0;
        n_allocs = 0;
        long total = 0;
        /* count first: a run with fail_at beyond the end */
        fail_at = 1L << 40;
        if (what == 0) CHECK_OK(nr_model_save(m, tmp_path("oom2.nrm")));
        else {
            nr_graph *g2;
            nr_model *m2;
            CHECK_OK(nr_model_load(path, &g2, &m2));
            nr_graph_free(g2);
        }
        total = n_allocs;
        for (long nth = 1; nth <= total; nth++) {
            long live = n_live;
            n_allocs = 0;
            fail_at = nth;
            nr_status s;
            if (what == 0) s = nr_model_save(m, tmp_path("oom2.nrm"));
            else {
                nr_graph *g2 = (nr_graph *)1;
                nr_model *m2 = (nr_model *)1;
                s = nr_model_load(path, &g2, &m2);
                if (s == NR_OK) nr_graph_free(g2);
                else if (g2 != NULL || m2 != NULL) bad++;
            }
            fail_at = 0;
            if (s != NR_STATUS_NO_MEMORY || n_live != live) {
                if (bad < 5)
                    fprintf(stderr, "  %s: allocation %ld of %ld failed: %s (%s), %ld blocks leaked\n",
                            what ? "load" : "save", nth, total, nr_status_str(s), nr_last_error(), n_live - live);
                bad++;
            }
        }
        printf("%s: %ld allocations, each failed in turn\n", what ? "load" : "save", total);
    }
    CHECK(bad == 0);
    /* A failed save leaves no temporary file behind. */
    char cmd[256];
    snprintf(cmd, sizeof cmd, "ls %s | grep -q tmp", dir);
    CHECK(nr_test_run(cmd, NULL) != 0);
    nr_tensor_free(x);
    nr_tensor_free(y);
    nr_graph_free(g);
}

int main(void) {
    snprintf(dir, sizeof dir, "/tmp/nr_resume_XXXXXX");
    if (!mkdtemp(dir)) nr_test_skip("cannot make a temporary directory");
    nr_set_alloc_hooks(&(nr_alloc_hooks){hook_malloc, hook_realloc, hook_free, NULL});
    save_load_resume();
    bad_files();
    allocation_failures();
    CHECK(n_live == 0);
    nr_set_alloc_hooks(NULL);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    nr_test_run(cmd, NULL);
    return nr_test_finish();
}
