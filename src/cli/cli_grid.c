/* Drawing image grids for the subcommands through nr_image_grid_save. */
#include <string.h>
#include "cli/cli_grid.h"
#include "core/core.h"

#define AUTO_ZOOM_PIXELS 32   /* small images (kernels, 8x8 digits) are enlarged to about this */

nr_status cli_save_grid(const char *path, const nr_tensor *x, const cli_grid_args *g) {
    if (x->ndim < 3) {
        char buf[96];
        return nr_error(NR_STATUS_BAD_SHAPE, "%s: data of shape %s are not images (N, H, W, C)", path,
                        nr_shape_str(buf, sizeof buf, x->ndim, x->shape));
    }
    int64_t shape[NR_MAX_DIMS];
    memcpy(shape, x->shape, sizeof shape);
    if (g->count > 0 && g->count < shape[0]) shape[0] = g->count;
    int64_t side = x->shape[1] > x->shape[2] ? x->shape[1] : x->shape[2];
    nr_image_grid_opts o = {
        .cols = g->cols,
        .padding = g->padding,
        .zoom = g->zoom ? g->zoom : side >= AUTO_ZOOM_PIXELS ? 1 : (int)((AUTO_ZOOM_PIXELS + side - 1) / side),
        .scale = strcmp(g->minmax, "image") == 0    ? NR_GRID_SCALE_IMAGE
                 : strcmp(g->minmax, "global") == 0 ? NR_GRID_SCALE_GLOBAL
                                                    : NR_GRID_SCALE_CLIP,
    };
    nr_tensor *view = NULL;
    NR_TRY(nr_tensor_wrap(&view, x->data, x->ndim, shape));
    nr_status s = nr_image_grid_save(path, view, &o);
    nr_tensor_free(view);
    if (s == NR_OK) printf("Saved %lld images as a grid to %s\n", (long long)shape[0], path);
    return s;
}
