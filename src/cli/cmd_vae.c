/* neurona vae: the variational autoencoder of Keras's example from the
 * encoder and decoder a SPEC names, trained with its loss reported as
 * reconstruction and KL terms, then pictures of what it learnt: the
 * latent space coloured by class and images decoded from a regular grid
 * of latent points. */
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"
#include "cli/cli_args.h"
#include "cli/cli_gen.h"
#include "core/core.h"
#include "core/rng.h"

static const char about[] =
    "Trains the variational autoencoder of Keras's VAE example. SPEC defines the\n"
    "models `encoder` (image -> [z_mean, z_log_var, z], z from a Sampling layer)\n"
    "and `decoder` (z -> image in [0, 1]); the VAE is Model(x, decoder(z)) with\n"
    "the KL term of [z_mean, z_log_var] added to its loss and binary\n"
    "cross-entropy summed over each image's pixels, trained with Adam.";

static const char notes[] =
    "Prints loss, reconstruction_loss and kl_loss per epoch and writes\n"
    "OUT/history.csv; OUT/latent.png, the z_mean of the test images of an IDX\n"
    "folder (else of the training images), coloured by class when labels are\n"
    "known, on the first two latent axes; OUT/grid.png, images decoded from a\n"
    "regular grid of latent points over [-S, S]^2 (--grid-scale, default 1 as\n"
    "the example; other axes 0); OUT/samples.png, images decoded from z ~ N(0, I);\n"
    "and the models OUT/encoder.nrm, OUT/decoder.nrm and OUT/vae.nrm. --epochs\n"
    "and --batch-size default to the SPEC's fit(), else 1 and 128.";

static const char example[] = "neurona vae examples/vae_mnist.nr --data ../shared/data/mnist --epochs 10 --out vae";

typedef struct vae_args {
    const char *spec, *data, *out;
    int epochs, batch_size, grid, seed, verbose;
    double grid_scale;
} vae_args;

typedef struct vae_run {
    const vae_args *a;
    nr_spec *spec;
    nr_model *encoder, *decoder;
    nr_vae *vae;
    nr_tensor *x, *x_test, *y_test;
    int64_t latent;
} vae_run;

static nr_status load_models(vae_run *r) {
    NR_TRY(cli_gen_model(r->spec, r->a->spec, "encoder", "the encoder", &r->encoder));
    NR_TRY(cli_gen_model(r->spec, r->a->spec, "decoder", "the decoder", &r->decoder));
    NR_TRY(nr_vae_new(r->encoder, r->decoder, NULL, &r->vae));
    int ndim;
    int64_t shape[NR_MAX_DIMS];
    NR_TRY(nr_sym_shape(nr_model_graph(r->encoder), nr_model_output(r->encoder, 0), &ndim, shape));
    r->latent = shape[1];
    if (!r->a->verbose) return NR_OK;
    NR_TRY(nr_model_summary(r->encoder, stdout));
    NR_TRY(nr_model_summary(r->decoder, stdout));
    return nr_model_summary(nr_vae_model(r->vae), stdout);
}

static nr_status train(vae_run *r) {
    char path[4096];
    nr_history *h = NULL;
    nr_vae_fit_opts o = {.epochs = r->a->epochs, .batch_size = r->a->batch_size, .verbose = r->a->verbose ? 2 : 0,
                         .seed = (uint64_t)r->a->seed};
    NR_TRY(nr_vae_fit(r->vae, r->x, &o, &h));
    cli_gen_path(path, sizeof path, r->a->out, "history.csv");
    nr_status s = nr_history_save_csv(h, path);
    nr_history_free(h);
    return s;
}

/* z_mean of each image, its first two axes, one colour per class. */
static nr_status latent_plot(vae_run *r) {
    char path[4096], title[128], label[16];
    const nr_tensor *x = r->x_test ? r->x_test : r->x, *y = r->x_test ? r->y_test : NULL;
    nr_tensor *out[3] = {0};
    NR_TRY(nr_model_predict(r->encoder, (const nr_tensor *[]){x}, 256, out));
    int64_t n = x->shape[0];
    double *px = nr_malloc((size_t)n * sizeof *px), *py = nr_malloc((size_t)n * sizeof *py);
    nr_figure *f = NULL;
    snprintf(title, sizeof title, "z_mean of %lld images%s", (long long)n, r->latent > 2 ? " (axes 0 and 1)" : "");
    nr_status s = px && py ? nr_figure_new(&(nr_figure_opts){.width = 720, .height = 640, .title = title}, &f)
                           : nr_error(NR_STATUS_NO_MEMORY, "out of memory for %lld points", (long long)n);
    nr_axes *ax = s == NR_OK ? nr_figure_axes(f, 0) : NULL;
    if (ax) s = nr_axes_set_labels(ax, "z[0]", "z[1]");
    for (int c = 0; c < (y ? 10 : 1) && s == NR_OK; c++) {
        int64_t k = 0;
        for (int64_t i = 0; i < n; i++)
            if (!y || (int)y->data[i] == c) {
                px[k] = out[0]->data[i * r->latent];
                py[k++] = out[0]->data[i * r->latent + 1];
            }
        snprintf(label, sizeof label, "%d", c);
        s = nr_axes_scatter(ax, px, py, k, &(nr_scatter_opts){.label = y ? label : NULL, .size = 1.5});
    }
    cli_gen_path(path, sizeof path, r->a->out, "latent.png");
    if (s == NR_OK) s = nr_figure_save(f, path);
    nr_figure_free(f);
    nr_plot_cleanup(); /* cairo's font caches, so leak checkers see none */
    nr_free(px);
    nr_free(py);
    for (int i = 0; i < 3; i++) nr_tensor_free(out[i]);
    return s;
}

/* Decodes z and saves the images as a grid of cols columns. */
static nr_status decode_grid(vae_run *r, nr_tensor *z, int cols, const char *name) {
    char path[4096];
    nr_tensor *img = NULL;
    NR_TRY(nr_model_predict(r->decoder, (const nr_tensor *[]){z}, 256, &img));
    cli_gen_path(path, sizeof path, r->a->out, name);
    nr_status s = cli_gen_grid(path, img, cols, 0);
    nr_tensor_free(img);
    return s;
}

/* Keras's plot_latent_space: z[0] = x from -S to S left to right, z[1] =
 * y from S to -S top to bottom; then draws from N(0, I). */
static nr_status pictures(vae_run *r) {
    int n = r->a->grid;
    float sc = (float)r->a->grid_scale;
    nr_tensor *z = NULL;
    NR_TRY(nr_tensor_new(&z, 2, (int64_t[]){(int64_t)n * n, r->latent}));
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            float *v = z->data + ((int64_t)i * n + j) * r->latent;
            v[0] = n > 1 ? sc * (-1.0f + 2.0f * (float)j / (float)(n - 1)) : 0.0f;
            v[1] = n > 1 ? sc * (1.0f - 2.0f * (float)i / (float)(n - 1)) : 0.0f;
        }
    nr_status s = decode_grid(r, z, n, "grid.png");
    nr_tensor_free(z);
    NR_TRY(s);
    NR_TRY(nr_tensor_new(&z, 2, (int64_t[]){100, r->latent}));
    nr_rng rng = {nr_splitmix64((uint64_t)r->a->seed + 7)};
    for (int64_t i = 0; i < nr_tensor_numel(z); i++) z->data[i] = (float)nr_rng_normal(&rng);
    s = decode_grid(r, z, 10, "samples.png");
    nr_tensor_free(z);
    NR_TRY(s);
    return latent_plot(r);
}

static nr_status save_models(vae_run *r) {
    char path[4096];
    static const char *const names[3] = {"encoder.nrm", "decoder.nrm", "vae.nrm"};
    const nr_model *models[3] = {r->encoder, r->decoder, nr_vae_model(r->vae)};
    for (int i = 0; i < 3; i++) {
        cli_gen_path(path, sizeof path, r->a->out, names[i]);
        NR_TRY(nr_model_save(models[i], path));
    }
    if (r->a->verbose) printf("Saved history.csv, latent.png, grid.png, samples.png and the models to %s\n", r->a->out);
    return NR_OK;
}

int cmd_vae(int argc, char **argv) {
    vae_args a = {.grid = 20, .grid_scale = 1.0, .seed = 42, .verbose = 1};
    const cli_opt opts[] = {
        CLI_OPT_STR("data", &a.data, "DIR|FILE", "training images: an IDX folder or file, or a folder of images"),
        CLI_OPT_STR("out", &a.out, "DIR", "folder for the history, pictures and models (created)"),
        CLI_OPT_INT("epochs", &a.epochs, "N", 1, 1000000, "passes over the images (default: the SPEC's fit(), else 1)"),
        CLI_OPT_INT("batch-size", &a.batch_size, "N", 1, 65536, "images per step (default: the SPEC's, else 128)"),
        CLI_OPT_INT("grid", &a.grid, "N", 1, 64, "the decoded grid's side (20)"),
        CLI_OPT_FLOAT("grid-scale", &a.grid_scale, "S", "the grid spans [-S, S] on the first two latent axes (1)"),
        CLI_OPT_INT("seed", &a.seed, "N", 0, 1 << 30, "seed of the weights, noise and shuffling (42)"),
        CLI_OPT_INT("verbose", &a.verbose, "N", 0, 1, "1: summaries and a line per epoch (default); 0: quiet"),
    };
    const cli_command c = {.name = "vae", .usage = "SPEC --data DIR|FILE --out DIR [options]", .about = about,
                           .opts = opts, .n_opts = (int)(sizeof opts / sizeof *opts), .min_pos = 1, .max_pos = 1,
                           .pos_name = "SPEC", .notes = notes, .example = example};
    const char *pos[1];
    int n_pos;
    int rc = cli_parse(&c, argc, argv, pos, &n_pos);
    if (rc != CLI_RUN) return rc;
    if (!a.data) return cli_usage("vae", "--data is required: the training images");
    if (!a.out) return cli_usage("vae", "--out is required: the folder for the history, pictures and models");
    if (!(a.grid_scale > 0 && a.grid_scale < 1e6)) return cli_usage("vae", "--grid-scale must be > 0, got %g", a.grid_scale);
    a.spec = pos[0];
    vae_run r = {.a = &a};
    nr_status s = nr_spec_load_file(a.spec, (uint64_t)a.seed, &r.spec);
    if (s == NR_OK) {
        cli_gen_fit_defaults(r.spec, &a.epochs, &a.batch_size, 128);
        s = cli_gen_dir(a.out);
    }
    if (s == NR_OK) s = load_models(&r);
    if (s == NR_OK) s = cli_gen_images(a.data, 0, &r.x, &r.x_test, &r.y_test);
    if (s == NR_OK) s = train(&r);
    if (s == NR_OK) s = pictures(&r);
    if (s == NR_OK) s = save_models(&r);
    nr_vae_free(r.vae);
    nr_tensor_free(r.x);
    nr_tensor_free(r.x_test);
    nr_tensor_free(r.y_test);
    nr_spec_free(r.spec);
    return s == NR_OK ? CLI_EXIT_OK : cli_fail(s);
}
