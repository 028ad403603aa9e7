/* neurona filters: a saved model's convolution kernels drawn as one PNG
 * grid, what a Conv2D layer learned to look for. */
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"
#include "cli/cli_args.h"
#include "cli/cli_grid.h"
#include "core/core.h"

static const char about[] =
    "Draws the kernels of a Conv2D layer of a model saved by 'neurona train' as\n"
    "a grid in one PNG file: the first Conv2D layer unless --layer names one.";

static const char notes[] =
    "A kernel of shape (kh, kw, in, out) gives one tile per filter: an RGB tile\n"
    "when the layer reads 3 channels, else one grey tile per input channel, a\n"
    "row of 'in' tiles per filter. Weights are stretched from the layer's\n"
    "min..max to black..white (--minmax global) and enlarged (--zoom).";

static const char example[] =
    "neurona filters mnist_cnn.nrm filters.png\n"
    "neurona filters mnist_cnn.nrm conv2.png --layer conv2d_1 --minmax image";

static nr_status find_conv(const nr_model *m, const char *name, nr_layer **out) {
    *out = name ? nr_model_get_layer(m, name) : NULL;
    for (int i = 0; !name && !*out && i < nr_model_n_layers(m); i++)
        if (strcmp(nr_layer_type(nr_model_layer(m, i)), "Conv2D") == 0) *out = nr_model_layer(m, i);
    if (!*out && name) return nr_error(NR_STATUS_BAD_ARGUMENT, "model \"%s\" has no layer '%s'", nr_model_name(m), name);
    if (!*out) return nr_error(NR_STATUS_BAD_ARGUMENT, "model \"%s\" has no Conv2D layer", nr_model_name(m));
    if (strcmp(nr_layer_type(*out), "Conv2D") != 0)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "layer '%s' is a %s, not a Conv2D", name, nr_layer_type(*out));
    return NR_OK;
}

/* Kernel (kh, kw, in, out) to tiles: (out, kh, kw, 3) when in is 3,
 * else (out * in, kh, kw, 1), filter-major. */
static nr_status kernel_tiles(const nr_tensor *k, nr_tensor **tiles) {
    int64_t kh = k->shape[0], kw = k->shape[1], cin = k->shape[2], cout = k->shape[3];
    int rgb = cin == 3;
    int64_t shape[4] = {rgb ? cout : cout * cin, kh, kw, rgb ? 3 : 1};
    NR_TRY(nr_tensor_new(tiles, 4, shape));
    for (int64_t o = 0; o < cout; o++)
        for (int64_t c = 0; c < cin; c++)
            for (int64_t p = 0; p < kh * kw; p++) {
                int64_t dst = rgb ? (o * kh * kw + p) * 3 + c : (o * cin + c) * kh * kw + p;
                (*tiles)->data[dst] = k->data[(p * cin + c) * cout + o];
            }
    return NR_OK;
}

static nr_status draw(const char *model, const char *layer, const char *out, cli_grid_args *g) {
    nr_graph *graph = NULL;
    nr_model *m = NULL;
    nr_layer *conv = NULL;
    nr_tensor kernel = {0}, *tiles = NULL;
    nr_status s = nr_model_load(model, &graph, &m);
    if (s == NR_OK) s = find_conv(m, layer, &conv);
    if (s == NR_OK) s = nr_layer_weight(conv, 0, &kernel);
    if (s == NR_OK) s = kernel_tiles(&kernel, &tiles);
    if (s == NR_OK && !g->cols && kernel.shape[2] != 3) g->cols = kernel.shape[2] > 1 ? (int)kernel.shape[2] : 0;
    char shape[96];
    if (s == NR_OK) printf("%s: kernel %s\n", nr_layer_name(conv), nr_shape_str(shape, sizeof shape, 4, kernel.shape));
    if (s == NR_OK) s = cli_save_grid(out, tiles, g);
    nr_tensor_free(tiles);
    nr_graph_free(graph);
    return s;
}

int cmd_filters(int argc, char **argv) {
    const char *layer = NULL;
    cli_grid_args g = {.padding = 1, .minmax = "global"};
    const cli_opt opts[] = {
        CLI_OPT_STR("layer", &layer, "NAME", "the Conv2D layer to draw (default: the first)"),
        CLI_GRID_OPTS(&g),
    };
    const cli_command c = {.name = "filters", .usage = "MODEL OUT.png [options]", .about = about, .opts = opts,
                           .n_opts = (int)(sizeof opts / sizeof *opts), .min_pos = 2, .max_pos = 2,
                           .pos_name = "MODEL and OUT.png", .notes = notes, .example = example};
    const char *pos[2];
    int n_pos;
    int rc = cli_parse(&c, argc, argv, pos, &n_pos);
    if (rc != CLI_RUN) return rc;
    nr_status s = draw(pos[0], layer, pos[1], &g);
    return s == NR_OK ? CLI_EXIT_OK : cli_fail(s);
}
