/* CSV and IDX data for the subcommands, and which format --data holds
 * (image folders are in cli_images.c). The library does the parsing; this
 * file decides which files to read, and maps class names between a data
 * file and the class indices a model was trained with, so that a test file
 * holding only some of the classes still lines up. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cli/cli.h"
#include "cli/cli_args.h"
#include "cli/cli_data.h"
#include "cli/cli_images.h"
#include "cli/cli_pipeline.h"
#include "cli/cli_prep.h"
#include "core/core.h"

void cli_data_free(cli_data *d) {
    nr_tensor_free(d->x);
    nr_tensor_free(d->y);
    nr_tensor_free(d->x_test);
    nr_tensor_free(d->y_test);
    nr_labels_free(d->labels);
    nr_image_folder_free(d->files);
    memset(d, 0, sizeof *d);
}

static int is_dir(const char *path) {
    struct stat st;
    return path && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int cli_check_image_size(const char *cmd, const char *image_size) {
    int h, w;
    if (image_size && !cli_parse_image_size(image_size, &h, &w))
        return cli_usage(cmd, "--image-size: expected HxW (height x width), e.g. 28x28, got '%s'", image_size);
    return CLI_RUN;
}

int cli_parse_image_size(const char *s, int *h, int *w) {
    char *end;
    long a = strtol(s, &end, 10), b = a;
    if (end != s && (*end == 'x' || *end == ',')) {
        const char *rest = end + 1;
        b = strtol(rest, &end, 10);
        if (end == rest) return 0;
    }
    if (*end || a < 1 || b < 1 || a > 65535 || b > 65535) return 0;
    *h = (int)a, *w = (int)b;
    return 1;
}

/* --------------------------------------------------------------- CSV --- */

static nr_status read_csv(const cli_data_args *a, const char *path, nr_csv **csv) {
    nr_csv_opts o = {.header = a->header ? 1 : a->no_header ? -1 : 0};
    NR_TRY(nr_csv_read(path, &o, csv));
    if (!a->prep_fit && !a->prep_apply) return NR_OK;
    return cli_prep_csv(a->prep_fit, a->prep_apply, a->target, csv, stdout);
}

/* The target's column, resolved as nr_csv_to_xy does (names win), or -1. */
static int target_col(const nr_csv *csv, const char *target) {
    int c = nr_csv_col_find(csv, target);
    if (c >= 0) return c;
    int n = nr_csv_num_cols(csv);
    char *end;
    long v = strtol(target, &end, 10);
    if (!*target || *end || v < -n || v >= n) return -1;
    return v < 0 ? (int)(v + n) : (int)v;
}

/* The name of a column given by name or index (nr_csv_to_x takes names). */
static nr_status column_name(const nr_csv *csv, const char *col, const char **name) {
    int c = target_col(csv, col);
    if (c < 0)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: no column '%s' (give a name from the header or a 0-based index)",
                        nr_csv_path(csv), col);
    *name = nr_csv_col_name(csv, c);
    return NR_OK;
}

static void label_list(const nr_labels *l, char *buf, size_t size) {
    size_t k = 0;
    buf[0] = 0;
    for (int i = 0; i < nr_labels_count(l) && k + 8 < size; i++)
        k += (size_t)snprintf(buf + k, size - k, "%s%s", i ? ", " : "", nr_labels_name(l, i));
    if (k + 8 >= size) strcpy(buf + size - 8, ", ...");
}

/* Rewrites y's class indices, numbered by the file's own sorted names
 * (got), into the numbering of want. No row was dropped (missing values
 * are an error), so row r of y is data row r of the file. */
static nr_status remap(const nr_csv *csv, const char *target, nr_tensor *y, const nr_labels *got,
                       const nr_labels *want) {
    int64_t n = nr_tensor_numel(y);
    for (int64_t r = 0; r < n; r++) {
        const char *name = nr_labels_name(got, (int)y->data[r]);
        int k = nr_labels_lookup(want, name);
        if (k < 0) {
            char list[512];
            label_list(want, list, sizeof list);
            return nr_error(NR_STATUS_BAD_ARGUMENT, "%s:%lld: unknown class '%s' in column '%s'; the model knows: %s",
                            nr_csv_path(csv), (long long)nr_csv_row_line(csv, r), name,
                            nr_csv_col_name(csv, target_col(csv, target)), list);
        }
        y->data[r] = (float)k;
    }
    return NR_OK;
}

/* A CSV file as features, targets and the file's own class names. */
typedef struct csv_xy {
    nr_csv *csv;
    nr_tensor *x, *y;
    nr_labels *labels;
} csv_xy;

static void csv_xy_free(csv_xy *t) {
    nr_csv_free(t->csv);
    nr_tensor_free(t->x);
    nr_tensor_free(t->y);
    nr_labels_free(t->labels);
    memset(t, 0, sizeof *t);
}

static nr_status csv_xy_load(const cli_data_args *a, const char *path, int classification, csv_xy *t) {
    memset(t, 0, sizeof *t);
    NR_TRY(read_csv(a, path, &t->csv));
    nr_csv_xy_opts o = {.classification = classification ? 1 : -1};
    return nr_csv_to_xy(t->csv, a->target, &o, &t->x, &t->y, &t->labels);
}

/* Renumbers the classes as want numbers them (want NULL: as they are). */
static nr_status csv_xy_map(const cli_data_args *a, csv_xy *t, const nr_labels *want) {
    if (!want) return NR_OK;
    if (!t->labels)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: the model has class names but target '%s' holds no classes",
                        nr_csv_path(t->csv), a->target);
    return remap(t->csv, a->target, t->y, t->labels, want);
}

/* Moves the tensors (and the class names, when labels is not NULL) out,
 * and frees the rest. */
static void csv_xy_take(csv_xy *t, nr_tensor **x, nr_tensor **y, nr_labels **labels) {
    *x = t->x, *y = t->y;
    t->x = t->y = NULL;
    if (labels) *labels = t->labels, t->labels = NULL;
    csv_xy_free(t);
}

static nr_status need_target(const cli_data_args *a) {
    if (a->target) return NR_OK;
    return nr_error(NR_STATUS_BAD_ARGUMENT, "%s is a CSV file: say which column to predict with --target COL", a->data);
}

/* --------------------------------------------------------------- IDX --- */

/* Finds STEM-KIND (e.g. t10k-images-idx3-ubyte) in dir, in the spellings
 * nr_idx_load_dir accepts: "-idx" or ".idx", with or without ".gz". */
static nr_status find_idx(const char *dir, const char *stem, const char *kind, char *path, size_t size) {
    static const char *const forms[4] = {"%s/%s-%s", "%s/%s-%s.gz", "%s/%s.%s", "%s/%s.%s.gz"};
    for (int i = 0; i < 4; i++) {
        struct stat st;
        snprintf(path, size, forms[i], dir, stem, kind);
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) return NR_OK;
    }
    return nr_error(NR_STATUS_IO, "%s: missing IDX file %s-%s[.gz]", dir, stem, kind);
}

static int has_idx(const char *dir) {
    char path[4096];
    int found = find_idx(dir, "train-images", "idx3-ubyte", path, sizeof path) == NR_OK ||
                find_idx(dir, "t10k-images", "idx3-ubyte", path, sizeof path) == NR_OK;
    nr_clear_error();
    return found;
}

/* A folder with neither IDX files nor any visible entry is most likely
 * the wrong folder. */
static int is_empty_dir(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return 0;   /* the loader reports why */
    struct dirent *e;
    while ((e = readdir(d)) != NULL && e->d_name[0] == '.') continue;
    closedir(d);
    return e == NULL;
}

static nr_status named_format(const cli_data_args *a, cli_format *out) {
    const char *f = a->format;
    *out = strcmp(f, "idx") == 0 ? CLI_FORMAT_IDX : strcmp(f, "images") == 0 ? CLI_FORMAT_IMAGES : CLI_FORMAT_CSV;
    if (!a->data || is_dir(a->data) == (*out != CLI_FORMAT_CSV)) return NR_OK;
    if (*out == CLI_FORMAT_CSV) return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: a folder, not a CSV file", a->data);
    return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: --data-format %s needs a folder%s", a->data, f,
                    *out == CLI_FORMAT_IDX ? " (single IDX files go to --train-images, --test-images...)" : "");
}

nr_status cli_data_format(const cli_data_args *a, cli_format *out) {
    if (a->format) return named_format(a, out);
    *out = CLI_FORMAT_CSV;
    if (a->train_images || a->test_images) *out = CLI_FORMAT_IDX;
    else if (is_dir(a->data)) *out = has_idx(a->data) ? CLI_FORMAT_IDX : CLI_FORMAT_IMAGES;
    if (*out == CLI_FORMAT_IMAGES && is_empty_dir(a->data))
        return nr_error(NR_STATUS_BAD_FORMAT, "%s: neither the MNIST-style IDX files (train-images-idx3-ubyte[.gz], "
                        "train-labels-idx1-ubyte[.gz], t10k-...) nor images (class folders of .png/.jpg files)",
                        a->data);
    return NR_OK;
}

static nr_status load_idx_pair(const char *images, const char *labels, nr_tensor **x, nr_tensor **y) {
    nr_status s = nr_idx_load(images, NULL, x);
    if (s == NR_OK && labels) s = nr_idx_load(labels, NULL, y);
    if (s == NR_OK && (*x)->ndim != 4)
        s = nr_error(NR_STATUS_BAD_FORMAT, "%s: not an image file (idx3) but a label file (idx1)", images);
    if (s == NR_OK && labels && (*y)->shape[0] != (*x)->shape[0])
        s = nr_error(NR_STATUS_BAD_FORMAT, "%s has %lld images but %s has %lld labels", images,
                     (long long)(*x)->shape[0], labels, (long long)(*y)->shape[0]);
    return s;
}

/* The test images (and labels when y is not NULL) of IDX arguments. */
static nr_status load_idx_test(const cli_data_args *a, nr_tensor **x, nr_tensor **y) {
    char img[4096], lab[4096];
    const char *images = a->test_images, *labels = a->test_labels;
    if (!images && !a->data) return nr_error(NR_STATUS_BAD_ARGUMENT, "IDX data needs --test-images (or --data DIR)");
    if (!images) {
        NR_TRY(find_idx(a->data, "t10k-images", "idx3-ubyte", img, sizeof img));
        images = img;
    }
    if (y && !labels) {
        if (!a->data) return nr_error(NR_STATUS_BAD_ARGUMENT, "--test-images needs --test-labels");
        NR_TRY(find_idx(a->data, "t10k-labels", "idx1-ubyte", lab, sizeof lab));
        labels = lab;
    }
    return load_idx_pair(images, y ? labels : NULL, x, y);
}

static nr_status load_idx_train(const cli_data_args *a, cli_data *d) {
    if (is_dir(a->data)) return nr_idx_load_dir(a->data, &d->x, &d->y, &d->x_test, &d->y_test);
    if (!a->train_images || !a->train_labels)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "IDX training data needs --train-images and --train-labels");
    NR_TRY(load_idx_pair(a->train_images, a->train_labels, &d->x, &d->y));
    if (!a->test_images) return NR_OK;
    return load_idx_pair(a->test_images, a->test_labels, &d->x_test, &d->y_test);
}

/* ----------------------------------------------------------- loaders --- */

static nr_status load_csv_train(const cli_data_args *a, int classification, cli_data *d) {
    csv_xy t;
    nr_status s = csv_xy_load(a, a->data, classification, &t);
    if (s != NR_OK) {
        csv_xy_free(&t);
        return s;
    }
    csv_xy_take(&t, &d->x, &d->y, &d->labels);
    if (!a->test) return NR_OK;
    s = csv_xy_load(a, a->test, classification, &t);
    if (s == NR_OK) s = csv_xy_map(a, &t, d->labels);
    if (s == NR_OK) csv_xy_take(&t, &d->x_test, &d->y_test, NULL);
    csv_xy_free(&t);
    return s;
}

nr_status cli_load_train(const cli_data_args *a, nr_model *m, cli_data *d) {
    memset(d, 0, sizeof *d);
    cli_format format;
    nr_status s = cli_data_format(a, &format);
    d->images = format != CLI_FORMAT_CSV;
    if (s != NR_OK) return s;
    if (format == CLI_FORMAT_IDX) s = load_idx_train(a, d);
    else if (format == CLI_FORMAT_IMAGES) s = cli_images_train(a, m, d);
    else if ((s = need_target(a)) == NR_OK)
        s = load_csv_train(a, a->classes || cli_loss_is_classification(nr_model_loss(m, 0).kind), d);
    if (s != NR_OK) cli_data_free(d);
    return s;
}

/* The shape is checked before the class names are mapped: data meant for
 * another model is better reported by its shape than by its first class. */
static nr_status load_csv_labelled(const cli_data_args *a, nr_model *m, cli_data *d) {
    csv_xy t;
    nr_status s = csv_xy_load(a, a->data, cli_loss_is_classification(nr_model_loss(m, 0).kind), &t);
    if (s == NR_OK) s = cli_fit_input(m, t.x, a->data, NULL);
    if (s == NR_OK) s = csv_xy_map(a, &t, nr_model_labels(m));
    if (s == NR_OK) csv_xy_take(&t, &d->x, &d->y, NULL);
    csv_xy_free(&t);
    return s;
}

nr_status cli_load_labelled(const cli_data_args *a, nr_model *m, cli_data *d) {
    memset(d, 0, sizeof *d);
    cli_format format;
    nr_status s = cli_data_format(a, &format);
    d->images = format != CLI_FORMAT_CSV;
    if (s == NR_OK && format == CLI_FORMAT_CSV) {
        if ((s = need_target(a)) == NR_OK) s = load_csv_labelled(a, m, d);
    } else if (s == NR_OK) {
        s = format == CLI_FORMAT_IDX ? load_idx_test(a, &d->x, &d->y) : cli_images_labelled(a, m, d);
        if (s == NR_OK) s = cli_fit_input(m, d->x, a->data ? a->data : a->test_images, NULL);
    }
    if (s != NR_OK) cli_data_free(d);
    return s;
}

/* A text column among the features is most often the target itself. */
static nr_status target_hint(const nr_csv *csv, nr_status s) {
    int text = 0;
    for (int c = 0; c < nr_csv_num_cols(csv); c++) text |= nr_csv_col_type(csv, c) == NR_CSV_TYPE_TEXT;
    if (!text) return s;
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", nr_last_error());
    return nr_error(s, "%s; if it is the target, leave it out with --target COL", msg);
}

static nr_status load_csv_features(const cli_data_args *a, cli_data *d) {
    nr_csv *csv = NULL;
    const char *exclude = NULL;
    nr_status s = read_csv(a, a->data, &csv);
    if (s == NR_OK && a->target) s = column_name(csv, a->target, &exclude);
    if (s == NR_OK && (s = nr_csv_to_x(csv, exclude, &d->x)) != NR_OK && !a->target) s = target_hint(csv, s);
    nr_csv_free(csv);
    return s;
}

nr_status cli_load_features(const cli_data_args *a, nr_model *m, cli_data *d) {
    memset(d, 0, sizeof *d);
    cli_format format;
    nr_status s = cli_data_format(a, &format);
    d->images = format != CLI_FORMAT_CSV;
    if (s == NR_OK && format == CLI_FORMAT_IDX) s = load_idx_test(a, &d->x, NULL);
    else if (s == NR_OK && format == CLI_FORMAT_IMAGES) s = cli_images_features(a, m, d);
    else if (s == NR_OK) s = load_csv_features(a, d);
    if (s != NR_OK) cli_data_free(d);
    return s;
}

/* The first of an IDX folder's image files found: training, else test. */
static nr_status load_idx_images(const char *dir, nr_tensor **x) {
    char path[4096];
    if (find_idx(dir, "train-images", "idx3-ubyte", path, sizeof path) != NR_OK)
        NR_TRY(find_idx(dir, "t10k-images", "idx3-ubyte", path, sizeof path));
    return load_idx_pair(path, NULL, x, NULL);
}

nr_status cli_load_images(const cli_data_args *a, cli_data *d) {
    memset(d, 0, sizeof *d);
    d->images = 1;
    cli_format format = CLI_FORMAT_IDX;
    nr_status s = is_dir(a->data) ? cli_data_format(a, &format) : NR_OK;
    if (s == NR_OK && format == CLI_FORMAT_CSV)
        s = nr_error(NR_STATUS_BAD_ARGUMENT, "%s: CSV data holds no images; give an IDX image file or a folder", a->data);
    else if (s == NR_OK && format == CLI_FORMAT_IMAGES) s = cli_images_features(a, NULL, d);
    else if (s == NR_OK) s = is_dir(a->data) ? load_idx_images(a->data, &d->x) : load_idx_pair(a->data, NULL, &d->x, NULL);
    if (s != NR_OK) cli_data_free(d);
    return s;
}
