/* Allocation behaviour of training, through the allocation hook:
 *   - once fit() has planned a model, train_on_batch() and test_on_batch()
 *     with the same batch size allocate nothing;
 *   - fit() allocates a fixed amount of setup that does not grow with the
 *     number of steps (10 vs 100) or of epochs, and predict() a fixed amount
 *     that does not grow with the number of rows;
 *   - making allocation N fail, for every N a build + compile + fit +
 *     evaluate + predict + nested-model run makes, gives NR_STATUS_NO_MEMORY
 *     from the call that met it, never a crash or a silent success, and leaves no allocation behind once everything is
 *     freed (live allocations are counted, so a leak fails here too, not
 *     only under ASan). */
#include <string.h>
#include "testutil.h"

/* --- the counting, failing allocator ------------------------------------ */

static long n_allocs;   /* malloc and realloc calls since the last reset */
static long n_live;     /* blocks allocated and not yet freed */
static long fail_at;    /* the allocation number that fails (1-based), 0 = none */
static long n_failed;

static int should_fail(void) {
    long k = __atomic_add_fetch(&n_allocs, 1, __ATOMIC_RELAXED);
    if (fail_at && k == fail_at) {
        __atomic_add_fetch(&n_failed, 1, __ATOMIC_RELAXED);
        return 1;
    }
    return 0;
}

static void *hook_malloc(size_t size, void *user) {
    (void)user;
    if (should_fail()) return NULL;
    void *p = malloc(size);
    if (p) __atomic_add_fetch(&n_live, 1, __ATOMIC_RELAXED);
    return p;
}

static void *hook_realloc(void *p, size_t size, void *user) {
    (void)user;
    if (should_fail()) return NULL;
    void *q = realloc(p, size);
    if (q && !p) __atomic_add_fetch(&n_live, 1, __ATOMIC_RELAXED);
    return q;
}

static void hook_free(void *p, void *user) {
    (void)user;
    if (p) __atomic_sub_fetch(&n_live, 1, __ATOMIC_RELAXED);
    free(p);
}

static void counter_reset(void) {
    n_allocs = 0;
    n_failed = 0;
}

/* --- data and model --------------------------------------------------- */

#define F 6
#define K 3

/* Rows of a learnable 3-class problem: the class is the argmax of three
 * fixed linear scores. Allocated through the hook. */
static nr_status make_data(int64_t n, nr_tensor **x, nr_tensor **y) {
    int64_t xs[2] = {n, F}, ys[1] = {n};
    *x = *y = NULL;
    nr_status s = nr_tensor_new(x, 2, xs);
    if (s == NR_OK) s = nr_tensor_new(y, 1, ys);
    if (s != NR_OK) {
        nr_tensor_free(*x);
        nr_tensor_free(*y);
        *x = *y = NULL;
        return s;
    }
    uint64_t st = 12345;
    for (int64_t r = 0; r < n; r++) {
        float *v = (*x)->data + r * F, score[K] = {0};
        for (int j = 0; j < F; j++) {
            st = st * 6364136223846793005ull + 1442695040888963407ull;
            v[j] = (float)((st >> 40) & 0xFFFF) / 65536.0f * 2 - 1;
        }
        for (int c = 0; c < K; c++)
            for (int j = 0; j < F; j++) score[c] += v[j] * (float)(((c + 1) * (j + 2)) % 5 - 2);
        int best = 0;
        for (int c = 1; c < K; c++)
            if (score[c] > score[best]) best = c;
        (*y)->data[r] = (float)best;
    }
    return NR_OK;
}

#define TRY(expr) \
    do { nr_status try_s_ = (expr); if (try_s_ != NR_OK) return try_s_; } while (0)

/* Input(6) -> Dense(16, relu) -> Dropout(0.2) -> Dense(8, tanh) -> Dense(3, softmax), Adam. */
static nr_status build(nr_graph *g, nr_model **out) {
    nr_sym x, h;
    nr_layer *d1, *dr, *d2, *d3;
    TRY(nr_input(g, &(nr_input_opts){.shape = {F}, .ndim = 1}, &x));
    TRY(nr_dense(g, &(nr_dense_opts){.units = 16, .activation = NR_ACT_RELU}, &d1));
    TRY(nr_dropout(g, &(nr_dropout_opts){.rate = 0.2f}, &dr));
    TRY(nr_dense(g, &(nr_dense_opts){.units = 8, .activation = NR_ACT_TANH}, &d2));
    TRY(nr_dense(g, &(nr_dense_opts){.units = K, .activation = NR_ACT_SOFTMAX}, &d3));
    TRY(nr_layer_call(d1, &x, 1, &h));
    TRY(nr_layer_call(dr, &h, 1, &h));
    TRY(nr_layer_call(d2, &h, 1, &h));
    TRY(nr_layer_call(d3, &h, 1, &h));
    TRY(nr_model_new(g, &x, 1, &h, 1, NULL, out));
    nr_compile_opts c = {.optimizer = {.kind = NR_OPTIMIZER_ADAM, .learning_rate = 0.01f},
                         .loss = {{.kind = NR_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY}},
                         .metrics = {NR_METRIC_ACCURACY}};
    return nr_model_compile(*out, &c);
}

/* --- steady state ------------------------------------------------------- */

static void steady_state(void) {
    nr_graph *g;
    nr_model *m;
    nr_tensor *x, *y, *xb, *yb;
    CHECK_OK(nr_graph_new(&g, 5));
    if (!CHECK_OK(build(g, &m))) { nr_graph_free(g); return; }
    CHECK_OK(make_data(1600, &x, &y));
    CHECK_OK(nr_tensor_slice_rows(&xb, x, 0, 16));
    CHECK_OK(nr_tensor_slice_rows(&yb, y, 0, 16));
    const nr_tensor *xv[1] = {x}, *yv[1] = {y}, *xbv[1] = {xb}, *ybv[1] = {yb};
    nr_logs logs;

    /* The first epoch makes the training plan for batches of 16. */
    CHECK_OK(nr_model_fit(m, xv, yv, &(nr_fit_opts){.epochs = 1, .batch_size = 16}, NULL));
    CHECK_OK(nr_model_test_on_batch(m, xbv, ybv, NULL, &logs)); /* makes the evaluation plan */
    counter_reset();
    double first = 0, last = 0;
    for (int i = 0; i < 50; i++) {
        CHECK_OK(nr_model_train_on_batch(m, xbv, ybv, NULL, &logs));
        if (i == 0) first = nr_logs_get(&logs, "loss");
        last = nr_logs_get(&logs, "loss");
    }
    long train_allocs = n_allocs;
    counter_reset();
    for (int i = 0; i < 10; i++) CHECK_OK(nr_model_test_on_batch(m, xbv, ybv, NULL, &logs));
    long test_allocs = n_allocs;
    printf("train_on_batch x50: %ld allocations; test_on_batch x10: %ld\n", train_allocs, test_allocs);
    CHECK(train_allocs == 0);
    CHECK(test_allocs == 0);
    CHECK(last < first); /* the steps did train */
    /* A smaller batch runs in the same plan, still without allocating. */
    nr_tensor *xs, *ys;
    CHECK_OK(nr_tensor_slice_rows(&xs, x, 0, 5));
    CHECK_OK(nr_tensor_slice_rows(&ys, y, 0, 5));
    const nr_tensor *xsv[1] = {xs}, *ysv[1] = {ys};
    counter_reset();
    CHECK_OK(nr_model_train_on_batch(m, xsv, ysv, NULL, &logs));
    CHECK(n_allocs == 0);
    nr_tensor_free(xs);
    nr_tensor_free(ys);

    /* fit(): the setup is the same for 10 and for 100 steps per epoch. */
    nr_tensor *x10, *y10;
    CHECK_OK(nr_tensor_slice_rows(&x10, x, 0, 160));
    CHECK_OK(nr_tensor_slice_rows(&y10, y, 0, 160));
    const nr_tensor *x10v[1] = {x10}, *y10v[1] = {y10};
    long fit10, fit100, fit10h, fit100h, ep2, ep6, val10, val100;
    counter_reset();
    CHECK_OK(nr_model_fit(m, x10v, y10v, &(nr_fit_opts){.epochs = 1, .batch_size = 16}, NULL));
    fit10 = n_allocs;
    counter_reset();
    CHECK_OK(nr_model_fit(m, xv, yv, &(nr_fit_opts){.epochs = 1, .batch_size = 16}, NULL));
    fit100 = n_allocs;
    /* with a History */
    nr_history *h = NULL;
    counter_reset();
    CHECK_OK(nr_model_fit(m, x10v, y10v, &(nr_fit_opts){.epochs = 1, .batch_size = 16}, &h));
    fit10h = n_allocs;
    nr_history_free(h);
    counter_reset();
    CHECK_OK(nr_model_fit(m, xv, yv, &(nr_fit_opts){.epochs = 1, .batch_size = 16}, &h));
    fit100h = n_allocs;
    nr_history_free(h);
    /* epochs: 2 vs 6, no History */
    counter_reset();
    CHECK_OK(nr_model_fit(m, x10v, y10v, &(nr_fit_opts){.epochs = 2, .batch_size = 16}, NULL));
    ep2 = n_allocs;
    counter_reset();
    CHECK_OK(nr_model_fit(m, x10v, y10v, &(nr_fit_opts){.epochs = 6, .batch_size = 16}, NULL));
    ep6 = n_allocs;
    /* with validation: 8 and 80 training steps plus validation batches */
    counter_reset();
    CHECK_OK(nr_model_fit(m, x10v, y10v, &(nr_fit_opts){.epochs = 1, .batch_size = 16, .validation_split = 0.2f}, NULL));
    val10 = n_allocs;
    counter_reset();
    CHECK_OK(nr_model_fit(m, xv, yv, &(nr_fit_opts){.epochs = 1, .batch_size = 16, .validation_split = 0.2f}, NULL));
    val100 = n_allocs;
    printf("fit setup: 10 steps %ld, 100 steps %ld; with History %ld, %ld; 2 epochs %ld, 6 epochs %ld; "
           "with validation %ld, %ld\n", fit10, fit100, fit10h, fit100h, ep2, ep6, val10, val100);
    CHECK(fit10 == fit100);
    CHECK(fit10h == fit100h);
    CHECK(ep2 == ep6);
    CHECK(val10 == val100);
    CHECK(fit10 <= 8); /* a handful of setup buffers, not one per step */

    /* predict(): the output tensors and nothing per row or chunk (after a
     * first call has made the inference plan). */
    nr_tensor *p[1];
    CHECK_OK(nr_model_predict(m, x10v, 16, p));
    nr_tensor_free(p[0]);
    counter_reset();
    CHECK_OK(nr_model_predict(m, x10v, 16, p));
    long pred10 = n_allocs;
    nr_tensor_free(p[0]);
    counter_reset();
    CHECK_OK(nr_model_predict(m, xv, 16, p));
    long pred100 = n_allocs;
    nr_tensor_free(p[0]);
    /* evaluate(): nothing at all once the plan exists. */
    counter_reset();
    CHECK_OK(nr_model_evaluate(m, xv, yv, &(nr_eval_opts){.batch_size = 16}, &logs));
    long eval_allocs = n_allocs;
    printf("predict 160 rows: %ld, 1600 rows: %ld; evaluate: %ld\n", pred10, pred100, eval_allocs);
    CHECK(pred10 == pred100);
    CHECK(eval_allocs == 0);

    nr_tensor_free(x10);
    nr_tensor_free(y10);
    nr_tensor_free(xb);
    nr_tensor_free(yb);
    nr_tensor_free(x);
    nr_tensor_free(y);
    nr_graph_free(g);
}

/* --- failure injection -------------------------------------------------- */

/* The whole life of a model. Returns the first failure (NR_OK if none);
 * *stage says which call met it. Everything is freed either way. */
static nr_status scenario(const char **stage) {
    nr_graph *g = NULL;
    nr_model *m = NULL;
    nr_tensor *x = NULL, *y = NULL, *p[1] = {NULL};
    nr_history *h = NULL;
    nr_callback *cb = NULL;
    nr_logs logs;
    nr_status s;
    *stage = "graph";
    s = nr_graph_new(&g, 9);
    if (s == NR_OK) { *stage = "build"; s = build(g, &m); }
    if (s == NR_OK) { *stage = "data"; s = make_data(96, &x, &y); }
    if (s == NR_OK) { *stage = "callback"; s = nr_early_stopping_new(&(nr_early_stopping_opts){.patience = 5, .restore_best_weights = 1}, &cb); }
    const nr_tensor *xv[1] = {x}, *yv[1] = {y};
    if (s == NR_OK) {
        *stage = "fit";
        nr_callback *cbs[1] = {cb};
        s = nr_model_fit(m, xv, yv, &(nr_fit_opts){.epochs = 2, .batch_size = 32, .validation_split = 0.25f,
                                                   .callbacks = cbs, .n_callbacks = 1}, &h);
    }
    if (s == NR_OK) { *stage = "evaluate"; s = nr_model_evaluate(m, xv, yv, NULL, &logs); }
    if (s == NR_OK) { *stage = "predict"; s = nr_model_predict(m, xv, 40, p); }
    if (s == NR_OK) { *stage = "train_on_batch"; s = nr_model_train_on_batch(m, xv, yv, NULL, &logs); }
    if (s == NR_OK) {
        /* a second model sharing the layers: Sequential used as a layer */
        nr_model *seq = NULL;
        nr_layer *a = NULL, *as = NULL;
        nr_sym in, out;
        *stage = "nested";
        s = nr_sequential_new(g, NULL, &seq);
        if (s == NR_OK) s = nr_dense(g, &(nr_dense_opts){.units = 4, .base = {.input_shape = {F}, .input_ndim = 1}}, &a);
        if (s == NR_OK) s = nr_sequential_add(seq, a);
        if (s == NR_OK) s = nr_model_as_layer(seq, &as);
        if (s == NR_OK) s = nr_input(g, &(nr_input_opts){.shape = {F}, .ndim = 1}, &in);
        if (s == NR_OK) s = nr_layer_call(as, &in, 1, &out);
        nr_model *outer = NULL;
        if (s == NR_OK) s = nr_model_new(g, &in, 1, &out, 1, "outer", &outer);
        if (s == NR_OK) s = nr_model_compile(outer, &(nr_compile_opts){.loss = {{.kind = NR_LOSS_MEAN_SQUARED_ERROR}}});
    }
    if (s == NR_OK) {
        /* a Sequential built by its first data, inside fit() */
        nr_model *seq = NULL;
        nr_layer *a = NULL, *b = NULL;
        *stage = "deferred";
        s = nr_sequential_new(g, NULL, &seq);
        if (s == NR_OK) s = nr_dense(g, &(nr_dense_opts){.units = 5, .activation = NR_ACT_ELU}, &a);
        if (s == NR_OK) s = nr_dense(g, &(nr_dense_opts){.units = K, .activation = NR_ACT_SOFTMAX}, &b);
        if (s == NR_OK) s = nr_sequential_add(seq, a);
        if (s == NR_OK) s = nr_sequential_add(seq, b);
        if (s == NR_OK)
            s = nr_model_compile(seq, &(nr_compile_opts){.optimizer = {.kind = NR_OPTIMIZER_NADAM},
                                                         .loss = {{.kind = NR_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY}}});
        if (s == NR_OK) s = nr_model_fit(seq, xv, yv, &(nr_fit_opts){.epochs = 1, .batch_size = 50}, NULL);
    }
    nr_tensor_free(p[0]);
    nr_history_free(h);
    nr_callback_free(cb);
    nr_tensor_free(x);
    nr_tensor_free(y);
    nr_graph_free(g);
    return s;
}

static void failure_injection(void) {
    const char *stage;
    fail_at = 0;
    counter_reset();
    n_live = 0;
    if (!CHECK_OK(scenario(&stage))) return;
    long total = n_allocs;
    CHECK(n_live == 0);
    printf("the scenario makes %ld allocations; failing each in turn\n", total);
    CHECK(total > 20);
    int bad_status = 0, leaks = 0, absorbed = 0;
    for (long nth = 1; nth <= total + 1; nth++) {
        fail_at = nth;
        counter_reset();
        n_live = 0;
        nr_clear_error();
        nr_status s = scenario(&stage);
        int hit = n_failed > 0;
        /* Every allocation the library makes is needed, so a failed one
         * must surface as NR_STATUS_NO_MEMORY: success would mean it was
         * silently ignored (e.g. a weight snapshot never taken). */
        if (hit && s != NR_STATUS_NO_MEMORY) {
            fprintf(stderr, "  allocation %ld failed in %s: got %s (%s)\n", nth, stage, nr_status_str(s), nr_last_error());
            if (s != NR_OK) bad_status++;
            else absorbed++;
        }
        if (s == NR_STATUS_NO_MEMORY && !strstr(nr_last_error(), "memory")) {
            fprintf(stderr, "  allocation %ld in %s: message \"%s\"\n", nth, stage, nr_last_error());
            bad_status++;
        }
        if (!hit && s != NR_OK) {
            fprintf(stderr, "  run %ld: no allocation failed, yet %s returned %s\n", nth, stage, nr_status_str(s));
            bad_status++;
        }
        if (n_live != 0) {
            if (leaks < 5) fprintf(stderr, "  allocation %ld failed in %s: %ld blocks left allocated\n", nth, stage, n_live);
            leaks++;
        }
    }
    fail_at = 0;
    printf("failure injection: %d wrong statuses, %d leaking runs, %d failures absorbed\n", bad_status, leaks, absorbed);
    CHECK(bad_status == 0);
    CHECK(absorbed == 0);
    CHECK(leaks == 0);
}

/* Backpropagation through time allocates nothing either: recurrent layers
 * with dropout, masks from Embedding(mask_zero), Bidirectional. */
static void recurrent_steady_state(void) {
    const char *text = "model = Sequential([Input(shape=(9,)), Embedding(20, 5, mask_zero=True),\n"
                       "    Bidirectional(LSTM(6, return_sequences=True, dropout=0.2, recurrent_dropout=0.1)),\n"
                       "    GRU(4), Dense(3, activation=\"softmax\")])\n"
                       "model.compile(optimizer=\"adam\", loss=\"sparse_categorical_crossentropy\")\n";
    nr_spec *s;
    if (!CHECK_OK(nr_spec_load_string(text, "rnn.nr", 1, &s))) return;
    nr_model *m = nr_spec_model(s);
    nr_tensor *x, *y;
    CHECK_OK(nr_tensor_new(&x, 2, (int64_t[]){32, 9}));
    CHECK_OK(nr_tensor_new(&y, 1, (int64_t[]){32}));
    for (int i = 0; i < 32 * 9; i++) x->data[i] = (float)((i * 7) % 20) * (i % 9 < 7);
    for (int i = 0; i < 32; i++) y->data[i] = (float)(i % 3);
    const nr_tensor *xv[1] = {x}, *yv[1] = {y};
    nr_logs logs;
    CHECK_OK(nr_model_fit(m, xv, yv, &(nr_fit_opts){.epochs = 1, .batch_size = 16}, NULL));
    CHECK_OK(nr_model_train_on_batch(m, xv, yv, NULL, &logs)); /* plans batches of 32 */
    counter_reset();
    for (int i = 0; i < 20; i++) CHECK_OK(nr_model_train_on_batch(m, xv, yv, NULL, &logs));
    printf("recurrent train_on_batch x20: %ld allocations\n", n_allocs);
    CHECK(n_allocs == 0);
    nr_tensor_free(x);
    nr_tensor_free(y);
    nr_spec_free(s);
}

int main(void) {
    nr_set_alloc_hooks(&(nr_alloc_hooks){hook_malloc, hook_realloc, hook_free, NULL});
    steady_state();
    recurrent_steady_state();
    failure_injection();
    nr_set_alloc_hooks(NULL);
    return nr_test_finish();
}
