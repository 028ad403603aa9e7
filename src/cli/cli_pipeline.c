/* Preparation steps from the command line, run over CSV tables. */
#include "cli/cli_pipeline.h"
#include "core/core.h"

nr_status cli_prep_build(const cli_steps *steps, nr_prep **out) {
    NR_TRY(nr_prep_new(out));
    for (int i = 0; i < steps->n; i++) {
        nr_status s = nr_prep_add(*out, steps->name[i], steps->value[i]);
        if (s != NR_OK) {
            nr_prep_free(*out);
            *out = NULL;
            return s;
        }
    }
    return NR_OK;
}

static nr_status run(nr_prep *prep, const nr_prep *apply, const char *target, nr_frame *f, FILE *report) {
    if (apply) return nr_prep_transform(apply, f);
    if (nr_prep_fitted(prep)) return nr_prep_transform(prep, f);
    if (target && nr_frame_col_find(f, target) < 0)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "--target '%s': with preparation steps give the target column by its "
                        "name (steps add and move columns), not by index", target);
    NR_TRY(nr_prep_set_target(prep, target));
    return nr_prep_fit_transform(prep, f, report);
}

nr_status cli_prep_csv(nr_prep *prep, const nr_prep *apply, const char *target, nr_csv **csv, FILE *report) {
    nr_frame *f = NULL;
    nr_csv *out = NULL;
    nr_status s = nr_frame_from_csv(*csv, &f);
    if (s == NR_OK) s = run(prep, apply, target, f, report);
    if (s == NR_OK) s = nr_frame_to_csv(f, &out);
    nr_frame_free(f);
    if (s != NR_OK) return s;
    nr_csv_free(*csv);
    *csv = out;
    return NR_OK;
}
