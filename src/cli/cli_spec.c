/* SPEC files for the commands that train: which model, which fit()
 * options, and saving the models that share its weights. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include "cli/cli_spec.h"
#include "core/core.h"
#include "io/nrfile.h"

nr_status cli_is_model_file(const char *path, int *yes) {
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return nr_error(NR_STATUS_IO, "%s: is a directory, not a SPEC or model file", path);
    FILE *f = fopen(path, "rb");
    if (!f) return nr_error(NR_STATUS_IO, "%s: cannot open: %s", path, strerror(errno));
    char magic[8] = {0};
    size_t n = fread(magic, 1, sizeof magic, f);
    fclose(f);
    size_t len = strlen(path);
    *yes = (n == sizeof magic && memcmp(magic, NR_NRFILE_MAGIC, sizeof magic) == 0) ||
           (len > 4 && strcmp(path + len - 4, ".nrm") == 0);
    return NR_OK;
}

static nr_status pick(const nr_spec *spec, const char *path, const char *name, nr_model **m) {
    *m = name ? nr_spec_get_model(spec, name) : nr_spec_model(spec);
    if (name && !*m) return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: no model named '%s' (a variable holding a model)",
                                     path, name);
    if (!*m) return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: the SPEC defines no model", path);
    if (nr_model_compile_opts(*m)) return NR_OK;
    return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: the SPEC never calls compile() on model \"%s\"; add a line such as "
                    "%s.compile(optimizer=\"adam\", loss=\"sparse_categorical_crossentropy\", metrics=[\"accuracy\"])",
                    path, nr_model_name(*m), name ? name : "model");
}

nr_status cli_spec_load(const char *path, int seed, const char *name, nr_spec **spec, nr_model **m) {
    NR_TRY(nr_spec_load_file(path, (uint64_t)seed, spec));
    nr_status s = pick(*spec, path, name, m);
    if (s != NR_OK) {
        nr_spec_free(*spec);
        *spec = NULL;
    }
    return s;
}

nr_fit_opts cli_spec_fit_opts(const nr_spec *spec, int epochs, int batch_size, int verbose) {
    const nr_fit_opts *o = nr_spec_fit_opts(spec);
    nr_fit_opts f = o ? *o : (nr_fit_opts){.verbose = 1};
    if (epochs > 0) f.epochs = epochs;
    if (batch_size > 0) f.batch_size = batch_size;
    if (verbose >= 0) f.verbose = verbose;
    f.out = stdout;
    return f;
}

nr_status cli_spec_save_named(const nr_spec *spec, const char *path, const cli_steps *saves) {
    for (int i = 0; i < saves->n; i++) {
        const char *v = saves->value[i], *eq = strchr(v, '=');
        char name[256];
        if (!eq || eq == v || !eq[1] || (size_t)(eq - v) >= sizeof name)
            return nr_error(NR_STATUS_BAD_ARGUMENT, "--save-model: expected NAME=FILE (e.g. encoder=encoder.nrm), "
                            "got '%s'", v);
        memcpy(name, v, (size_t)(eq - v));
        name[eq - v] = 0;
        const nr_model *m = nr_spec_get_model(spec, name);
        if (!m) return nr_error(NR_STATUS_BAD_ARGUMENT, "--save-model: %s defines no model named '%s'", path, name);
        NR_TRY(nr_model_save(m, eq + 1));
        printf("Saved model %s to %s\n", name, eq + 1);
    }
    return NR_OK;
}
