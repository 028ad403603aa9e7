/* The classic GAN loop (Keras-GAN's gan.py): the discriminator trained on
 * a real and a fake half in its own compiled model, the generator through
 * the combined model, in which the discriminator was frozen before it was
 * compiled. The noise, the fake images and the labels live in buffers made
 * here once; the models' plans are made before the first step, so a step
 * allocates nothing. */
#include <string.h>
#include "core/rng.h"
#include "models/step.h"
#include "neurona/gen.h"

struct nr_gan {
    nr_model *gen, *disc, *combined;
    int64_t batch, latent, sample_row;
    nr_tensor *z, *fake, *ones, *zeros;
    nr_rng rng;
};

static nr_status shape_error(const char *what, const nr_model *m, const char *want) {
    char buf[96];
    const nr_graph *g = nr_model_graph(m);
    return nr_error(NR_STATUS_BAD_SHAPE, "GAN: the %s \"%s\" must have %s; it has %d input%s, output 0 of shape %s", what,
                    m->name, want, m->n_in, m->n_in == 1 ? "" : "s",
                    m->n_out ? nr_node_shape_str(&g->nodes[m->out[0]], buf, sizeof buf) : "(none)");
}

static nr_status check_models(const nr_model *gen, const nr_model *disc) {
    const nr_node *nodes = gen->g->nodes;
    if (gen->g != disc->g) return nr_error(NR_STATUS_BAD_ARGUMENT, "GAN: the generator and the discriminator must share a graph");
    if (gen->n_in != 1 || gen->n_out != 1 || nodes[gen->in[0]].ndim != 2)
        return shape_error("generator", gen, "one input (batch, latent) and one output");
    const nr_node *img = &nodes[gen->out[0]], *din = disc->n_in == 1 ? &nodes[disc->in[0]] : NULL;
    if (!din || disc->n_out != 1 || nr_node_row(din) != nr_node_row(img) || nr_node_row(&nodes[disc->out[0]]) != 1)
        return shape_error("discriminator", disc, "one input as large as the generator's output and one output (batch, 1)");
    return NR_OK;
}

/* The classic's optimizer when none is given. */
static nr_optimizer_opts classic_adam(const nr_optimizer_opts *o) {
    if (o->kind != NR_OPTIMIZER_DEFAULT) return *o;
    return (nr_optimizer_opts){.kind = NR_OPTIMIZER_ADAM, .learning_rate = 0.0002f, .beta_1 = 0.5f};
}

static nr_status compile_bce(nr_model *m, const nr_optimizer_opts *opt, int accuracy) {
    nr_compile_opts c = {.optimizer = classic_adam(opt), .loss = {{.kind = NR_LOSS_BINARY_CROSSENTROPY}}};
    if (accuracy) c.metrics[0] = NR_METRIC_ACCURACY;
    return nr_model_compile(m, &c);
}

/* combined = Model(z, D(G(z))), compiled once D is frozen. */
static nr_status build_combined(nr_gan *gan, const nr_gan_opts *o) {
    nr_graph *g = gan->gen->g;
    nr_input_opts io = {.ndim = 1, .shape = {gan->latent}};
    nr_layer *gl, *dl;
    nr_sym z, img, valid;
    if (!nr_model_compile_opts(gan->disc)) NR_TRY(compile_bce(gan->disc, &o->d_optimizer, 1));
    nr_model_set_trainable(gan->disc, 0);
    NR_TRY(nr_input(g, &io, &z));
    NR_TRY(nr_model_as_layer(gan->gen, &gl));
    NR_TRY(nr_model_as_layer(gan->disc, &dl));
    NR_TRY(nr_layer_call(gl, &z, 1, &img));
    NR_TRY(nr_layer_call(dl, &img, 1, &valid));
    NR_TRY(nr_model_new(g, &z, 1, &valid, 1, "combined", &gan->combined));
    return compile_bce(gan->combined, &o->g_optimizer, 0);
}

static nr_status check_combined(const nr_gan *gan) {
    const nr_model *c = gan->combined;
    if (!nr_model_compile_opts(c) || !nr_model_compile_opts(gan->disc))
        return nr_error(NR_STATUS_STATE, "GAN: the discriminator \"%s\" and the combined model \"%s\" must be compiled",
                        gan->disc->name, c->name);
    if (c->g != gan->gen->g || c->n_in != 1 || c->n_out != 1 || nr_node_row(&c->g->nodes[c->in[0]]) != gan->latent ||
        nr_node_row(&c->g->nodes[c->out[0]]) != 1)
        return nr_error(NR_STATUS_BAD_SHAPE,
                        "GAN: the combined model \"%s\" must take the generator's latent input (%lld values) and give "
                        "one output (batch, 1)", c->name, (long long)gan->latent);
    return NR_OK;
}

static nr_status alloc_buffers(nr_gan *gan) {
    int64_t zs[2] = {gan->batch, gan->latent}, fs[2] = {gan->batch, gan->sample_row}, ls[2] = {gan->batch, 1};
    NR_TRY(nr_tensor_new(&gan->z, 2, zs));
    NR_TRY(nr_tensor_new(&gan->fake, 2, fs));
    NR_TRY(nr_tensor_new(&gan->ones, 2, ls));
    NR_TRY(nr_tensor_new(&gan->zeros, 2, ls));
    for (int64_t i = 0; i < gan->batch; i++) gan->ones->data[i] = 1.0f;
    return NR_OK;
}

/* Every model is prepared (its loss nodes exist) before any plan is made,
 * so no later step finds the graph grown and plans again. */
static nr_status make_plans(nr_gan *gan) {
    NR_TRY(nr_model_prepare(gan->disc));
    NR_TRY(nr_model_prepare(gan->combined));
    NR_TRY(nr_ensure_plan(gan->gen, &gan->gen->infer_plan, gan->batch, NR_PLAN_INFER));
    NR_TRY(nr_ensure_plan(gan->disc, &gan->disc->train_plan, gan->batch, NR_PLAN_TRAIN));
    return nr_ensure_plan(gan->combined, &gan->combined->train_plan, gan->batch, NR_PLAN_TRAIN);
}

nr_status nr_gan_new(nr_model *generator, nr_model *discriminator, nr_model *combined, const nr_gan_opts *o,
                     nr_gan **out) {
    nr_gan_opts z = {0};
    if (!o) o = &z;
    *out = NULL;
    if (!generator || !discriminator) return nr_error(NR_STATUS_BAD_ARGUMENT, "GAN: a generator and a discriminator are needed");
    if (o->batch_size < 0) return nr_error(NR_STATUS_BAD_ARGUMENT, "GAN: batch_size must be > 0, got %d", o->batch_size);
    NR_TRY(check_models(generator, discriminator));
    nr_gan *gan = nr_calloc(1, sizeof *gan);
    if (!gan) return NR_NOMEM();
    gan->gen = generator;
    gan->disc = discriminator;
    gan->combined = combined;
    gan->batch = o->batch_size ? o->batch_size : 32;
    gan->latent = generator->g->nodes[generator->in[0]].shape[1];
    gan->sample_row = nr_node_row(&generator->g->nodes[generator->out[0]]);
    gan->rng.s = nr_splitmix64(o->seed ^ 0x6A4ull);
    nr_status s = combined ? NR_OK : build_combined(gan, o);
    if (s == NR_OK) s = check_combined(gan);
    if (s == NR_OK) s = alloc_buffers(gan);
    if (s == NR_OK) s = make_plans(gan);
    if (s != NR_OK) {
        nr_gan_free(gan);
        return s;
    }
    *out = gan;
    return NR_OK;
}

nr_model *nr_gan_combined(const nr_gan *gan) { return gan->combined; }
int64_t nr_gan_latent_dim(const nr_gan *gan) { return gan->latent; }

static void fill_normal(float *v, int64_t n, nr_rng *r) {
    for (int64_t i = 0; i < n; i++) v[i] = (float)nr_rng_normal(r);
}

/* G(z) for the first n rows of the noise, in inference mode (Keras's
 * generator.predict), into the fake buffer. */
static nr_status generate(nr_gan *gan, int64_t n) {
    nr_model *G = gan->gen;
    /* A no-op unless the graph grew since (a model built later). */
    NR_TRY(nr_ensure_plan(G, &G->infer_plan, gan->batch, NR_PLAN_INFER));
    nr_plan *p = G->infer_plan;
    memcpy(p->exec.val[G->in[0]], gan->z->data, (size_t)(n * gan->latent) * sizeof(float));
    p->exec.step++;
    nr_plan_forward(p, G->g, n, 0);
    memcpy(gan->fake->data, p->exec.val[G->out[0]], (size_t)(n * gan->sample_row) * sizeof(float));
    return NR_OK;
}

/* The first n rows of t, as a view (no copy, no allocation). */
static nr_tensor rows_of(const nr_tensor *t, int64_t n) {
    nr_tensor v = *t;
    v.shape[0] = n;
    v.owns_data = 0;
    return v;
}

nr_status nr_gan_train_step(nr_gan *gan, const nr_tensor *real, nr_gan_logs *logs) {
    char buf[96];
    if (!real || real->ndim < 1 || real->shape[0] < 1 || real->shape[0] > gan->batch ||
        nr_tensor_row_size(real) != gan->sample_row)
        return nr_error(NR_STATUS_BAD_SHAPE, "GAN: a real batch must have 1 to %lld rows of %lld values, got shape %s",
                        (long long)gan->batch, (long long)gan->sample_row,
                        real ? nr_shape_str(buf, sizeof buf, real->ndim, real->shape) : "(none)");
    int64_t n = real->shape[0];
    nr_tensor z = rows_of(gan->z, n), fake = rows_of(gan->fake, n), ones = rows_of(gan->ones, n),
              zeros = rows_of(gan->zeros, n);
    const nr_tensor *x_real = real, *x_fake = &fake, *x_z = &z, *y1 = &ones, *y0 = &zeros;
    nr_logs lr, lf, lg;
    fill_normal(gan->z->data, n * gan->latent, &gan->rng);
    NR_TRY(generate(gan, n));
    NR_TRY(nr_model_train_on_batch(gan->disc, &x_real, &y1, NULL, &lr));
    NR_TRY(nr_model_train_on_batch(gan->disc, &x_fake, &y0, NULL, &lf));
    fill_normal(gan->z->data, n * gan->latent, &gan->rng);
    NR_TRY(nr_model_train_on_batch(gan->combined, &x_z, &y1, NULL, &lg));
    if (logs) {
        logs->d_loss_real = nr_logs_get(&lr, "loss");
        logs->d_loss_fake = nr_logs_get(&lf, "loss");
        logs->d_loss = 0.5 * (logs->d_loss_real + logs->d_loss_fake);
        logs->d_accuracy = 0.5 * (nr_logs_get(&lr, "accuracy") + nr_logs_get(&lf, "accuracy"));
        logs->g_loss = nr_logs_get(&lg, "loss");
    }
    return NR_OK;
}

nr_status nr_gan_noise(const nr_gan *gan, int64_t n, uint64_t seed, nr_tensor **z) {
    *z = NULL;
    if (n < 1) return nr_error(NR_STATUS_BAD_ARGUMENT, "GAN: noise needs at least 1 row, got %lld", (long long)n);
    int64_t shape[2] = {n, gan->latent};
    NR_TRY(nr_tensor_new(z, 2, shape));
    nr_rng r = {nr_splitmix64(seed)};
    fill_normal((*z)->data, n * gan->latent, &r);
    return NR_OK;
}

void nr_gan_free(nr_gan *gan) {
    if (!gan) return;
    nr_tensor_free(gan->z);
    nr_tensor_free(gan->fake);
    nr_tensor_free(gan->ones);
    nr_tensor_free(gan->zeros);
    nr_free(gan);
}
