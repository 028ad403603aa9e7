/* neurona: loading and preparing data. CSV tables (plain or gzip), NumPy
 * .npy arrays, MNIST-style IDX files, PNG and JPEG images and folders of
 * them become float32 tensors; train/test splits, one-hot labels, feature
 * scalers and batch reshapes prepare them for a model; image grids show
 * them as PNG files.
 *
 * Every fallible call returns an nr_status and, on failure, leaves a message
 * in nr_last_error() that names the file and, for text formats, the
 * 1-based line and column ("iris.csv:17:4: ..."). Out-parameters come last;
 * on failure they are set to NULL and nothing needs freeing. Whatever a
 * call hands back through an out-parameter belongs to the caller, who frees
 * it with the matching _free function. */
#ifndef NEURONA_DATA_H
#define NEURONA_DATA_H

#include <stdint.h>
#include <stdio.h>
#include "tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- CSV ---
 * Files are read through zlib, so "x.csv" and "x.csv.gz" both work. The
 * syntax is RFC 4180: fields separated by the delimiter, rows by LF, CRLF
 * or CR; a field in double quotes may hold delimiters, line breaks and
 * doubled quotes (""). Beyond the RFC:
 *   - a UTF-8 byte-order mark at the start is skipped;
 *   - empty lines are skipped (so a trailing newline is harmless);
 *   - spaces and tabs around an unquoted field are trimmed; a quoted field
 *     keeps its text exactly;
 *   - a NUL byte, an unterminated quote or text after a closing quote is an
 *     error, as is a row whose field count differs from the first row's.
 *
 * Cells: a cell is *missing* when its trimmed text is empty or one of NA,
 * NaN, N/A, ?, null (any case). It is *numeric* when it is a decimal number
 * ("-1", "2.5", ".5e-3"; no hex, no inf). Otherwise it is text. A column is
 * NR_CSV_TYPE_TEXT if any data cell in it is text, else NR_CSV_TYPE_NUMERIC
 * (an all-missing column is numeric).
 *
 * Header detection (opts.header == 0): the first row is a header when
 *   (a) one of its fields is text while the rest of that column below it
 *       has no text cell and at least one number, or
 *   (b) none of its fields is a number, at least one is text, and the
 *       second row has a number.
 * A missing token alone ("NA,1,2") does not make a header, and a one-row
 * file has no header unless forced. Without a header the columns are named
 * "0", "1", ... (pandas' header=None names), so a name and a 0-based index
 * given as a string agree.
 *
 * Memory: the file (decompressed) while reading, then 8 bytes per cell
 * (numbers are kept as double) plus the text of text columns. */

typedef struct nr_csv nr_csv;

typedef struct nr_csv_opts {
    int header;      /* 0: detect (default), 1: first row is a header, -1: no header */
    char delimiter;  /* 0: ',' */
} nr_csv_opts;

typedef enum nr_csv_type {
    NR_CSV_TYPE_NUMERIC = 0,
    NR_CSV_TYPE_TEXT = 1
} nr_csv_type;

/* Reads a whole CSV file into memory. opts may be NULL (all defaults).
 * Errors: NR_STATUS_IO (cannot open/read, corrupt gzip), NR_STATUS_PARSE
 * ("FILE:LINE:COL: ..." for ragged rows, quotes, NUL bytes; "FILE: empty
 * file"; "FILE: no data rows"). Caller frees *out with nr_csv_free. */
nr_status nr_csv_read(const char *path, const nr_csv_opts *opts, nr_csv **out);
void nr_csv_free(nr_csv *csv);   /* NULL is a no-op */

/* Accessors. Strings are borrowed: valid until nr_csv_free. Row and column
 * indices are 0-based data indices (the header is not a row); out-of-range
 * indices are programmer errors and give NULL / NaN / -1. */
const char *nr_csv_path(const nr_csv *csv);
int64_t nr_csv_num_rows(const nr_csv *csv);
int nr_csv_num_cols(const nr_csv *csv);
int nr_csv_has_header(const nr_csv *csv);
const char *nr_csv_col_name(const nr_csv *csv, int col);
/* Index of the first column with this exact name, or -1. */
int nr_csv_col_find(const nr_csv *csv, const char *name);
nr_csv_type nr_csv_col_type(const nr_csv *csv, int col);
int64_t nr_csv_col_missing(const nr_csv *csv, int col);
/* Value of a numeric cell; NaN when missing or when the column is text. */
double nr_csv_value(const nr_csv *csv, int64_t row, int col);
/* Text of a cell in a text column (missing cells keep their text, e.g.
 * "NA"); NULL for a numeric column. */
const char *nr_csv_text(const nr_csv *csv, int64_t row, int col);
int nr_csv_is_missing(const nr_csv *csv, int64_t row, int col);
/* 1-based line of the file on which a data row starts (for messages). */
int64_t nr_csv_row_line(const nr_csv *csv, int64_t row);

/* Writes a one-line-per-column summary (name, type, missing count) to f,
 * which is borrowed and not closed. */
void nr_csv_print_summary(const nr_csv *csv, FILE *f);

/* ------------------------------------------------------------- labels ---
 * Class names, index i <-> name. Names are copied. */

typedef struct nr_labels nr_labels;

/* Names must be distinct and non-NULL; n >= 1. Caller frees with
 * nr_labels_free. */
nr_status nr_labels_new(const char *const *names, int n, nr_labels **out);
void nr_labels_free(nr_labels *labels);   /* NULL is a no-op */
int nr_labels_count(const nr_labels *labels);
/* Borrowed, valid until nr_labels_free; NULL when i is out of range. */
const char *nr_labels_name(const nr_labels *labels, int i);
/* Index of name, or -1. */
int nr_labels_lookup(const nr_labels *labels, const char *name);

/* -------------------------------------------------------- CSV tensors ---
 * nr_csv_to_xy splits a table into features x (N, F) and target y.
 *
 * target: a column name, or else a 0-based column index written as a
 * string ("4"; "-1" is the last column). Names win over indices.
 * Features: every other column; they must be numeric.
 *
 * The target becomes:
 *   - text column: class indices 0..K-1 in sorted (strcmp) order of the
 *     distinct names, like sklearn's LabelEncoder; y is (N,), labels holds
 *     the names;
 *   - numeric column, classification 0 or -1: y is (N, 1), raw values,
 *     labels is NULL (regression);
 *   - numeric column, classification 1: y is (N,). If every value is an
 *     integer in [0, 65535] the values are the class indices and labels
 *     are "0".."max"; otherwise the distinct values, sorted, are mapped to
 *     0..K-1 and labels are their shortest round-trip spellings.
 * Missing values (in features or target) are an error naming their count
 * and the first line, unless opts.missing is NR_CSV_MISSING_DROP, which
 * drops those rows. */

typedef enum nr_csv_missing {
    NR_CSV_MISSING_ERROR = 0,   /* default */
    NR_CSV_MISSING_DROP = 1
} nr_csv_missing;

typedef struct nr_csv_xy_opts {
    int classification;      /* 0: by target type (default), 1: classes, -1: regression */
    nr_csv_missing missing;  /* what to do with rows that have missing values */
} nr_csv_xy_opts;

/* opts may be NULL. labels may be NULL when the caller does not want them;
 * otherwise *labels is set (NULL for regression). Caller frees *x and *y
 * with nr_tensor_free and *labels with nr_labels_free. Errors:
 * NR_STATUS_BAD_ARGUMENT (no such target column), NR_STATUS_PARSE (text in
 * a feature, missing values, no rows left). */
nr_status nr_csv_to_xy(const nr_csv *csv, const char *target, const nr_csv_xy_opts *opts,
                       nr_tensor **x, nr_tensor **y, nr_labels **labels);

/* Features only, for prediction: every column except the one named
 * exclude, if there is one (exclude may be NULL). Missing values are an
 * error. Caller frees *x with nr_tensor_free. */
nr_status nr_csv_to_x(const nr_csv *csv, const char *exclude, nr_tensor **x);

/* ---------------------------------------------------------------- NPY ---
 * NumPy's .npy format:
 *   bytes 0-5   "\x93NUMPY"
 *   byte  6, 7  major, minor version (1.0, 2.0 and 3.0 are read)
 *   then        header length HLEN: uint16 LE (v1) or uint32 LE (v2, v3)
 *   then        HLEN bytes of ASCII (v3: UTF-8) Python dict literal, e.g.
 *               {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
 *               padded with spaces and ended by '\n'
 *   then        the array data, C order.
 * nr_npy_load reads little-endian f4, f8, i1, i2, i4, i8, u1, u2, u4, u8
 * and b1 (bool) arrays of up to NR_MAX_DIMS dimensions and converts them to
 * float32; Fortran order, big-endian and other dtypes are refused with a
 * message. The header is bounded (1 MiB) and the data size must match the
 * file size exactly. Caller frees *out with nr_tensor_free. */
nr_status nr_npy_load(const char *path, nr_tensor **out);

/* Writes t as a v1.0 '<f4' C-order file, header padded to 64 bytes.
 * Atomic: the data goes to "PATH.tmp.XXXXXX" in the same directory, is
 * fsync'ed, then renamed over path, so a crash never leaves a half file. */
nr_status nr_npy_save(const char *path, const nr_tensor *t);

/* ---------------------------------------------------------------- IDX ---
 * LeCun's IDX format (MNIST, Fashion-MNIST), raw or gzip:
 *   bytes 0-1  zero
 *   byte  2    element type: 0x08 (unsigned byte) is the only one read
 *   byte  3    number of dimensions: 1 (labels) or 3 (images)
 *   then       each dimension as uint32 big-endian
 *   then       the elements, row-major, and nothing after them.
 * Images (N, rows, cols) become (N, rows, cols, 1) float32 scaled to [0, 1]
 * (x / 255) unless opts.raw; labels become (N,) float32 holding 0..255. */

typedef struct nr_idx_opts {
    int raw;   /* 1: keep image values 0..255 instead of scaling to [0, 1] */
} nr_idx_opts;

/* opts may be NULL. Caller frees *out with nr_tensor_free. Errors:
 * NR_STATUS_IO, NR_STATUS_BAD_FORMAT (bad magic, dims, truncation or
 * trailing data, each with the file name). */
nr_status nr_idx_load(const char *path, const nr_idx_opts *opts, nr_tensor **out);

/* Loads the four MNIST files from dir: train-images-idx3-ubyte,
 * train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte,
 * each optionally ending in ".gz" and optionally spelt with a dot before
 * "idx" ("train-images.idx3-ubyte"). Images are scaled to [0, 1]. A
 * missing file is an NR_STATUS_IO error listing every missing name. Caller
 * frees all four tensors. */
nr_status nr_idx_load_dir(const char *dir, nr_tensor **x_train, nr_tensor **y_train,
                          nr_tensor **x_test, nr_tensor **y_test);

/* ------------------------------------------------------------- images ---
 * PNG (any bit depth, palettes, transparency, interlacing) and JPEG (grey
 * or colour, baseline or progressive) files, told apart by their first
 * bytes, become float32 (H, W, C) tensors, channels last, with pixels
 * scaled to [0, 1] (x / 255): what Keras's image_dataset_from_directory
 * gives followed by Rescaling(1/255). The colour mode sets C, converting
 * as needed:
 *   NR_COLOR_RGB        C = 3: grey is repeated, alpha dropped (default,
 *                       as Keras's color_mode="rgb");
 *   NR_COLOR_GRAYSCALE  C = 1: colour becomes ITU-R 601-2 luma
 *                       (0.299 R + 0.587 G + 0.114 B, rounded as PIL's
 *                       convert("L")), alpha dropped;
 *   NR_COLOR_RGBA       C = 4: an opaque alpha (1.0) is added when missing.
 * height and width (Keras's image_size) resize every image to that size
 * with bilinear interpolation, half-pixel centres and no antialiasing
 * (tf.image.resize "bilinear", Keras's default interpolation); both 0 keep
 * the files' size. A damaged file (truncated, bad checksum, corrupt data)
 * is an NR_STATUS_BAD_FORMAT error naming it; libjpeg's warnings count as
 * damage. Images are at most 65535 pixels a side and 2^28 pixels. */

typedef enum nr_color_mode {
    NR_COLOR_RGB = 0,
    NR_COLOR_GRAYSCALE = 1,
    NR_COLOR_RGBA = 2
} nr_color_mode;

typedef struct nr_image_opts {
    nr_color_mode color_mode;   /* default NR_COLOR_RGB */
    int height, width;          /* resize to this size; both 0 (default): keep it */
} nr_image_opts;

/* One image as (H, W, C). opts may be NULL. Caller frees *out with
 * nr_tensor_free. Errors: NR_STATUS_IO (cannot open), NR_STATUS_BAD_FORMAT
 * (not a PNG or JPEG, damaged), NR_STATUS_UNSUPPORTED (CMYK JPEG). */
nr_status nr_image_load(const char *path, const nr_image_opts *opts, nr_tensor **out);

/* ------------------------------------------------------ image folders ---
 * A folder of images, laid out as Keras's image_dataset_from_directory
 * reads it:
 *   DIR/CLASS_A/a1.png, DIR/CLASS_A/more/a2.jpg, DIR/CLASS_B/b1.jpeg, ...
 * Each sub-folder of DIR is a class; the class names sorted (strcmp, as
 * Python's sorted()) are the labels 0..K-1. A class's images are the files
 * in its folder and, recursively, in the folders below it, ordered by
 * folder path, then file name, as Keras orders them. Files and folders
 * whose names start with '.' are skipped, as are symbolic links to
 * folders; only .png, .jpg and .jpeg files (any case) are read and other
 * files are ignored, except .bmp and .gif, which Keras would read and
 * neurona cannot: they are an error rather than silently missing. Files
 * directly in DIR belong to no class and are ignored.
 * With opts.unlabeled (Keras's labels=None) every image under DIR, at any
 * depth, is read in the same order, without classes.
 * Errors: NR_STATUS_IO (DIR cannot be read), NR_STATUS_BAD_FORMAT (no class
 * folders, a class folder without images, no images, a .bmp or .gif file),
 * each naming the folder or file. Samples are not shuffled: nr_model_fit
 * shuffles every epoch. */

typedef struct nr_image_folder nr_image_folder;

typedef struct nr_image_folder_opts {
    int unlabeled;   /* 1: every image under DIR, no classes (labels=None) */
} nr_image_folder_opts;

/* Lists the images (no pixel is read yet). opts may be NULL. Caller frees
 * *out with nr_image_folder_free. */
nr_status nr_image_folder_new(const char *dir, const nr_image_folder_opts *opts, nr_image_folder **out);
void nr_image_folder_free(nr_image_folder *f);   /* NULL is a no-op */

int64_t nr_image_folder_count(const nr_image_folder *f);
/* Path of image i relative to DIR ("cats/001.png"); NULL out of range.
 * Borrowed, valid until nr_image_folder_free. */
const char *nr_image_folder_file(const nr_image_folder *f, int64_t i);
/* The class names (borrowed, valid until nr_image_folder_free), or NULL
 * for an unlabeled folder. */
const nr_labels *nr_image_folder_classes(const nr_image_folder *f);

/* Decodes every image into x (N, H, W, C) and, when y is not NULL, the
 * class indices into y (N,) (NULL for an unlabeled folder). Without a size
 * in opts all images must have the first one's size: a different one is
 * an NR_STATUS_BAD_SHAPE error naming both files and sizes. Decoding
 * errors name the file. opts may be NULL. Caller frees *x and *y. */
nr_status nr_image_folder_load(const nr_image_folder *f, const nr_image_opts *opts, nr_tensor **x, nr_tensor **y);

/* --------------------------------------------------------- image grid ---
 * nr_image_grid_save writes images (N, H, W, C), C = 1 (grey) or 3 (RGB),
 * or (N, H, W) as grey, as one 8-bit PNG: a grid of tiles, row by row,
 * with padding pixels between the tiles and around them. Values become
 * grey levels by opts.scale:
 *   NR_GRID_SCALE_CLIP    values are intensities in [0, 1]; outside values
 *                         are clipped (default: images as loaded);
 *   NR_GRID_SCALE_IMAGE   each image's own min..max is stretched to 0..1
 *                         (a constant image is black);
 *   NR_GRID_SCALE_GLOBAL  the min..max over all drawn images is stretched
 *                         to 0..1, so tiles compare (filters, weights).
 * then x * 255 is rounded. Layout: cols 0 (default) gives
 * ceil(sqrt(N)) columns; rows 0 gives as many rows as the images need;
 * with both set, the first rows * cols images are drawn. zoom repeats
 * every pixel zoom x zoom times (small kernels become visible). The file
 * is written atomically (temporary file, fsync, rename). Errors:
 * NR_STATUS_BAD_SHAPE (other ranks or channel counts), NR_STATUS_BAD_ARGUMENT
 * (negative or oversized layout, a non-finite value, named by image and
 * position), NR_STATUS_IO. */

typedef enum nr_grid_scale {
    NR_GRID_SCALE_CLIP = 0,
    NR_GRID_SCALE_IMAGE = 1,
    NR_GRID_SCALE_GLOBAL = 2
} nr_grid_scale;

typedef struct nr_image_grid_opts {
    int rows, cols;        /* 0: chosen as above */
    int padding;           /* pixels between and around tiles (default 0) */
    float pad_value;       /* grey level of the padding, in [0, 1] (default 0: black) */
    int zoom;              /* pixel repeat (0 or 1: none) */
    nr_grid_scale scale;   /* default NR_GRID_SCALE_CLIP */
} nr_image_grid_opts;

/* opts may be NULL (all defaults). */
nr_status nr_image_grid_save(const char *path, const nr_tensor *images, const nr_image_grid_opts *opts);

/* -------------------------------------------------------- preparation ---
 * Randomness: splitmix64 seeded with `seed` drives a Fisher-Yates shuffle,
 * so the same seed gives the same split on every machine. */

/* Shuffles the rows of x (and y, which may be NULL) and splits them:
 * n_test = ceil(N * test_fraction), like sklearn; both parts must be
 * non-empty. stratify = 1 keeps each class's share in both parts (classes
 * from y: class indices of shape (N,) or (N, 1), or one-hot (N, K) rows
 * read through argmax); every class needs at least 2 rows. Outputs for y
 * are NULL when y is NULL. Caller frees all outputs. */
nr_status nr_train_test_split(const nr_tensor *x, const nr_tensor *y, float test_fraction,
                              uint64_t seed, int stratify, nr_tensor **x_train, nr_tensor **x_test,
                              nr_tensor **y_train, nr_tensor **y_test);

/* Reshapes a batch x (N, ...) in place to (N, shape[0], ..., shape[ndim-1]),
 * the per-sample shape a model's input asks for, when one of these rules
 * applies (first match wins); the values never move, since every rule is
 * a row-major reshape:
 *   1. same shape;
 *   2. a channel axis of 1 added or dropped at the end: (N, H, W) feeds an
 *      input of (H, W, 1) (x[..., None] in Keras), and (N, H, W, 1) feeds
 *      (H, W);
 *   3. flattened: a 1-D input (F,) takes any (N, ...) with F values per row
 *      (an MLP on images);
 *   4. unflattened: 2-D rows (N, F), e.g. CSV rows, take any input shape of
 *      F values, in row-major order (numpy's reshape: 784 pixel columns of a
 *      28x28 image, row by row).
 * Anything else is NR_STATUS_BAD_SHAPE naming both shapes. */
nr_status nr_batch_reshape(nr_tensor *x, int ndim, const int64_t *shape);

/* Class indices y of shape (N,) or (N, 1) to one-hot (N, K). num_classes
 * 0 means max(y) + 1. A negative, non-integer or too large label is an
 * error naming its row. Caller frees *out. */
nr_status nr_to_categorical(const nr_tensor *y, int num_classes, nr_tensor **out);

/* Feature scalers, one (offset, scale) pair per feature, where a feature
 * is one element of a row (x of shape (N, ...) has row_size features):
 *   x' = (x - offset) * scale,   x = x' / scale + offset.
 * Standard: offset = mean, scale = 1 / std with the population std (ddof 0,
 * as sklearn's StandardScaler); a zero std gives scale 1.
 * Min-max: offset = min, scale = 1 / (max - min), mapping to [0, 1]; a
 * constant feature gives scale 1, so it maps to 0. Fitting is done in
 * double precision. Kinds start at 1 so a zeroed field means "none". */

typedef enum nr_scaler_kind {
    NR_SCALER_STANDARD = 1,
    NR_SCALER_MINMAX = 2
} nr_scaler_kind;

typedef struct nr_scaler nr_scaler;

/* An unfitted scaler. Caller frees with nr_scaler_free. */
nr_status nr_scaler_new(nr_scaler_kind kind, nr_scaler **out);
void nr_scaler_free(nr_scaler *s);   /* NULL is a no-op */
/* Learns offset and scale from x (N >= 1 rows, all values finite). */
nr_status nr_scaler_fit(nr_scaler *s, const nr_tensor *x);
/* In place; x's row size must equal the fitted feature count
 * (NR_STATUS_STATE when not fitted, NR_STATUS_BAD_SHAPE otherwise). */
nr_status nr_scaler_transform(const nr_scaler *s, nr_tensor *x);
nr_status nr_scaler_inverse(const nr_scaler *s, nr_tensor *x);

/* State, for model files. Sizes are 0 and arrays NULL before fit; arrays
 * are borrowed, valid until the next fit or nr_scaler_free. */
nr_scaler_kind nr_scaler_get_kind(const nr_scaler *s);
int64_t nr_scaler_size(const nr_scaler *s);
const float *nr_scaler_offset(const nr_scaler *s);
const float *nr_scaler_scale(const nr_scaler *s);
/* A fitted scaler from saved state (copied); offsets must be finite and
 * scales finite and non-zero. Caller frees with nr_scaler_free. */
nr_status nr_scaler_from_params(nr_scaler_kind kind, int64_t n, const float *offset,
                                const float *scale, nr_scaler **out);

/* -------------------------------------------------------- time series ---
 * A series is T time steps (oldest first) of C named numeric columns,
 * held as values (T, C), and optionally a label per step (a date).
 * Windowing turns it into supervised pairs for a model:
 *
 *   window i (first target step t = t0 + i * stride):
 *     x[i] = steps t-W .. t-1 of the feature columns,   shape (W, F)
 *     y[i] = steps t .. t+H-1 of the target columns,     shape (H * K,),
 *            step-major: y[i][h * K + k] is target k at step t + h
 *
 * with W = window, H = horizon, F features, K targets; x is (N, W, F) and
 * y (N, H * K). A model whose output is (H, K) takes y after a row-major
 * reshape (nr_batch_reshape does it).
 *
 * Chronological split, fractions (f_train, f_val, f_test) summing to 1:
 *   train_end = floor(T * f_train), val_end = floor(T * (f_train + f_val))
 *   (T when f_test is 0); the training part is steps [0, train_end),
 *   validation [train_end, val_end), test [val_end, T).
 * A window belongs to the part that holds ALL its target steps, and to
 * none when they straddle two parts. Its inputs may reach back into
 * earlier parts: at a forecast origin the past is known, so the first
 * test window predicts step val_end from the W steps before it. Training
 * windows lie wholly in the training part (inputs and targets), so no
 * validation or test value is ever trained on; validation and test
 * targets are each seen by their own part only. In each part the first
 * window's first target is t0 = max(part start, W), then every stride
 * steps while t + H <= part end.
 *
 * Scaling: one (offset, scale) per series column, fitted on the training
 * part only (nr_series_fit_scaler), applied to the whole series, undone on
 * forecasts (nr_series_unscale). */

typedef struct nr_series nr_series;

typedef struct nr_series_opts {
    const char *const *features;  /* input columns, by name (required) */
    int n_features;
    const char *const *targets;   /* predicted columns, by name (required) */
    int n_targets;
    int window;                   /* input steps W (required, >= 1) */
    int horizon;                  /* output steps H (0: 1) */
    int stride;                   /* steps between consecutive windows (0: 1) */
    double split[3];              /* train, validation, test fractions (all 0: 0.7, 0.15, 0.15) */
} nr_series_opts;

typedef enum nr_series_part {
    NR_SERIES_TRAIN = 0,
    NR_SERIES_VALIDATION = 1,
    NR_SERIES_TEST = 2
} nr_series_part;

/* The columns a series for these options needs: the features, then the
 * targets that are not features, each once. Writes up to cap names
 * (borrowed from o) and returns their count. */
int nr_series_columns(const nr_series_opts *o, const char **names, int cap);

/* The named columns of a CSV table (columns[0..n), at least one, each
 * once). Unselected columns may hold anything; the first column of the
 * file, when not selected, labels the steps (a Date or Month column).
 * Errors: NR_STATUS_BAD_ARGUMENT for a name that is not a column (the
 * message lists the columns), NR_STATUS_PARSE "FILE:LINE:COL: ..." for a
 * missing (empty, NA, ...) or text cell in a selected column. Caller frees
 * *out with nr_series_free. */
nr_status nr_series_from_csv(const nr_csv *csv, const char *const *columns, int n, nr_series **out);

/* From values (steps, n) row-major (copied) and n distinct column names
 * (copied); values must be finite. No step labels. */
nr_status nr_series_new(const float *values, int64_t steps, int n, const char *const *names, nr_series **out);
void nr_series_free(nr_series *s);   /* NULL is a no-op */

int64_t nr_series_length(const nr_series *s);
int nr_series_num_columns(const nr_series *s);
/* Borrowed, valid until nr_series_free; NULL out of range. */
const char *nr_series_column_name(const nr_series *s, int col);
/* Index of the column with this name, or -1. */
int nr_series_column_find(const nr_series *s, const char *name);
/* The values (T, C), borrowed: valid until nr_series_free; may be changed
 * in place (nr_series_scale does). */
nr_tensor *nr_series_values(const nr_series *s);
/* The name of the column that labels the steps ("Date") and the label of
 * step t ("1981-01-01"), borrowed; NULL when the series has no labels. */
const char *nr_series_label_name(const nr_series *s);
const char *nr_series_label(const nr_series *s, int64_t t);
/* Where the series came from, for messages: the CSV path or "<memory>". */
const char *nr_series_source(const nr_series *s);

/* Checks o against the series (names exist, sizes positive, fractions
 * valid: each in [0, 1], training > 0, sum 1 within 1e-6) and splits
 * length steps: bounds[0..4) = {0, train_end, val_end, T}, part p holding
 * the target steps [bounds[p], bounds[p+1]). */
nr_status nr_series_split(const nr_series *s, const nr_series_opts *o, int64_t bounds[4]);

/* Windows whose target steps all lie in [first, end), as above (t0 =
 * max(first, W)). Errors: NR_STATUS_BAD_ARGUMENT (bad options, unknown
 * column, listing the series' columns), NR_STATUS_BAD_SHAPE when no window
 * fits (window + horizon longer than the series or the range). Caller
 * frees *x and *y. */
nr_status nr_series_windows(const nr_series *s, const nr_series_opts *o, int64_t first, int64_t end,
                            nr_tensor **x, nr_tensor **y);

/* The windows of one part of the split; a part that holds too few steps
 * for one window is NR_STATUS_BAD_SHAPE naming the part, its steps and
 * fraction. A validation or test fraction of 0 gives *x = *y = NULL and
 * NR_OK. Caller frees *x and *y. */
nr_status nr_series_part_windows(const nr_series *s, const nr_series_opts *o, nr_series_part part,
                                 nr_tensor **x, nr_tensor **y);

/* A scaler of kind fitted on steps [0, steps) of every column (steps is
 * the training part's end). Caller frees *out with nr_scaler_free. */
nr_status nr_series_fit_scaler(const nr_series *s, nr_scaler_kind kind, int64_t steps, nr_scaler **out);
/* Transforms the series' values in place; sc has one feature per column. */
nr_status nr_series_scale(nr_series *s, const nr_scaler *sc);
/* Undoes sc (fitted on s's columns) on t, whose rows are runs of n values
 * of the columns named cols[0..n) (forecasts: the targets; windows: the
 * features), in place. */
nr_status nr_series_unscale(const nr_series *s, const nr_scaler *sc, const char *const *cols, int n, nr_tensor *t);

#ifdef __cplusplus
}
#endif
#endif
