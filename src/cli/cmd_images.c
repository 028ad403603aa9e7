/* neurona images: input data drawn as one PNG grid, to look at what a
 * model will see (after the decoding, conversion and resizing that train
 * applies). */
#include <stdio.h>
#include "cli/cli.h"
#include "cli/cli_args.h"
#include "cli/cli_data.h"
#include "cli/cli_grid.h"

static const char about[] =
    "Draws the first images of DATA as a grid in one PNG file. DATA is an IDX\n"
    "image file, a folder of IDX files (its training images), or a folder of\n"
    "images (every .png/.jpg/.jpeg below it, in sorted order).";

static const char notes[] =
    "Pixels are drawn as loaded, in [0, 1]; --minmax stretches other ranges.\n"
    "Images from a folder must share one size unless --image-size is given.";

static const char example[] =
    "neurona images /usr/share/datasets/fashion-mnist fashion.png --count 100 --cols 10\n"
    "neurona images photos/train photos.png --image-size 64x64";

int cmd_images(int argc, char **argv) {
    cli_data_args d = {0};
    cli_grid_args g = {.count = 64, .padding = 2, .minmax = "none"};
    const cli_opt opts[] = {
        CLI_OPT_CHOICE("data-format", &d.format, "idx|images", "what DATA holds (default: told by what it is)"),
        CLI_OPT_CHOICE("color-mode", &d.color_mode, "grayscale|rgb|rgba", "image folders: channels (default: rgb)"),
        CLI_OPT_STR("image-size", &d.image_size, "HxW", "image folders: resize to this size"),
        CLI_GRID_OPTS(&g),
    };
    const cli_command c = {.name = "images", .usage = "DATA OUT.png [options]", .about = about, .opts = opts,
                           .n_opts = (int)(sizeof opts / sizeof *opts), .min_pos = 2, .max_pos = 2,
                           .pos_name = "DATA and OUT.png", .notes = notes, .example = example};
    const char *pos[2];
    int n_pos;
    int rc = cli_parse(&c, argc, argv, pos, &n_pos);
    if (rc != CLI_RUN) return rc;
    if ((rc = cli_check_image_size("images", d.image_size)) != CLI_RUN) return rc;
    d.data = pos[0];
    cli_data data;
    nr_status s = cli_load_images(&d, &data);
    if (s == NR_OK) s = cli_save_grid(pos[1], data.x, &g);
    cli_data_free(&data);
    return s == NR_OK ? CLI_EXIT_OK : cli_fail(s);
}
