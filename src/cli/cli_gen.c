/* Shared pieces of neurona gan and neurona vae. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include "cli/cli_data.h"
#include "cli/cli_gen.h"
#include "core/core.h"

nr_status cli_gen_model(const nr_spec *s, const char *spec_path, const char *var, const char *what, nr_model **out) {
    *out = nr_spec_get_model(s, var);
    if (*out) return NR_OK;
    return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: defines no model \"%s\" (%s): bind it to that name, e.g. %s = Model(...)",
                    spec_path, var, what, var);
}

nr_status cli_gen_dir(const char *dir) {
    if (mkdir(dir, 0777) == 0 || errno == EEXIST) return NR_OK;
    return nr_error(NR_STATUS_IO, "%s: cannot create the folder: %s", dir, strerror(errno));
}

void cli_gen_path(char *buf, size_t size, const char *dir, const char *name) { snprintf(buf, size, "%s/%s", dir, name); }

nr_status cli_gen_grid(const char *path, const nr_tensor *x, int cols, int signed_range) {
    nr_tensor *t = NULL;
    NR_TRY(nr_tensor_clone(&t, x));
    if (signed_range)
        for (int64_t i = 0; i < nr_tensor_numel(t); i++) t->data[i] = 0.5f * (t->data[i] + 1.0f);
    int64_t side = x->ndim > 1 ? x->shape[1] : 28;
    nr_status s = nr_image_grid_save(path, t, &(nr_image_grid_opts){.cols = cols, .padding = 2, .zoom = side < 32 ? 2 : 1});
    nr_tensor_free(t);
    return s;
}

static int is_dir(const char *p) {
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* An IDX folder gives its test set too (the latent-space plot's points). */
static nr_status idx_dir(const char *data, nr_tensor **x, nr_tensor **x_test, nr_tensor **y_test) {
    nr_tensor *y = NULL;
    nr_status s = nr_idx_load_dir(data, x, &y, x_test, y_test);
    nr_tensor_free(y);
    return s;
}

/* All four files of an IDX folder, else images only. */
static nr_status load(const char *data, nr_tensor **x, nr_tensor **x_test, nr_tensor **y_test) {
    cli_data_args a = {.data = data};
    cli_format format = CLI_FORMAT_IDX;
    if (is_dir(data)) NR_TRY(cli_data_format(&a, &format));
    if (format == CLI_FORMAT_IDX && is_dir(data) && idx_dir(data, x, x_test, y_test) == NR_OK) return NR_OK;
    cli_data d;
    NR_TRY(cli_load_images(&a, &d));
    *x = d.x;
    d.x = NULL;
    cli_data_free(&d);
    return NR_OK;
}

nr_status cli_gen_images(const char *data, int signed_range, nr_tensor **x, nr_tensor **x_test, nr_tensor **y_test) {
    *x = *x_test = *y_test = NULL;
    NR_TRY(load(data, x, x_test, y_test));
    for (int64_t i = 0; signed_range && i < nr_tensor_numel(*x); i++) (*x)->data[i] = 2.0f * (*x)->data[i] - 1.0f;
    return NR_OK;
}

void cli_gen_fit_defaults(const nr_spec *s, int *epochs, int *batch_size, int def_batch) {
    const nr_fit_opts *f = nr_spec_fit_opts(s);
    if (!*epochs) *epochs = f && f->epochs ? f->epochs : 1;
    if (!*batch_size) *batch_size = f && f->batch_size ? f->batch_size : def_batch;
}
