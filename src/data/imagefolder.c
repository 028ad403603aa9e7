/* Folders of images, read as Keras's image_dataset_from_directory reads
 * them (rules in include/neurona/data.h): listing the class folders and
 * their images in Keras's order, then decoding them into one tensor. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include "core/core.h"
#include "data/image_internal.h"

#define MAX_DEPTH 64   /* folders below a class folder; deeper is surely a loop or a mistake */

typedef struct img_entry {
    char *rel;     /* path relative to DIR */
    int dlen;      /* length of rel's folder part ("cats/more" in "cats/more/a.png") */
    int label;
} img_entry;

struct nr_image_folder {
    char *dir;
    img_entry *e;
    int64_t n, cap;
    nr_labels *classes;
};

/* What a walk found besides images, for messages. */
typedef struct walk_stats {
    int64_t ignored;
} walk_stats;

void nr_image_folder_free(nr_image_folder *f) {
    if (!f) return;
    for (int64_t i = 0; i < f->n; i++) nr_free(f->e[i].rel);
    nr_free(f->e);
    nr_free(f->dir);
    nr_labels_free(f->classes);
    nr_free(f);
}

int64_t nr_image_folder_count(const nr_image_folder *f) { return f ? f->n : 0; }

const char *nr_image_folder_file(const nr_image_folder *f, int64_t i) {
    return f && i >= 0 && i < f->n ? f->e[i].rel : NULL;
}

const nr_labels *nr_image_folder_classes(const nr_image_folder *f) { return f ? f->classes : NULL; }

/* ------------------------------------------------------------ listing --- */

typedef enum file_kind { FILE_IMAGE, FILE_OTHER, FILE_UNREADABLE_IMAGE } file_kind;

static int ends_with(const char *name, const char *ext) {
    size_t n = strlen(name), e = strlen(ext);
    return n > e && strcasecmp(name + n - e, ext) == 0;
}

/* Keras's allowed extensions, of which neurona decodes PNG and JPEG. */
static file_kind kind_of(const char *name) {
    if (ends_with(name, ".png") || ends_with(name, ".jpg") || ends_with(name, ".jpeg")) return FILE_IMAGE;
    if (ends_with(name, ".bmp") || ends_with(name, ".gif")) return FILE_UNREADABLE_IMAGE;
    return FILE_OTHER;
}

static nr_status add_entry(nr_image_folder *f, const char *rel, int dlen, int label) {
    if (f->n == f->cap) {
        int64_t cap = f->cap ? 2 * f->cap : 256;
        img_entry *e = nr_realloc(f->e, (size_t)cap * sizeof *e);
        if (!e) return NR_NOMEM();
        f->e = e, f->cap = cap;
    }
    char *copy = nr_strdup(rel);
    if (!copy) return NR_NOMEM();
    f->e[f->n++] = (img_entry){copy, dlen, label};
    return NR_OK;
}

static nr_status walk(nr_image_folder *f, char *path, size_t root, int label, int depth, walk_stats *ws);

/* One folder entry: a sub-folder to walk, an image to list, or another
 * file to count. Symbolic links to folders are not followed (Keras's
 * follow_links=False); links to files are files. */
static nr_status visit(nr_image_folder *f, char *path, size_t root, int label, int depth, walk_stats *ws) {
    struct stat st;
    if (lstat(path, &st) != 0) return nr_error(NR_STATUS_IO, "%s: cannot read: %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode)) return walk(f, path, root, label, depth + 1, ws);
    if (S_ISLNK(st.st_mode) && (stat(path, &st) != 0 || !S_ISREG(st.st_mode))) return NR_OK;
    if (!S_ISREG(st.st_mode)) return NR_OK;
    const char *name = strrchr(path, '/') + 1;
    switch (kind_of(name)) {
    case FILE_IMAGE: {
        const char *rel = path + root + 1;
        return add_entry(f, rel, (int)(name - 1 - rel > 0 ? name - 1 - rel : 0), label);
    }
    case FILE_UNREADABLE_IMAGE:
        return nr_error(NR_STATUS_BAD_FORMAT, "%s: BMP and GIF images are not read (PNG and JPEG are); convert it, "
                        "or move it out of %s", path, f->dir);
    case FILE_OTHER:
        ws->ignored++;
        return NR_OK;
    }
    return NR_OK;
}

static nr_status walk(nr_image_folder *f, char *path, size_t root, int label, int depth, walk_stats *ws) {
    if (depth > MAX_DEPTH) return nr_error(NR_STATUS_BAD_FORMAT, "%s: more than %d folders deep", path, MAX_DEPTH);
    DIR *d = opendir(path);
    if (!d) return nr_error(NR_STATUS_IO, "%s: cannot open folder: %s", path, strerror(errno));
    size_t len = strlen(path);
    nr_status s = NR_OK;
    struct dirent *de;
    while (s == NR_OK && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') continue;   /* hidden, and . and .. */
        if (len + 1 + strlen(de->d_name) >= PATH_MAX) {
            s = nr_error(NR_STATUS_IO, "%s/%s: path too long", path, de->d_name);
            break;
        }
        path[len] = '/';
        strcpy(path + len + 1, de->d_name);
        s = visit(f, path, root, label, depth, ws);
        path[len] = 0;
    }
    closedir(d);
    return s;
}

/* Keras's order: by folder path, then by file name, byte-wise. */
static int cmp_entry(const void *pa, const void *pb) {
    const img_entry *a = pa, *b = pb;
    int n = a->dlen < b->dlen ? a->dlen : b->dlen;
    int c = memcmp(a->rel, b->rel, (size_t)n);
    if (c == 0) c = (a->dlen > b->dlen) - (a->dlen < b->dlen);
    if (c == 0) c = strcmp(a->rel + a->dlen, b->rel + b->dlen);
    return c;
}

static void sort_from(nr_image_folder *f, int64_t begin) {
    qsort(f->e + begin, (size_t)(f->n - begin), sizeof *f->e, cmp_entry);
}

static int cmp_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The visible sub-folders of dir (links followed, as Keras's isdir),
 * sorted; *n_images counts the images directly in dir. */
static nr_status class_names(const char *dir, char ***names, int *n, int64_t *n_images) {
    *names = NULL, *n = 0, *n_images = 0;
    DIR *d = opendir(dir);
    if (!d) return nr_error(NR_STATUS_IO, "%s: cannot open folder: %s", dir, strerror(errno));
    nr_status s = NR_OK;
    int cap = 0;
    struct dirent *de;
    char path[PATH_MAX];
    while (s == NR_OK && (de = readdir(d)) != NULL) {
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        if (de->d_name[0] == '.' || stat(path, &st) != 0) continue;
        if (!S_ISDIR(st.st_mode)) {
            *n_images += kind_of(de->d_name) == FILE_IMAGE;
            continue;
        }
        if (*n == cap) {
            cap = cap ? 2 * cap : 16;
            char **grown = nr_realloc(*names, (size_t)cap * sizeof *grown);
            if (!grown) {
                s = NR_NOMEM();
                break;
            }
            *names = grown;
        }
        if (((*names)[*n] = nr_strdup(de->d_name)) == NULL) s = NR_NOMEM();
        else ++*n;
    }
    closedir(d);
    if (s == NR_OK && *n > 1) qsort(*names, (size_t)*n, sizeof **names, cmp_name);
    return s;
}

static nr_status no_classes(const char *dir, int64_t n_images) {
    if (n_images)
        return nr_error(NR_STATUS_BAD_FORMAT, "%s: no class folders, and the %lld images directly in it belong to no "
                        "class: put each class's images in a sub-folder named after the class (%s/CLASS/IMAGE.png)",
                        dir, (long long)n_images, dir);
    return nr_error(NR_STATUS_BAD_FORMAT, "%s: no class folders: put each class's images in a sub-folder named "
                    "after the class (%s/CLASS/IMAGE.png)", dir, dir);
}

static nr_status list_class(nr_image_folder *f, char *path, const char *name, int label) {
    walk_stats ws = {0};
    int64_t begin = f->n;
    snprintf(path, PATH_MAX, "%s/%s", f->dir, name);
    NR_TRY(walk(f, path, strlen(f->dir), label, 0, &ws));
    if (f->n == begin) {
        char other[64] = "";
        if (ws.ignored) snprintf(other, sizeof other, " (%lld other files ignored)", (long long)ws.ignored);
        return nr_error(NR_STATUS_BAD_FORMAT, "%s/%s: class folder '%s' holds no .png, .jpg or .jpeg image%s", f->dir,
                        name, name, other);
    }
    sort_from(f, begin);
    return NR_OK;
}

static nr_status list_labeled(nr_image_folder *f, char *path) {
    char **names;
    int n;
    int64_t n_images;
    nr_status s = class_names(f->dir, &names, &n, &n_images);
    if (s == NR_OK && n == 0) s = no_classes(f->dir, n_images);
    for (int i = 0; i < n && s == NR_OK; i++) s = list_class(f, path, names[i], i);
    if (s == NR_OK) s = nr_labels_new((const char *const *)names, n, &f->classes);
    for (int i = 0; i < n; i++) nr_free(names[i]);
    nr_free(names);
    return s;
}

static nr_status list_unlabeled(nr_image_folder *f, char *path) {
    walk_stats ws = {0};
    snprintf(path, PATH_MAX, "%s", f->dir);
    NR_TRY(walk(f, path, strlen(f->dir), -1, 0, &ws));
    if (f->n == 0)
        return nr_error(NR_STATUS_BAD_FORMAT, "%s: no .png, .jpg or .jpeg images in it or below it", f->dir);
    sort_from(f, 0);
    return NR_OK;
}

nr_status nr_image_folder_new(const char *dir, const nr_image_folder_opts *opts, nr_image_folder **out) {
    if (!out) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_image_folder_new: out is NULL");
    *out = NULL;
    if (!dir || !*dir) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_image_folder_new: no folder given");
    if (strlen(dir) >= PATH_MAX / 2) return nr_error(NR_STATUS_IO, "%s: path too long", dir);
    nr_image_folder *f = nr_calloc(1, sizeof *f);
    char *path = nr_malloc(PATH_MAX);
    if (!f || !path || !(f->dir = nr_strdup(dir))) {
        nr_free(f);
        nr_free(path);
        return NR_NOMEM();
    }
    size_t len = strlen(f->dir);
    while (len > 1 && f->dir[len - 1] == '/') f->dir[--len] = 0;   /* "data/" names files "data/cats/..." */
    nr_status s = opts && opts->unlabeled ? list_unlabeled(f, path) : list_labeled(f, path);
    nr_free(path);
    if (s != NR_OK) nr_image_folder_free(f);
    else *out = f;
    return s;
}

/* ------------------------------------------------------------ loading --- */

static nr_status mixed_sizes(const nr_image_folder *f, int64_t i, const nr_img8 *img, const nr_tensor *x) {
    return nr_error(NR_STATUS_BAD_SHAPE, "%s/%s has %dx%d pixels (height x width) but %s/%s, the first image, has "
                    "%lldx%lld: the images differ in size; give an image size (height, width) to resize them all",
                    f->dir, f->e[i].rel, img->h, img->w, f->dir, f->e[0].rel, (long long)x->shape[1],
                    (long long)x->shape[2]);
}

/* Image i into row i of *x, which the first image allocates. */
static nr_status load_one(const nr_image_folder *f, const nr_image_opts *o, int64_t i, char *path, nr_tensor **x) {
    snprintf(path, PATH_MAX, "%s/%s", f->dir, f->e[i].rel);
    nr_img8 img;
    NR_TRY(nr_img8_read(path, &img));
    nr_status s = nr_img8_convert(&img, nr_color_mode_channels(o->color_mode));
    int h = o->height ? o->height : img.h, w = o->width ? o->width : img.w;
    if (s == NR_OK && !*x) s = nr_tensor_new(x, 4, (int64_t[]){f->n, h, w, img.c});
    if (s == NR_OK && (h != (*x)->shape[1] || w != (*x)->shape[2])) s = mixed_sizes(f, i, &img, *x);
    if (s == NR_OK) s = nr_img8_to_floats(&img, h, w, (*x)->data + i * nr_tensor_row_size(*x));
    nr_img8_free(&img);
    return s;
}

static nr_status load_labels(const nr_image_folder *f, nr_tensor **y) {
    NR_TRY(nr_tensor_new(y, 1, (int64_t[]){f->n}));
    for (int64_t i = 0; i < f->n; i++) (*y)->data[i] = (float)f->e[i].label;
    return NR_OK;
}

nr_status nr_image_folder_load(const nr_image_folder *f, const nr_image_opts *opts, nr_tensor **x, nr_tensor **y) {
    if (!x) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_image_folder_load: x is NULL");
    *x = NULL;
    if (y) *y = NULL;
    if (!f) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_image_folder_load: folder is NULL");
    nr_image_opts o = opts ? *opts : (nr_image_opts){0};
    NR_TRY(nr_image_opts_check(&o, "nr_image_folder_load"));
    char *path = nr_malloc(PATH_MAX);
    if (!path) return NR_NOMEM();
    nr_status s = NR_OK;
    for (int64_t i = 0; i < f->n && s == NR_OK; i++) s = load_one(f, &o, i, path, x);
    nr_free(path);
    if (s == NR_OK && y && f->classes) s = load_labels(f, y);
    if (s != NR_OK) {
        nr_tensor_free(*x);
        *x = NULL;
    }
    return s;
}
