/* The variational autoencoder of Keras's example (keras.io/examples/
 * generative/vae): a VAE model over a shared encoder and decoder, its KL
 * term added from inside the graph, and a training loop that reports the
 * example's three figures (loss, reconstruction_loss, kl_loss). */
#include <string.h>
#include "core/rng.h"
#include "models/history.h"
#include "models/progress.h"
#include "models/step.h"
#include "neurona/gen.h"

struct nr_vae {
    nr_model *encoder, *decoder, *vae;
    float rec_weight;                /* values per sample: mean cross-entropy -> per-sample sum */
    int64_t *idx;
    int64_t cap_idx;
};

static nr_status check_models(const nr_model *enc, const nr_model *dec) {
    const nr_node *nodes = enc->g->nodes;
    char a[96], b[96];
    if (enc->g != dec->g) return nr_error(NR_STATUS_BAD_ARGUMENT, "VAE: the encoder and the decoder must share a graph");
    if (enc->n_in != 1 || enc->n_out != 3)
        return nr_error(NR_STATUS_BAD_ARGUMENT,
                        "VAE: the encoder \"%s\" must have one input and three outputs [z_mean, z_log_var, z]; it has %d "
                        "and %d", enc->name, enc->n_in, enc->n_out);
    const nr_node *zm = &nodes[enc->out[0]];
    for (int i = 0; i < 3; i++) {
        const nr_node *o = &nodes[enc->out[i]];
        if (o->ndim != 2 || o->shape[1] != zm->shape[1])
            return nr_error(NR_STATUS_BAD_SHAPE, "VAE: the encoder's outputs must all be (batch, latent); output %d is %s",
                            i, nr_node_shape_str(o, a, sizeof a));
    }
    if (dec->n_in != 1 || dec->n_out != 1 || nr_node_row(&nodes[dec->in[0]]) != zm->shape[1] ||
        nr_node_row(&nodes[dec->out[0]]) != nr_node_row(&nodes[enc->in[0]]))
        return nr_error(NR_STATUS_BAD_SHAPE,
                        "VAE: the decoder \"%s\" must take the latent vector (%lld values) and give as many values as "
                        "the encoder's input %s; it takes %d input%s and gives %s", dec->name, (long long)zm->shape[1],
                        nr_node_shape_str(&nodes[enc->in[0]], a, sizeof a), dec->n_in, dec->n_in == 1 ? "" : "s",
                        dec->n_out ? nr_node_shape_str(&nodes[dec->out[0]], b, sizeof b) : "nothing");
    return NR_OK;
}

/* vae = Model(x, decoder(z)) with the KL term of [z_mean, z_log_var]. */
static nr_status build(nr_vae *v, const nr_vae_opts *o) {
    nr_graph *g = v->encoder->g;
    nr_layer *kl, *dl;
    nr_sym x = v->encoder->in[0], kl_out, rec;
    NR_TRY(nr_gaussian_kl_divergence(g, NULL, &kl));
    NR_TRY(nr_layer_call(kl, v->encoder->out, 2, &kl_out));
    NR_TRY(nr_model_as_layer(v->decoder, &dl));
    NR_TRY(nr_layer_call(dl, &v->encoder->out[2], 1, &rec));
    NR_TRY(nr_model_new(g, &x, 1, &rec, 1, o->name ? o->name : "vae", &v->vae));
    NR_TRY(nr_model_add_loss(v->vae, kl_out, &(nr_add_loss_opts){.name = "kl_loss"}));
    v->rec_weight = (float)nr_node_row(&g->nodes[rec]);
    nr_compile_opts c = {.optimizer = o->optimizer, .loss = {{.kind = NR_LOSS_BINARY_CROSSENTROPY, .weight = v->rec_weight}}};
    if (c.optimizer.kind == NR_OPTIMIZER_DEFAULT) c.optimizer.kind = NR_OPTIMIZER_ADAM;
    return nr_model_compile(v->vae, &c);
}

nr_status nr_vae_new(nr_model *encoder, nr_model *decoder, const nr_vae_opts *o, nr_vae **out) {
    nr_vae_opts z = {0};
    if (!o) o = &z;
    *out = NULL;
    if (!encoder || !decoder) return nr_error(NR_STATUS_BAD_ARGUMENT, "VAE: an encoder and a decoder are needed");
    NR_TRY(check_models(encoder, decoder));
    nr_vae *v = nr_calloc(1, sizeof *v);
    if (!v) return NR_NOMEM();
    v->encoder = encoder;
    v->decoder = decoder;
    nr_status s = build(v, o);
    if (s != NR_OK) {
        nr_vae_free(v);
        return s;
    }
    *out = v;
    return NR_OK;
}

nr_model *nr_vae_model(const nr_vae *vae) { return vae->vae; }

/* The example's three figures from the running sums. */
static void vae_logs(const nr_vae *v, const nr_acc *acc, nr_logs *logs) {
    double rows = acc->rows ? (double)acc->rows : 1;
    memset(logs, 0, sizeof *logs);
    static const char *const names[3] = {"loss", "reconstruction_loss", "kl_loss"};
    double values[3] = {acc->loss / rows, v->rec_weight * acc->out_loss[0] / rows, acc->added[0] / rows};
    for (int i = 0; i < 3; i++) {
        snprintf(logs->names[i], sizeof logs->names[i], "%s", names[i]);
        logs->values[i] = values[i];
    }
    logs->n = 3;
}

static nr_status run_epoch(nr_vae *v, const nr_tensor *x, int64_t n, int64_t bs, nr_progress *pr, nr_rng *rng,
                           nr_logs *logs) {
    nr_acc acc = {0};
    nr_shuffle(v->idx, n, rng);
    for (int64_t s = 0, step = 1; s < n; s += bs, step++) {
        nr_batch b = {&x, &x, NULL, v->idx, s, s + bs <= n ? bs : n - s};
        NR_TRY(nr_train_step(v->vae, &b, &acc));
        vae_logs(v, &acc, logs);
        nr_progress_batch(pr, step, logs);
    }
    return NR_OK;
}

static nr_status ensure_idx(nr_vae *v, int64_t n) {
    if (v->cap_idx < n) {
        nr_free(v->idx);
        v->idx = nr_malloc((size_t)n * sizeof *v->idx);
        v->cap_idx = v->idx ? n : 0;
        if (!v->idx) return NR_NOMEM();
    }
    for (int64_t i = 0; i < n; i++) v->idx[i] = i;
    return NR_OK;
}

nr_status nr_vae_fit(nr_vae *v, const nr_tensor *x, const nr_vae_fit_opts *o, nr_history **history) {
    nr_vae_fit_opts z = {0};
    if (!o) o = &z;
    if (history) *history = NULL;
    if (o->epochs < 0 || o->batch_size < 0)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "VAE fit: epochs and batch_size must be > 0, got %d and %d", o->epochs,
                        o->batch_size);
    int epochs = o->epochs ? o->epochs : 1;
    int64_t n, bs = o->batch_size ? o->batch_size : 128;
    const nr_tensor *const xs[1] = {x};
    NR_TRY(nr_check_data(v->vae, xs, xs, &n));
    if (bs > n) bs = n;
    NR_TRY(nr_ensure_plan(v->vae, &v->vae->train_plan, bs, NR_PLAN_TRAIN));
    NR_TRY(ensure_idx(v, n));
    nr_history *h = NULL;
    NR_TRY(nr_history_new(&h));
    nr_progress pr;
    nr_progress_init(&pr, o->out, o->verbose);
    nr_rng rng = {nr_splitmix64(o->seed ^ 0x7AEull)};
    nr_status s = NR_OK;
    for (int e = 0; e < epochs && s == NR_OK; e++) {
        nr_logs logs;
        nr_progress_epoch_begin(&pr, e, epochs, (n + bs - 1) / bs);
        s = run_epoch(v, x, n, bs, &pr, &rng, &logs);
        if (s != NR_OK) break;
        nr_progress_epoch_end(&pr, &logs);
        s = nr_history_append(h, e, &logs);
        if (s == NR_OK && o->on_epoch_end && o->on_epoch_end(e, &logs, o->user)) break;
    }
    if (s != NR_OK || !history) nr_history_free(h);
    else *history = h;
    return s;
}

void nr_vae_free(nr_vae *v) {
    if (!v) return;
    nr_free(v->idx);
    nr_free(v);
}
