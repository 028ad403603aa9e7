/* neurona reconstruct: what an autoencoder makes of test data. Prints the
 * test reconstruction loss (the model's loss, inputs against their
 * reconstructions, with --noise the noisy inputs against the clean ones)
 * and the mean squared error per value, and draws a PNG grid of the
 * first inputs, their noisy versions and the reconstructions, one row
 * each, as the Keras blog's figures. */
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"
#include "cli/cli_args.h"
#include "cli/cli_autoencoder.h"
#include "cli/cli_data.h"
#include "cli/cli_grid.h"
#include "cli/cli_prep.h"
#include "cli/cli_series.h"
#include "core/core.h"

static const char usage[] = "MODEL --data FILE.csv|DIR [--out GRID.png] [--noise F] [--count N] [options]";

static const char about[] =
    "Runs an autoencoder saved by 'neurona train --autoencoder' on test data and\n"
    "prints the test reconstruction loss on a line starting 'test' (the model's\n"
    "loss, targets = the clean inputs) and the mean squared error per value.\n"
    "--out draws the first --count samples as a grid: the inputs, the noisy\n"
    "inputs (with --noise) and the reconstructions, one row each.";

static const char notes[] =
    "IDX data: --data DIR reads its t10k (test) images. CSV: every column but\n"
    "--target; an image folder: every image below it. The model's scaler is\n"
    "applied first. --noise F adds Gaussian noise of stddev F to the inputs\n"
    "(clipped to [0, 1] for images), drawn from --seed as 'train --noise' draws\n"
    "the test set's, so the same seed gives the same figures. Rows that are\n"
    "not images are drawn in the shape of the model's input when it is one.";

static const char example[] =
    "neurona reconstruct mnist_denoising.nrm --data mnist --noise 0.5 --out denoised.png";

typedef struct recon_args {
    const char *model;
    cli_data_args data;
    const char *out;
    double noise;
    int seed, count, zoom, batch_size;
} recon_args;

typedef struct recon_run {
    const recon_args *a;
    nr_model *m;
    cli_data d;
    nr_tensor *noisy, *target, *pred;
    int img_ndim;                       /* without the batch axis; 0: not images */
    int64_t img[NR_MAX_DIMS];
} recon_run;

/* The data's image shape (H, W, C) before it is fitted to the model, or
 * the model's input when that is an image. */
static void image_shape(recon_run *r) {
    const nr_tensor *x = r->d.x;
    int64_t in[NR_MAX_DIMS];
    int ndim = x->ndim >= 3 ? x->ndim : cli_input_shape(r->m, in);
    const int64_t *shape = x->ndim >= 3 ? x->shape : in;
    if (ndim != 3 && ndim != 4) return;
    r->img_ndim = 3;
    r->img[0] = shape[1], r->img[1] = shape[2], r->img[2] = ndim == 4 ? shape[3] : 1;
}

static nr_status load(recon_run *r) {
    const recon_args *a = r->a;
    NR_TRY(cli_check_single_io(r->m));
    NR_TRY(cli_check_not_series(r->m, a->model));
    NR_TRY(cli_ae_check_loss(r->m, a->model));
    cli_data_args da = a->data;
    da.prep_apply = nr_model_prep(r->m);
    NR_TRY(cli_load_features(&da, r->m, &r->d));
    image_shape(r);
    NR_TRY(cli_fit_input(r->m, r->d.x, a->data.data, NULL));
    NR_TRY(cli_apply_scaler(r->m, r->d.x));
    NR_TRY(cli_ae_targets(r->m, r->d.x, &r->target));
    if (!a->noise) return NR_OK;
    NR_TRY(nr_tensor_clone(&r->noisy, r->d.x));
    cli_noise n = {.stddev = a->noise, .images = r->d.images, .seed = (uint64_t)a->seed};
    return cli_ae_add_noise(&n, r->noisy, 1);
}

static nr_status measure(recon_run *r) {
    const nr_tensor *x[1] = {r->noisy ? r->noisy : r->d.x}, *y[1] = {r->target};
    nr_logs logs;
    NR_TRY(nr_model_evaluate(r->m, x, y, &(nr_eval_opts){.batch_size = r->a->batch_size}, &logs));
    nr_tensor *out[NR_MAX_IO] = {0};
    NR_TRY(nr_model_predict(r->m, x, r->a->batch_size, out));
    r->pred = out[0];
    int64_t n = r->d.x->shape[0];
    double *err = nr_malloc((size_t)n * sizeof *err), mse = 0;
    if (!err) return NR_NOMEM();
    nr_status s = nr_reconstruction_errors(r->target, r->pred, NR_RECON_MSE, err);
    for (int64_t i = 0; s == NR_OK && i < n; i++) mse += err[i] / (double)n;
    nr_free(err);
    NR_TRY(s);
    char buf[1024];
    printf("Reconstructed %lld samples of %s%s\n", (long long)n, r->a->data.data,
           r->noisy ? " from noisy inputs" : "");
    printf("test %s\n", nr_logs_format(&logs, buf, sizeof buf));
    printf("mean squared error per value: %.6g\n", mse);
    return NR_OK;
}

/* Row-major copies of the first k samples of each source, one grid row
 * per source. */
static nr_status draw(recon_run *r) {
    if (!r->img_ndim) {
        char b[96];
        return nr_error(NR_STATUS_BAD_SHAPE, "%s: cannot draw samples of shape %s as images; the model's input is "
                        "not an image either", r->a->out, nr_shape_str(b, sizeof b, r->d.x->ndim, r->d.x->shape));
    }
    const nr_tensor *src[3] = {r->target, r->noisy, r->pred};
    int64_t n = r->d.x->shape[0], k = r->a->count < n ? r->a->count : n, per = nr_tensor_row_size(r->target);
    int rows = 0;
    int64_t shape[4] = {0, r->img[0], r->img[1], r->img[2]};
    shape[0] = k * (r->noisy ? 3 : 2);
    nr_tensor *grid;
    NR_TRY(nr_tensor_new(&grid, 4, shape));
    for (int i = 0; i < 3; i++)
        if (src[i]) memcpy(grid->data + rows++ * k * per, src[i]->data, (size_t)(k * per) * sizeof *grid->data);
    cli_grid_args g = {.cols = (int)k, .padding = 2, .zoom = r->a->zoom, .minmax = "none"};
    nr_status s = cli_save_grid(r->a->out, grid, &g);
    nr_tensor_free(grid);
    if (s == NR_OK) printf("Rows: inputs%s, reconstructions\n", r->noisy ? ", noisy inputs" : "");
    return s;
}

static int run(const recon_args *a) {
    nr_graph *g = NULL;
    recon_run r = {.a = a};
    nr_status s = nr_model_load(a->model, &g, &r.m);
    if (s == NR_OK) s = load(&r);
    if (s == NR_OK) s = measure(&r);
    if (s == NR_OK && a->out) s = draw(&r);
    cli_data_free(&r.d);
    nr_tensor_free(r.noisy);
    nr_tensor_free(r.target);
    nr_tensor_free(r.pred);
    nr_graph_free(g);
    return s == NR_OK ? CLI_EXIT_OK : cli_fail(s);
}

int cmd_reconstruct(int argc, char **argv) {
    recon_args a = {.seed = 42, .count = 10};
    cli_data_args *d = &a.data;
    const cli_opt opts[] = {
        CLI_OPT_STR("data", &d->data, "FILE.csv|DIR", "test data: a CSV file, a folder of IDX files or of images"),
        CLI_OPT_CHOICE("data-format", &d->format, "idx|images|csv", "what --data holds (default: told by what it is)"),
        CLI_OPT_STR("target", &d->target, "COL", "a CSV column to leave out (e.g. the labels)"),
        CLI_OPT_STR("out", &a.out, "GRID.png", "draw inputs, noisy inputs and reconstructions as a grid"),
        CLI_OPT_FLOAT("noise", &a.noise, "F", "Gaussian noise of stddev F on the inputs (a denoising autoencoder)"),
        CLI_OPT_INT("seed", &a.seed, "N", 0, 2147483647, "seed of the noise (default: 42, as train's)"),
        CLI_OPT_INT("count", &a.count, "N", 1, 1000, "samples drawn (default: 10)"),
        CLI_OPT_INT("zoom", &a.zoom, "N", 0, 64, "pixels per image pixel (default: tiles >= 32 px)"),
        CLI_OPT_CHOICE("color-mode", &d->color_mode, "grayscale|rgb|rgba",
                       "image folders: channels (default: the model's input)"),
        CLI_OPT_STR("image-size", &d->image_size, "HxW", "image folders: resize to this size (default: the model's input)"),
        CLI_OPT_FLAG("header", &d->header, "the CSV file's first row is a header (default: detect)"),
        CLI_OPT_FLAG("no-header", &d->no_header, "the CSV file has no header row"),
        CLI_OPT_INT("batch-size", &a.batch_size, "N", 1, 1 << 24, "rows per step (default: 32)"),
    };
    const cli_command c = {.name = "reconstruct", .usage = usage, .about = about, .opts = opts,
                           .n_opts = (int)(sizeof opts / sizeof *opts), .min_pos = 1, .max_pos = 1,
                           .pos_name = "MODEL", .notes = notes, .example = example};
    const char *pos[1];
    int n_pos;
    int rc = cli_parse(&c, argc, argv, pos, &n_pos);
    if (rc != CLI_RUN) return rc;
    a.model = pos[0];
    if (!d->data) return cli_usage("reconstruct", "reconstruct: missing --data FILE.csv|DIR");
    if ((rc = cli_check_header("reconstruct", d->header, d->no_header)) != CLI_RUN) return rc;
    if (a.noise < 0) return cli_usage("reconstruct", "--noise: expected a standard deviation > 0, got %g", a.noise);
    if ((rc = cli_check_image_size("reconstruct", d->image_size)) != CLI_RUN) return rc;
    return run(&a);
}
