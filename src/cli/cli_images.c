/* Image folders for train, evaluate and predict. The library reads the
 * folders; this file picks the size and colour mode a model wants and
 * renumbers class folders by name, so that a test folder holding only
 * some of the classes still lines up with the model. */
#include <string.h>
#include "cli/cli_images.h"
#include "cli/cli_prep.h"
#include "core/core.h"

nr_status cli_image_opts(const cli_data_args *a, const nr_model *m, nr_image_opts *o) {
    *o = (nr_image_opts){.color_mode = NR_COLOR_RGB};
    int64_t shape[NR_MAX_DIMS];
    int ndim = m ? cli_input_shape(m, shape) : 0;
    if (ndim == 3 || ndim == 4) {
        o->height = (int)shape[1], o->width = (int)shape[2];
        int64_t c = ndim == 3 ? 1 : shape[3];
        o->color_mode = c == 1 ? NR_COLOR_GRAYSCALE : c == 4 ? NR_COLOR_RGBA : NR_COLOR_RGB;
    }
    if (a->image_size && !cli_parse_image_size(a->image_size, &o->height, &o->width))
        return nr_error(NR_STATUS_BAD_ARGUMENT, "--image-size '%s': expected HxW, e.g. 28x28", a->image_size);
    if (a->color_mode)
        o->color_mode = strcmp(a->color_mode, "grayscale") == 0 ? NR_COLOR_GRAYSCALE
                        : strcmp(a->color_mode, "rgba") == 0    ? NR_COLOR_RGBA
                                                                : NR_COLOR_RGB;
    return NR_OK;
}

static nr_status load_folder(const char *dir, const nr_image_opts *o, int unlabeled, nr_image_folder **f,
                             nr_tensor **x, nr_tensor **y) {
    NR_TRY(nr_image_folder_new(dir, &(nr_image_folder_opts){.unlabeled = unlabeled}, f));
    return nr_image_folder_load(*f, o, x, y);
}

static void class_list(const nr_labels *l, char *buf, size_t size) {
    size_t k = 0;
    buf[0] = 0;
    for (int i = 0; i < nr_labels_count(l) && k + 8 < size; i++)
        k += (size_t)snprintf(buf + k, size - k, "%s%s", i ? ", " : "", nr_labels_name(l, i));
    if (k + 8 >= size) strcpy(buf + size - 8, ", ...");
}

/* y holds indices into got (a folder's classes); renumbers them as want
 * numbers the same names. */
static nr_status map_classes(const char *dir, nr_tensor *y, const nr_labels *got, const nr_labels *want,
                             const char *whose) {
    int n = nr_labels_count(got);
    int *map = nr_malloc((size_t)n * sizeof *map);
    if (!map) return NR_NOMEM();
    nr_status s = NR_OK;
    for (int k = 0; k < n && s == NR_OK; k++)
        if ((map[k] = nr_labels_lookup(want, nr_labels_name(got, k))) < 0) {
            char list[512];
            class_list(want, list, sizeof list);
            s = nr_error(NR_STATUS_BAD_ARGUMENT, "%s/%s: class folder '%s' is not a class of %s: %s", dir,
                         nr_labels_name(got, k), nr_labels_name(got, k), whose, list);
        }
    for (int64_t i = 0; i < y->shape[0] && s == NR_OK; i++) y->data[i] = (float)map[(int)y->data[i]];
    nr_free(map);
    return s;
}

static nr_status copy_labels(const nr_labels *l, nr_labels **out) {
    int n = nr_labels_count(l);
    const char **names = nr_malloc((size_t)n * sizeof *names);
    if (!names) return NR_NOMEM();
    for (int i = 0; i < n; i++) names[i] = nr_labels_name(l, i);
    nr_status s = nr_labels_new(names, n, out);
    nr_free(names);
    return s;
}

nr_status cli_images_train(const cli_data_args *a, const nr_model *m, cli_data *d) {
    nr_image_opts o;
    NR_TRY(cli_image_opts(a, m, &o));
    NR_TRY(load_folder(a->data, &o, 0, &d->files, &d->x, &d->y));
    NR_TRY(copy_labels(nr_image_folder_classes(d->files), &d->labels));
    if (!a->test) return NR_OK;
    /* the test images take the training images' size, so a model built from the data fits both */
    o.height = (int)d->x->shape[1], o.width = (int)d->x->shape[2];
    nr_image_folder *f = NULL;
    nr_status s = load_folder(a->test, &o, 0, &f, &d->x_test, &d->y_test);
    if (s == NR_OK) s = map_classes(a->test, d->y_test, nr_image_folder_classes(f), d->labels, "the training data");
    nr_image_folder_free(f);
    return s;
}

nr_status cli_images_labelled(const cli_data_args *a, const nr_model *m, cli_data *d) {
    nr_image_opts o;
    NR_TRY(cli_image_opts(a, m, &o));
    NR_TRY(load_folder(a->data, &o, 0, &d->files, &d->x, &d->y));
    const nr_labels *want = nr_model_labels(m);
    if (!want) return NR_OK;
    char whose[256];
    snprintf(whose, sizeof whose, "model \"%s\"", nr_model_name(m));
    return map_classes(a->data, d->y, nr_image_folder_classes(d->files), want, whose);
}

nr_status cli_images_features(const cli_data_args *a, const nr_model *m, cli_data *d) {
    nr_image_opts o;
    NR_TRY(cli_image_opts(a, m, &o));
    return load_folder(a->data, &o, 1, &d->files, &d->x, NULL);
}
