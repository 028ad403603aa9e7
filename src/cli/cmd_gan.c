/* neurona gan: the classic GAN loop over the models a SPEC names
 * (generator, discriminator and optionally combined), with the losses of
 * every step in a CSV file and grids of generated images. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "cli/cli.h"
#include "cli/cli_args.h"
#include "cli/cli_gen.h"
#include "core/core.h"
#include "core/rng.h"

static const char about[] =
    "Trains a GAN the classic way (Keras-GAN's gan.py): per step, the discriminator\n"
    "learns a batch of real images (label 1) and one generated from noise\n"
    "(label 0), then the generator learns through the combined model, in which\n"
    "the discriminator was frozen before it was compiled. SPEC defines the\n"
    "models `generator` (noise (batch, latent) -> image) and `discriminator`\n"
    "(image -> (batch, 1)), compiled with their optimizers, and may define\n"
    "`combined`; without it, it is Model(z, discriminator(generator(z))) with\n"
    "Adam(0.0002, 0.5) and binary cross-entropy.";

static const char notes[] =
    "Writes OUT/losses.csv (every step: d_loss, d_accuracy, their real and fake\n"
    "halves, g_loss), OUT/samples_epoch_NNN.png (the generator's images from one\n"
    "fixed noise every --sample-every epochs and after the last), and the models\n"
    "OUT/generator.nrm and OUT/discriminator.nrm. An epoch is the training images\n"
    "in shuffled batches (the last partial one dropped). Defaults for --epochs and\n"
    "--batch-size come from the SPEC's fit(), else 1 and 32.";

static const char example[] = "neurona gan examples/gan_mnist.nr --data ../shared/data/mnist --epochs 5 --out gan";

typedef struct gan_args {
    const char *spec, *data, *out, *pixels;
    int epochs, batch_size, steps, sample_every, samples, seed, verbose;
} gan_args;

typedef struct gan_run {
    const gan_args *a;
    nr_spec *spec;
    nr_model *gen, *disc, *combined;
    nr_gan *gan;
    nr_tensor *x, *x_test, *y_test, *real, *noise;
    int64_t *idx;
    FILE *csv;
} gan_run;

static nr_status load_models(gan_run *r) {
    NR_TRY(cli_gen_model(r->spec, r->a->spec, "generator", "the generator", &r->gen));
    NR_TRY(cli_gen_model(r->spec, r->a->spec, "discriminator", "the discriminator", &r->disc));
    r->combined = nr_spec_get_model(r->spec, "combined");
    nr_gan_opts o = {.batch_size = r->a->batch_size, .seed = (uint64_t)r->a->seed};
    NR_TRY(nr_gan_new(r->gen, r->disc, r->combined, &o, &r->gan));
    r->combined = nr_gan_combined(r->gan);
    if (!r->a->verbose) return NR_OK;
    NR_TRY(nr_model_summary(r->disc, stdout));
    NR_TRY(nr_model_summary(r->gen, stdout));
    return nr_model_summary(r->combined, stdout);
}

static nr_status load_data(gan_run *r) {
    NR_TRY(cli_gen_images(r->a->data, strcmp(r->a->pixels, "signed") == 0, &r->x, &r->x_test, &r->y_test));
    int64_t n = r->x->shape[0], shape[NR_MAX_DIMS];
    if (n < r->a->batch_size)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: %lld images, fewer than one batch of %d", r->a->data, (long long)n,
                        r->a->batch_size);
    memcpy(shape, r->x->shape, sizeof shape);
    shape[0] = r->a->batch_size;
    NR_TRY(nr_tensor_new(&r->real, r->x->ndim, shape));
    r->idx = nr_malloc((size_t)n * sizeof *r->idx);
    if (!r->idx) return nr_error(NR_STATUS_NO_MEMORY, "out of memory for %lld indices", (long long)n);
    for (int64_t i = 0; i < n; i++) r->idx[i] = i;
    return nr_gan_noise(r->gan, r->a->samples, (uint64_t)r->a->seed + 1, &r->noise);
}

static nr_status save_samples(gan_run *r, int epoch) {
    char name[64], path[4096];
    nr_tensor *img = NULL;
    NR_TRY(nr_model_predict(r->gen, (const nr_tensor *[]){r->noise}, 64, &img));
    snprintf(name, sizeof name, "samples_epoch_%03d.png", epoch);
    cli_gen_path(path, sizeof path, r->a->out, name);
    int cols = 1;
    while (cols * cols < r->a->samples) cols++;
    nr_status s = cli_gen_grid(path, img, cols, strcmp(r->a->pixels, "signed") == 0);
    nr_tensor_free(img);
    if (s == NR_OK && r->a->verbose) printf("Saved %d generated images to %s\n", r->a->samples, path);
    return s;
}

/* One epoch of shuffled full batches; the epoch's means in *mean. */
static nr_status run_epoch(gan_run *r, int epoch, nr_rng *rng, int64_t *step, nr_gan_logs *mean) {
    int64_t n = r->x->shape[0], bs = r->a->batch_size, row = nr_tensor_row_size(r->x), steps = n / bs;
    if (r->a->steps && r->a->steps < steps) steps = r->a->steps;
    memset(mean, 0, sizeof *mean);
    nr_shuffle(r->idx, n, rng);
    for (int64_t k = 0; k < steps; k++) {
        for (int64_t i = 0; i < bs; i++)
            memcpy(r->real->data + i * row, r->x->data + r->idx[k * bs + i] * row, (size_t)row * sizeof(float));
        nr_gan_logs l;
        NR_TRY(nr_gan_train_step(r->gan, r->real, &l));
        fprintf(r->csv, "%lld,%d,%.6g,%.6g,%.6g,%.6g,%.6g\n", (long long)++*step, epoch + 1, l.d_loss, l.d_accuracy,
                l.d_loss_real, l.d_loss_fake, l.g_loss);
        mean->d_loss += l.d_loss / (double)steps;
        mean->d_accuracy += l.d_accuracy / (double)steps;
        mean->g_loss += l.g_loss / (double)steps;
    }
    return NR_OK;
}

static nr_status train(gan_run *r) {
    char path[4096];
    cli_gen_path(path, sizeof path, r->a->out, "losses.csv");
    r->csv = fopen(path, "w");
    if (!r->csv) return nr_error(NR_STATUS_IO, "%s: cannot write", path);
    fprintf(r->csv, "step,epoch,d_loss,d_accuracy,d_loss_real,d_loss_fake,g_loss\n");
    nr_rng rng = {nr_splitmix64((uint64_t)r->a->seed)};
    int64_t step = 0;
    for (int e = 0; e < r->a->epochs; e++) {
        nr_gan_logs m;
        time_t t0 = time(NULL);
        NR_TRY(run_epoch(r, e, &rng, &step, &m));
        if (r->a->verbose)
            printf("Epoch %d/%d - %.0fs - d_loss: %.4f - d_accuracy: %.4f - g_loss: %.4f\n", e + 1, r->a->epochs,
                   difftime(time(NULL), t0), m.d_loss, m.d_accuracy, m.g_loss);
        fflush(stdout);
        if ((e + 1) % r->a->sample_every == 0 || e + 1 == r->a->epochs) NR_TRY(save_samples(r, e + 1));
    }
    if (fclose(r->csv) != 0) {
        r->csv = NULL;
        return nr_error(NR_STATUS_IO, "%s: write failed", path);
    }
    r->csv = NULL;
    if (r->a->verbose) printf("Saved the losses of %lld steps to %s\n", (long long)step, path);
    return NR_OK;
}

static nr_status save_models(gan_run *r) {
    char path[4096];
    cli_gen_path(path, sizeof path, r->a->out, "generator.nrm");
    NR_TRY(nr_model_save(r->gen, path));
    cli_gen_path(path, sizeof path, r->a->out, "discriminator.nrm");
    NR_TRY(nr_model_save(r->disc, path));
    if (r->a->verbose) printf("Saved the generator and the discriminator to %s\n", r->a->out);
    return NR_OK;
}

static void run_free(gan_run *r) {
    if (r->csv) fclose(r->csv);
    nr_gan_free(r->gan);
    nr_tensor_free(r->x);
    nr_tensor_free(r->x_test);
    nr_tensor_free(r->y_test);
    nr_tensor_free(r->real);
    nr_tensor_free(r->noise);
    nr_free(r->idx);
    nr_spec_free(r->spec);
}

int cmd_gan(int argc, char **argv) {
    gan_args a = {.pixels = "signed", .sample_every = 1, .samples = 25, .seed = 42, .verbose = 1};
    const cli_opt opts[] = {
        CLI_OPT_STR("data", &a.data, "DIR|FILE", "training images: an IDX folder or file, or a folder of images"),
        CLI_OPT_STR("out", &a.out, "DIR", "folder for the losses, sample grids and models (created)"),
        CLI_OPT_INT("epochs", &a.epochs, "N", 1, 1000000, "passes over the images (default: the SPEC's fit(), else 1)"),
        CLI_OPT_INT("batch-size", &a.batch_size, "N", 1, 65536, "real images per step (default: the SPEC's, else 32)"),
        CLI_OPT_INT("steps-per-epoch", &a.steps, "N", 1, 1 << 30, "at most N steps per epoch"),
        CLI_OPT_INT("sample-every", &a.sample_every, "N", 1, 1000000, "save a sample grid every N epochs (1)"),
        CLI_OPT_INT("samples", &a.samples, "N", 1, 1024, "images in a sample grid (25)"),
        CLI_OPT_CHOICE("pixels", &a.pixels, "signed|unit", "scale images to [-1, 1] (tanh, default) or [0, 1]"),
        CLI_OPT_INT("seed", &a.seed, "N", 0, 1 << 30, "seed of the weights, noise and shuffling (42)"),
        CLI_OPT_INT("verbose", &a.verbose, "N", 0, 1, "1: summaries and a line per epoch (default); 0: quiet"),
    };
    const cli_command c = {.name = "gan", .usage = "SPEC --data DIR|FILE --out DIR [options]", .about = about,
                           .opts = opts, .n_opts = (int)(sizeof opts / sizeof *opts), .min_pos = 1, .max_pos = 1,
                           .pos_name = "SPEC", .notes = notes, .example = example};
    const char *pos[1];
    int n_pos;
    int rc = cli_parse(&c, argc, argv, pos, &n_pos);
    if (rc != CLI_RUN) return rc;
    if (!a.data) return cli_usage("gan", "--data is required: the training images");
    if (!a.out) return cli_usage("gan", "--out is required: the folder for losses, samples and models");
    a.spec = pos[0];
    gan_run r = {.a = &a};
    nr_status s = nr_spec_load_file(a.spec, (uint64_t)a.seed, &r.spec);
    if (s == NR_OK) {
        cli_gen_fit_defaults(r.spec, &a.epochs, &a.batch_size, 32);
        s = cli_gen_dir(a.out);
    }
    if (s == NR_OK) s = load_models(&r);
    if (s == NR_OK) s = load_data(&r);
    if (s == NR_OK) s = train(&r);
    if (s == NR_OK) s = save_models(&r);
    run_free(&r);
    return s == NR_OK ? CLI_EXIT_OK : cli_fail(s);
}
