/* Whole Keras files: the legacy .h5 (model_config, training_config and
 * model_weights in one HDF5 file), Keras 3's .keras (a zip of
 * config.json, metadata.json and model.weights.h5, read and written in
 * memory through libzip) and .json configs; which one a file is comes
 * from its first bytes. Every file is built in memory and written
 * atomically. */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <zip.h>
#include "io/atomic.h"
#include "io/keras_internal.h"

#define KERAS_VERSION "3.15.1" /* the Keras whose formats we write, and test against */

nr_keras_kind nr_keras_sniff(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NR_KERAS_NONE;
    unsigned char b[64];
    size_t n = fread(b, 1, sizeof b, f);
    fclose(f);
    if (n >= 8 && !memcmp(b, "\x89HDF\r\n\x1a\n", 8)) return NR_KERAS_HDF5;
    if (n >= 4 && !memcmp(b, "PK\x03\x04", 4)) return NR_KERAS_ZIP;
    size_t i = n >= 3 && !memcmp(b, "\xef\xbb\xbf", 3) ? 3 : 0;
    while (i < n && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r')) i++;
    return i < n && b[i] == '{' ? NR_KERAS_JSON : NR_KERAS_NONE;
}

static int ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix);
}

/* --- .json ------------------------------------------------------------------- */

static nr_status read_text(const char *path, char **out) {
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return nr_error(NR_STATUS_IO, "%s: cannot open: %s", path, strerror(errno));
    char *buf = nr_malloc(NR_KERAS_MAX_JSON + 1);
    size_t n = buf ? fread(buf, 1, NR_KERAS_MAX_JSON + 1, f) : 0;
    int err = ferror(f);
    fclose(f);
    if (!buf) return NR_NOMEM();
    if (err || n > NR_KERAS_MAX_JSON) {
        nr_free(buf);
        return nr_error(err ? NR_STATUS_IO : NR_STATUS_BAD_FORMAT, "%s: %s", path,
                        err ? "cannot read" : "a model config of over 64 MB");
    }
    buf[n] = 0;
    *out = buf;
    return NR_OK;
}

/* --- .keras archives ------------------------------------------------------------ */

/* A member of the archive, whole, NUL-terminated; limit bounds its size. */
static nr_status zip_member(zip_t *z, const char *path, const char *name, size_t limit, char **out, size_t *n) {
    *out = NULL;
    zip_stat_t st;
    if (zip_stat(z, name, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE))
        return nr_error(NR_STATUS_BAD_FORMAT, "%s: the .keras archive has no %s (a Keras 3 model file holds "
                        "config.json, metadata.json and model.weights.h5)", path, name);
    if (st.size > limit) return nr_error(NR_STATUS_BAD_FORMAT, "%s: %s is too large (%llu bytes)", path, name, (unsigned long long)st.size);
    char *buf = nr_malloc((size_t)st.size + 1);
    if (!buf) return NR_NOMEM();
    zip_file_t *zf = zip_fopen(z, name, 0);
    zip_int64_t got = zf ? zip_fread(zf, buf, st.size) : -1;
    if (zf) zip_fclose(zf);
    if (got < 0 || (zip_uint64_t)got != st.size) {
        nr_free(buf);
        return nr_error(NR_STATUS_BAD_FORMAT, "%s: cannot read %s from the archive (damaged?)", path, name);
    }
    buf[st.size] = 0;
    *out = buf;
    *n = (size_t)st.size;
    return NR_OK;
}

static nr_status zip_open_read(const char *path, zip_t **out) {
    int err = 0;
    *out = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &err);
    if (*out) return NR_OK;
    zip_error_t ze;
    zip_error_init_with_code(&ze, err);
    nr_status s = nr_error(NR_STATUS_BAD_FORMAT, "%s: not a readable .keras archive: %s", path, zip_error_strerror(&ze));
    zip_error_fini(&ze);
    return s;
}

/* The archive's model.weights.h5, opened in memory (*image owns the bytes). */
static nr_status zip_weights(zip_t *z, const char *path, hid_t *f, char **image) {
    size_t n = 0;
    NR_TRY(zip_member(z, path, "model.weights.h5", NR_KERAS_MAX_WEIGHTS, image, &n));
    char what[1100];
    snprintf(what, sizeof what, "%s (model.weights.h5)", path);
    nr_status s = nr_h5_open_image(*image, n, what, f);
    if (s != NR_OK) {
        nr_free(*image);
        *image = NULL;
    }
    return s;
}

nr_status nr_keras_zip_weights(nr_model *m, const char *path, const nr_load_weights_opts *o) {
    zip_t *z;
    NR_TRY(zip_open_read(path, &z));
    hid_t f;
    char *image = NULL;
    nr_status s = zip_weights(z, path, &f, &image);
    zip_discard(z);
    if (s != NR_OK) return s;
    s = nr_keras_weights_read(m, f, o, path);
    H5Fclose(f);
    nr_free(image);
    return s;
}

static nr_status load_zip(const char *path, uint64_t seed, nr_spec **out) {
    zip_t *z;
    NR_TRY(zip_open_read(path, &z));
    char *config = NULL, *image = NULL;
    size_t n = 0;
    hid_t f = -1;
    nr_status s = zip_member(z, path, "config.json", NR_KERAS_MAX_JSON, &config, &n);
    if (s == NR_OK) s = zip_weights(z, path, &f, &image);
    zip_discard(z);
    if (s == NR_OK) s = nr_keras_config_load(config, NULL, path, 1, seed, out);
    if (s == NR_OK) s = nr_keras_weights_read(nr_spec_model(*out), f, NULL, path);
    if (s != NR_OK && *out) {
        nr_spec_free(*out);
        *out = NULL;
    }
    if (f >= 0) H5Fclose(f);
    nr_free(image);
    nr_free(config);
    return s;
}

/* Adds a member that copies nothing: data must live until zip_close. */
static nr_status zip_put(zip_t *z, const char *name, const void *data, size_t n) {
    zip_source_t *src = zip_source_buffer(z, data, n, 0);
    if (!src) return NR_NOMEM();
    if (zip_file_add(z, name, src, ZIP_FL_OVERWRITE | ZIP_FL_ENC_UTF_8) < 0) {
        zip_source_free(src);
        return nr_error(NR_STATUS_IO, "zip: cannot add %s: %s", name, zip_strerror(z));
    }
    return NR_OK;
}

/* The bytes of a finished in-memory archive. */
static nr_status zip_bytes(zip_source_t *src, void **buf, size_t *n) {
    zip_stat_t st;
    *buf = NULL;
    if (zip_source_stat(src, &st) != 0 || zip_source_open(src) != 0) return nr_error(NR_STATUS_IO, "zip: cannot read back the archive");
    *buf = nr_malloc((size_t)st.size + 1);
    zip_int64_t got = *buf ? zip_source_read(src, *buf, st.size) : -1;
    zip_source_close(src);
    if (got < 0 || (zip_uint64_t)got != st.size) {
        nr_free(*buf);
        *buf = NULL;
        return nr_error(NR_STATUS_IO, "zip: cannot read back the archive");
    }
    *n = (size_t)st.size;
    return NR_OK;
}

static nr_status write_bytes(const char *path, const void *buf, size_t n) {
    nr_atomic_file af;
    NR_TRY(nr_atomic_open(&af, path));
    int err = nr_write_all(af.fd, buf, n);
    if (err) {
        nr_atomic_abort(&af);
        return nr_error(NR_STATUS_IO, "%s: cannot write: %s", path, strerror(err));
    }
    return nr_atomic_commit(&af);
}

/* config.json: the model's config with its compile_config. */
static nr_status keras_config(const nr_model *m, char **out) {
    char *config = NULL, *compile = NULL;
    NR_TRY(nr_keras_config_json(m, 0, &config));
    nr_status s = nr_keras_compile_json(m, 0, &compile);
    *out = config;
    if (s == NR_OK && compile) {
        /* config is one JSON object: splice the key in before its last brace. */
        size_t a = strlen(config), b = strlen(compile);
        char *joined = nr_malloc(a + b + 32);
        if (!joined) s = NR_NOMEM();
        else {
            snprintf(joined, a + b + 32, "%.*s, \"compile_config\": %s}", (int)(a - 1), config, compile);
            nr_free(config);
            *out = joined;
        }
    }
    nr_free(compile);
    if (s != NR_OK) {
        nr_free(*out);
        *out = NULL;
    }
    return s;
}

static nr_status save_zip(const nr_model *m, const char *path) {
    char *config = NULL, meta[256];
    void *weights = NULL, *bytes = NULL;
    size_t n_weights = 0, n_bytes = 0;
    hid_t f = -1;
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    snprintf(meta, sizeof meta, "{\"keras_version\": \"%s\", \"date_saved\": \"%04d-%02d-%02d@%02d:%02d:%02d\", "
             "\"neurona_version\": \"%s\"}", KERAS_VERSION, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
             tm.tm_min, tm.tm_sec, nr_version());
    nr_status s = keras_config(m, &config);
    if (s == NR_OK) s = nr_h5_create(&f);
    if (s == NR_OK) s = nr_keras_weights_write_v3(m, f);
    if (s == NR_OK) s = nr_h5_image(f, &weights, &n_weights);
    if (f >= 0) H5Fclose(f);
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = s == NR_OK ? zip_source_buffer_create(NULL, 0, 0, &ze) : NULL;
    zip_t *z = src ? zip_open_from_source(src, ZIP_TRUNCATE, &ze) : NULL;
    if (s == NR_OK && !z) s = nr_error(NR_STATUS_NO_MEMORY, "zip: cannot make an archive in memory");
    if (z) zip_source_keep(src);
    if (s == NR_OK) s = zip_put(z, "metadata.json", meta, strlen(meta));
    if (s == NR_OK) s = zip_put(z, "config.json", config, strlen(config));
    if (s == NR_OK) s = zip_put(z, "model.weights.h5", weights, n_weights);
    if (z && s == NR_OK && zip_close(z) != 0) s = nr_error(NR_STATUS_IO, "zip: cannot finish the archive: %s", zip_strerror(z));
    else if (z && s != NR_OK) zip_discard(z);
    if (s == NR_OK) s = zip_bytes(src, &bytes, &n_bytes);
    if (s == NR_OK) s = write_bytes(path, bytes, n_bytes);
    if (src) zip_source_free(src);
    zip_error_fini(&ze);
    nr_free(bytes);
    nr_free(weights);
    nr_free(config);
    return s;
}

/* --- legacy .h5 ----------------------------------------------------------------- */

static nr_status load_h5(const char *path, uint64_t seed, nr_spec **out) {
    hid_t f;
    NR_TRY(nr_h5_open(path, &f));
    char *config = NULL, *training = NULL;
    nr_status s = nr_h5_get_str(f, "model_config", &config);
    if (s == NR_OK) s = nr_h5_get_str(f, "training_config", &training);
    if (s == NR_OK && !config)
        s = nr_error(NR_STATUS_BAD_FORMAT, "%s: an HDF5 file without a model_config (a weights-only file? load it "
                     "into a model with load_weights)", path);
    if (s == NR_OK) s = nr_keras_config_load(config, training, path, 1, seed, out);
    if (s == NR_OK) s = nr_keras_weights_read(nr_spec_model(*out), f, NULL, path);
    if (s != NR_OK && *out) {
        nr_spec_free(*out);
        *out = NULL;
    }
    nr_free(config);
    nr_free(training);
    H5Fclose(f);
    return s;
}

static nr_status save_h5(const nr_model *m, const char *path) {
    char *config = NULL, *training = NULL;
    hid_t f = -1, g = -1;
    nr_status s = nr_keras_config_json(m, 1, &config);
    if (s == NR_OK) s = nr_keras_compile_json(m, 1, &training);
    if (s == NR_OK) s = nr_h5_create(&f);
    if (s == NR_OK) s = nr_h5_put_str(f, "model_config", config);
    if (s == NR_OK && training) s = nr_h5_put_str(f, "training_config", training);
    if (s == NR_OK) s = nr_h5_put_str(f, "keras_version", KERAS_VERSION);
    if (s == NR_OK) s = nr_h5_put_str(f, "backend", "tensorflow");
    if (s == NR_OK) s = nr_h5_group(f, "model_weights", &g);
    if (s == NR_OK) s = nr_keras_weights_write_legacy(m, g);
    if (g >= 0) H5Gclose(g);
    if (s == NR_OK) s = nr_h5_save(f, path);
    if (f >= 0) H5Fclose(f);
    nr_free(config);
    nr_free(training);
    return s;
}

/* --- entry points ------------------------------------------------------------------- */

nr_status nr_keras_spec_load(const char *path, uint64_t seed, nr_spec **out) {
    *out = NULL;
    switch (nr_keras_sniff(path)) {
    case NR_KERAS_HDF5: return load_h5(path, seed, out);
    case NR_KERAS_ZIP: return load_zip(path, seed, out);
    case NR_KERAS_JSON: {
        char *json;
        NR_TRY(read_text(path, &json));
        nr_status s = nr_keras_config_load(json, NULL, path, 0, seed, out);
        nr_free(json);
        return s;
    }
    default: return nr_error(NR_STATUS_BAD_FORMAT, "%s: not a Keras file (.h5, .keras or a .json config)", path);
    }
}

nr_status nr_keras_load(const char *path, uint64_t seed, nr_graph **g, nr_model **m) {
    if (!path || !g || !m) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_keras_load: NULL argument");
    *g = NULL;
    *m = NULL;
    nr_spec *spec;
    NR_TRY(nr_keras_spec_load(path, seed, &spec));
    *m = nr_spec_model(spec);
    *g = nr_spec_take_graph(spec);
    nr_spec_free(spec);
    return NR_OK;
}

nr_status nr_keras_save(const nr_model *m, const char *path) {
    if (!m || !path) return nr_error(NR_STATUS_BAD_ARGUMENT, "nr_keras_save: NULL argument");
    if (m->sequential && m->n_in == 0)
        return nr_error(NR_STATUS_STATE, "model \"%s\" has no input shape yet; Keras files need built models", m->name);
    return ends_with(path, ".keras") ? save_zip(m, path) : save_h5(m, path);
}
