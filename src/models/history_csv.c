/* A History read back from its CSV file (nr_history_save_csv's, or
 * Keras's CSVLogger's): what `neurona history` draws. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "models/history.h"
#include "neurona/data.h"

/* The figures' columns: every column but "epoch", numeric (or empty). */
static nr_status check_columns(const nr_csv *csv, int epoch_col) {
    const char *path = nr_csv_path(csv);
    if (epoch_col < 0)
        return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: a History CSV starts with an 'epoch' column (as neurona's "
                        "--history and Keras's CSVLogger write it)", path);
    if (nr_csv_num_cols(csv) < 2) return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: no figures beside 'epoch'", path);
    for (int c = 0; c < nr_csv_num_cols(csv); c++)
        if (nr_csv_col_type(csv, c) == NR_CSV_TYPE_TEXT)
            return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: column '%s' holds text; a History holds numbers", path,
                            nr_csv_col_name(csv, c));
    return NR_OK;
}

static nr_status fill(nr_history *h, const nr_csv *csv, int epoch_col) {
    nr_logs logs;
    for (int64_t r = 0; r < nr_csv_num_rows(csv); r++) {
        memset(&logs, 0, sizeof logs);
        for (int c = 0; c < nr_csv_num_cols(csv); c++) {
            if (c == epoch_col) continue;
            if (logs.n == NR_MAX_LOGS)
                return nr_error(NR_STATUS_UNSUPPORTED, "%s: more than %d figures", nr_csv_path(csv), NR_MAX_LOGS);
            snprintf(logs.names[logs.n], sizeof logs.names[0], "%.47s", nr_csv_col_name(csv, c));
            logs.values[logs.n++] = nr_csv_is_missing(csv, r, c) ? NAN : nr_csv_value(csv, r, c);
        }
        double e = nr_csv_value(csv, r, epoch_col);
        if (!(e >= 0 && e < 1e9))
            return nr_error(NR_STATUS_BAD_ARGUMENT, "%s: row %lld: epoch must be a number >= 0", nr_csv_path(csv),
                            (long long)r + 1);
        NR_TRY(nr_history_append(h, (int)e, &logs));
    }
    return NR_OK;
}

nr_status nr_history_load_csv(const char *path, nr_history **out) {
    *out = NULL;
    nr_csv *csv = NULL;
    NR_TRY(nr_csv_read(path, NULL, &csv));
    int epoch_col = nr_csv_col_find(csv, "epoch");
    nr_status s = check_columns(csv, epoch_col);
    if (s == NR_OK) s = nr_history_new(out);
    if (s == NR_OK) s = fill(*out, csv, epoch_col);
    if (s != NR_OK) {
        nr_history_free(*out);
        *out = NULL;
    }
    nr_csv_free(csv);
    return s;
}
