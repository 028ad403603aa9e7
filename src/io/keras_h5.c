/* HDF5 access for Keras files through libhdf5: files on disk or in memory
 * (a .keras archive's model.weights.h5, and every file we write, which is
 * built in memory and then written atomically), string attributes in both
 * the fixed-length form of Keras 2 and h5py's variable-length one, and
 * float datasets checked against the shape we expect. libhdf5's error
 * stack printing is turned off; its failures become nr_status errors. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "io/atomic.h"
#include "io/keras_internal.h"

static void quiet(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

nr_status nr_h5_open(const char *path, hid_t *out) {
    quiet();
    FILE *f = fopen(path, "rb"); /* a missing file is an I/O error, not a damaged one */
    if (!f) return nr_error(NR_STATUS_IO, "%s: cannot open: %s", path, strerror(errno));
    fclose(f);
    *out = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (*out < 0) return nr_error(NR_STATUS_BAD_FORMAT, "%s: not an HDF5 file, or a damaged one", path);
    return NR_OK;
}

/* The core (in-memory) driver; names of in-memory files only need to be
 * unique among open files. */
static hid_t core_fapl(void) {
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl >= 0 && H5Pset_fapl_core(fapl, (size_t)1 << 16, 0) < 0) {
        H5Pclose(fapl);
        return -1;
    }
    return fapl;
}

static void image_name(char *buf, size_t n) {
    static unsigned counter;
    snprintf(buf, n, "neurona-memory-%u.h5", __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED));
}

nr_status nr_h5_open_image(const void *buf, size_t n, const char *what, hid_t *out) {
    quiet();
    *out = -1;
    hid_t fapl = core_fapl();
    if (fapl < 0) return NR_NOMEM();
    char name[64];
    image_name(name, sizeof name);
    if (H5Pset_file_image(fapl, (void *)buf, n) >= 0) *out = H5Fopen(name, H5F_ACC_RDONLY, fapl);
    H5Pclose(fapl);
    if (*out < 0) return nr_error(NR_STATUS_BAD_FORMAT, "%s: not an HDF5 file, or a damaged one", what);
    return NR_OK;
}

nr_status nr_h5_create(hid_t *out) {
    quiet();
    hid_t fapl = core_fapl();
    if (fapl < 0) return NR_NOMEM();
    char name[64];
    image_name(name, sizeof name);
    *out = H5Fcreate(name, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    H5Pclose(fapl);
    return *out < 0 ? nr_error(NR_STATUS_NO_MEMORY, "HDF5: cannot create a file in memory") : NR_OK;
}

nr_status nr_h5_image(hid_t f, void **buf, size_t *n) {
    *buf = NULL;
    *n = 0;
    if (H5Fflush(f, H5F_SCOPE_GLOBAL) < 0) return nr_error(NR_STATUS_IO, "HDF5: cannot flush a file in memory");
    ssize_t size = H5Fget_file_image(f, NULL, 0);
    if (size <= 0) return nr_error(NR_STATUS_IO, "HDF5: cannot get the image of a file in memory");
    *buf = nr_malloc((size_t)size);
    if (!*buf) return NR_NOMEM();
    if (H5Fget_file_image(f, *buf, (size_t)size) != size) {
        nr_free(*buf);
        *buf = NULL;
        return nr_error(NR_STATUS_IO, "HDF5: cannot get the image of a file in memory");
    }
    *n = (size_t)size;
    return NR_OK;
}

nr_status nr_h5_save(hid_t f, const char *path) {
    void *buf;
    size_t n;
    NR_TRY(nr_h5_image(f, &buf, &n));
    nr_atomic_file af;
    nr_status s = nr_atomic_open(&af, path);
    if (s == NR_OK) {
        int err = nr_write_all(af.fd, buf, n);
        if (err) {
            nr_atomic_abort(&af);
            s = nr_error(NR_STATUS_IO, "%s: cannot write: %s", path, strerror(err));
        } else {
            s = nr_atomic_commit(&af);
        }
    }
    nr_free(buf);
    return s;
}

int nr_h5_exists(hid_t loc, const char *path) {
    char part[1024];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof part) return 0;
    for (size_t i = 0; i <= n; i++) {
        if (path[i] != '/' && path[i] != 0) continue;
        memcpy(part, path, i);
        part[i] = 0;
        if (i > 0 && H5Lexists(loc, part, H5P_DEFAULT) <= 0) return 0;
    }
    return 1;
}

/* --- string attributes ---------------------------------------------------- */

/* Reads attribute a (n strings) into out[0..n). */
static nr_status read_strs(hid_t a, hid_t type, hid_t space, char **out, int n) {
    hid_t mem = H5Tcopy(H5T_C_S1);
    if (mem < 0) return NR_NOMEM();
    H5Tset_cset(mem, H5Tget_cset(type)); /* HDF5 converts no strings between ASCII and UTF-8 */
    nr_status s = NR_OK;
    if (H5Tis_variable_str(type) > 0) {
        char **tmp = nr_calloc((size_t)n + 1, sizeof *tmp);
        if (!tmp) s = NR_NOMEM();
        if (s == NR_OK && (H5Tset_size(mem, H5T_VARIABLE) < 0 || H5Aread(a, mem, tmp) < 0))
            s = nr_error(NR_STATUS_BAD_FORMAT, "cannot read a string attribute");
        for (int i = 0; s == NR_OK && i < n; i++)
            if (!(out[i] = nr_strdup(tmp[i] ? tmp[i] : ""))) s = NR_NOMEM();
        if (tmp && s != NR_STATUS_BAD_FORMAT) H5Dvlen_reclaim(mem, space, H5P_DEFAULT, tmp);
        nr_free(tmp);
    } else {
        size_t size = H5Tget_size(type);
        char *tmp = size > 0 && size < ((size_t)1 << 24) ? nr_calloc((size_t)n, size) : NULL;
        if (!tmp) s = size > 0 && size < ((size_t)1 << 24) ? NR_NOMEM() : nr_error(NR_STATUS_BAD_FORMAT, "bad string size");
        /* NULLPAD: numpy's "S19" holds 19 characters and no terminator. */
        if (s == NR_OK && (H5Tset_size(mem, size) < 0 || H5Tset_strpad(mem, H5T_STR_NULLPAD) < 0 ||
                           H5Aread(a, mem, tmp) < 0))
            s = nr_error(NR_STATUS_BAD_FORMAT, "cannot read a string attribute");
        for (int i = 0; s == NR_OK && i < n; i++) {
            const char *p = tmp + (size_t)i * size;
            size_t len = strnlen(p, size);
            if (!(out[i] = nr_malloc(len + 1))) s = NR_NOMEM();
            else {
                memcpy(out[i], p, len);
                out[i][len] = 0;
            }
        }
        nr_free(tmp);
    }
    H5Tclose(mem);
    return s;
}

/* Appends the strings of attribute name (absent: nothing) to *out. */
static nr_status append_attr(hid_t obj, const char *name, char ***out, int *n, int *found) {
    *found = H5Aexists(obj, name) > 0;
    if (!*found) return NR_OK;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    hid_t type = a >= 0 ? H5Aget_type(a) : -1;
    hid_t space = a >= 0 ? H5Aget_space(a) : -1;
    nr_status s = NR_OK;
    hssize_t k = space >= 0 ? H5Sget_simple_extent_npoints(space) : -1;
    H5T_class_t cls = type >= 0 ? H5Tget_class(type) : H5T_NO_CLASS;
    if (k < 0 || (cls != H5T_STRING && !(k == 0 && cls == H5T_FLOAT)) || k > (1 << 20))
        s = nr_error(NR_STATUS_BAD_FORMAT, "attribute \"%s\" is not a list of strings", name);
    if (s == NR_OK && k > 0) {
        char **grown = nr_realloc(*out, ((size_t)*n + (size_t)k + 1) * sizeof *grown);
        if (!grown) s = NR_NOMEM();
        else {
            *out = grown;
            memset(grown + *n, 0, ((size_t)k + 1) * sizeof *grown);
            s = read_strs(a, type, space, grown + *n, (int)k);
            *n += (int)k;
        }
    }
    if (space >= 0) H5Sclose(space);
    if (type >= 0) H5Tclose(type);
    if (a >= 0) H5Aclose(a);
    return s;
}

nr_status nr_h5_get_strs(hid_t obj, const char *name, char ***out, int *n) {
    *out = NULL;
    *n = 0;
    int found;
    nr_status s = append_attr(obj, name, out, n, &found);
    /* Keras splits attributes over 64 KB into name0, name1, ... */
    char part[128];
    for (int i = 0; s == NR_OK && !found && i < 100000; i++) {
        int got;
        snprintf(part, sizeof part, "%s%d", name, i);
        s = append_attr(obj, part, out, n, &got);
        if (!got) break;
    }
    if (s != NR_OK) {
        nr_h5_free_strs(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return s;
}

void nr_h5_free_strs(char **s, int n) {
    if (!s) return;
    for (int i = 0; i < n; i++) nr_free(s[i]);
    nr_free(s);
}

nr_status nr_h5_get_str(hid_t obj, const char *name, char **out) {
    *out = NULL;
    char **v;
    int n;
    NR_TRY(nr_h5_get_strs(obj, name, &v, &n));
    if (n > 1) {
        nr_h5_free_strs(v, n);
        return nr_error(NR_STATUS_BAD_FORMAT, "attribute \"%s\" holds %d strings, expected one", name, n);
    }
    if (n == 1) {
        *out = v[0];
        nr_free(v);
    }
    return NR_OK;
}

static hid_t vlen_str_type(void) {
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t >= 0 && (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0)) {
        H5Tclose(t);
        return -1;
    }
    return t;
}

static nr_status put_attr(hid_t obj, const char *name, hid_t type, hid_t space, const void *data) {
    if (H5Aexists(obj, name) > 0) H5Adelete(obj, name);
    hid_t a = type >= 0 && space >= 0 ? H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT) : -1;
    herr_t w = a >= 0 ? H5Awrite(a, type, data) : -1;
    if (a >= 0) H5Aclose(a);
    if (space >= 0) H5Sclose(space);
    if (type >= 0) H5Tclose(type);
    return w < 0 ? nr_error(NR_STATUS_IO, "HDF5: cannot write attribute \"%s\"", name) : NR_OK;
}

nr_status nr_h5_put_str(hid_t obj, const char *name, const char *value) {
    return put_attr(obj, name, vlen_str_type(), H5Screate(H5S_SCALAR), &value);
}

/* An empty list is written as h5py writes one: a float64 array of 0. */
nr_status nr_h5_put_strs(hid_t obj, const char *name, const char *const *v, int n) {
    hsize_t dim = (hsize_t)n;
    static const double none[1] = {0};
    if (n == 0) return put_attr(obj, name, H5Tcopy(H5T_IEEE_F64LE), H5Screate_simple(1, &dim, NULL), none);
    return put_attr(obj, name, vlen_str_type(), H5Screate_simple(1, &dim, NULL), v);
}

/* --- datasets --------------------------------------------------------------- */

nr_status nr_h5_shape(hid_t loc, const char *path, int *ndim, int64_t *shape) {
    if (!nr_h5_exists(loc, path)) return nr_error(NR_STATUS_BAD_FORMAT, "no dataset \"%s\"", path);
    hid_t d = H5Dopen2(loc, path, H5P_DEFAULT);
    if (d < 0) return nr_error(NR_STATUS_BAD_FORMAT, "\"%s\" is not a dataset", path);
    hid_t space = H5Dget_space(d);
    int nd = space >= 0 ? H5Sget_simple_extent_ndims(space) : -1;
    hsize_t dims[NR_MAX_DIMS];
    nr_status s = NR_OK;
    if (nd < 0 || nd > NR_MAX_DIMS || H5Sget_simple_extent_dims(space, dims, NULL) < 0)
        s = nr_error(NR_STATUS_BAD_FORMAT, "dataset \"%s\" has a shape neurona cannot hold", path);
    for (int i = 0; s == NR_OK && i < nd; i++) shape[i] = (int64_t)dims[i];
    *ndim = nd;
    if (space >= 0) H5Sclose(space);
    H5Dclose(d);
    return s;
}

nr_status nr_h5_read(hid_t loc, const char *path, const nr_tensor *dst) {
    int nd;
    int64_t shape[NR_MAX_DIMS];
    NR_TRY(nr_h5_shape(loc, path, &nd, shape));
    int same = nd == dst->ndim;
    for (int i = 0; same && i < nd; i++) same = shape[i] == dst->shape[i];
    if (!same) {
        char a[96], b[96];
        return nr_error(NR_STATUS_BAD_SHAPE, "\"%s\" has shape %s, the layer expects %s", path,
                        nr_shape_str(a, sizeof a, nd, shape), nr_shape_str(b, sizeof b, dst->ndim, dst->shape));
    }
    hid_t d = H5Dopen2(loc, path, H5P_DEFAULT);
    hid_t type = d >= 0 ? H5Dget_type(d) : -1;
    H5T_class_t cls = type >= 0 ? H5Tget_class(type) : H5T_NO_CLASS;
    nr_status s = NR_OK;
    if (cls != H5T_FLOAT && cls != H5T_INTEGER)
        s = nr_error(NR_STATUS_BAD_FORMAT, "dataset \"%s\" does not hold numbers", path);
    if (s == NR_OK && H5Dread(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, dst->data) < 0)
        s = nr_error(NR_STATUS_BAD_FORMAT, "cannot read dataset \"%s\" (damaged file?)", path);
    if (type >= 0) H5Tclose(type);
    if (d >= 0) H5Dclose(d);
    return s;
}

static hid_t intermediate_lcpl(void) {
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    if (lcpl >= 0) H5Pset_create_intermediate_group(lcpl, 1);
    return lcpl;
}

nr_status nr_h5_write(hid_t loc, const char *path, const nr_tensor *src) {
    hsize_t dims[NR_MAX_DIMS];
    for (int i = 0; i < src->ndim; i++) dims[i] = (hsize_t)src->shape[i];
    hid_t space = src->ndim ? H5Screate_simple(src->ndim, dims, NULL) : H5Screate(H5S_SCALAR);
    hid_t lcpl = intermediate_lcpl();
    hid_t d = space >= 0 && lcpl >= 0 ? H5Dcreate2(loc, path, H5T_IEEE_F32LE, space, lcpl, H5P_DEFAULT, H5P_DEFAULT) : -1;
    herr_t w = d >= 0 ? H5Dwrite(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, src->data) : -1;
    if (d >= 0) H5Dclose(d);
    if (lcpl >= 0) H5Pclose(lcpl);
    if (space >= 0) H5Sclose(space);
    return w < 0 ? nr_error(NR_STATUS_IO, "HDF5: cannot write dataset \"%s\"", path) : NR_OK;
}

nr_status nr_h5_group(hid_t loc, const char *path, hid_t *out) {
    if (nr_h5_exists(loc, path)) *out = H5Gopen2(loc, path, H5P_DEFAULT);
    else {
        hid_t lcpl = intermediate_lcpl();
        *out = lcpl >= 0 ? H5Gcreate2(loc, path, lcpl, H5P_DEFAULT, H5P_DEFAULT) : -1;
        if (lcpl >= 0) H5Pclose(lcpl);
    }
    return *out < 0 ? nr_error(NR_STATUS_BAD_FORMAT, "HDF5: cannot open or create group \"%s\"", path) : NR_OK;
}
