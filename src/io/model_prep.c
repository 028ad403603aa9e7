/* The data preparation a model was trained with, kept in the model and
 * in its file, so that predict and evaluate take raw CSV data. Section
 * (see io/model_file.h): "prep", the text of nr_prep_to_text, whose first
 * line is its version ("neurona prep 1"). A model file without it is a
 * model without steps, as every file written before them; a reader that
 * predates them ignores the section. */
#include "core/core.h"
#include "io/model_file.h"
#include "io/nrfile.h"
#include "models/model_internal.h"

static nr_status copy_prep(const nr_prep *p, const char *source, nr_prep **out) {
    char *text = NULL;
    NR_TRY(nr_prep_to_text(p, &text));
    nr_status s = nr_prep_from_text(text, source, out);
    nr_prep_free_text(text);
    return s;
}

nr_status nr_model_set_prep(nr_model *m, const nr_prep *p) {
    nr_prep *copy = NULL;
    if (p) NR_TRY(copy_prep(p, "model prep", &copy));
    nr_prep_free(m->prep);
    m->prep = copy;
    return NR_OK;
}

const nr_prep *nr_model_prep(const nr_model *m) { return m->prep; }

nr_status nr_model_prep_save(nr_nrfile_writer *w, const nr_model *m) {
    if (!m->prep) return NR_OK;
    char *text = NULL;
    NR_TRY(nr_prep_to_text(m->prep, &text));
    nr_status s = nr_nrfile_add_text(w, "prep", text);
    nr_prep_free_text(text);
    return s;
}

nr_status nr_model_prep_load(const nr_nrfile *f, nr_model *m) {
    nr_nrfile_section sec;
    if (nr_nrfile_find_kind(f, "prep", NR_NRFILE_KIND_TEXT, &sec) != NR_OK) {
        nr_clear_error();
        return NR_OK;
    }
    nr_prep *p = NULL;
    NR_TRY(nr_prep_from_text(sec.data, nr_nrfile_label(f), &p));
    nr_prep_free(m->prep);
    m->prep = p;
    return NR_OK;
}
