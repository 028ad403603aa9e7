/* neurona prep: a CSV file prepared by steps run in the order given
 * (missing values, bins, one-hot and ordinal codes, normalization), what
 * each step did printed, the result written as CSV. The same steps given
 * to `neurona train` are kept in the model and applied by predict and
 * evaluate. */
#include <stdio.h>
#include "cli/cli.h"
#include "cli/cli_args.h"
#include "cli/cli_pipeline.h"

static const char usage[] = "FILE.csv --out FILE.csv STEP [STEP...]";

static const char about[] =
    "Prepares a CSV file as pandas and scikit-learn would: each step, in the order\n"
    "given, drops or fills missing values, cuts a numeric column into bins, turns a\n"
    "text column into one-hot or ordinal codes, or normalizes a column. What each\n"
    "step did (values filled, each bin's interval and frequency, columns added) is\n"
    "printed; the result goes to --out. Without --out nothing is written.";

static const char notes[] =
    "COL may be a comma list (one step per column). Bins: K:width is pandas.cut(x,\n"
    "K), K:freq pandas.qcut(x, K), E0,E1,... pandas.cut at these edges, and\n"
    "<=E1:LABEL,<=E2:LABEL,>E2:LABEL labelled bins from -inf (a last '>' bin runs\n"
    "to +inf). Fill by class (mean:CLASSCOL) takes the mean of the rows of the\n"
    "same class; rows whose class has none take the column's mean. normalize:\n"
    "minmax maps to [0, 1] (or [A, B]), zscore divides by the population std\n"
    "(scikit-learn's StandardScaler), zscore:sample by the sample std.\n"
    "Give the same steps to 'neurona train' to keep them in the model: they are\n"
    "fitted on the training rows, and predict and evaluate apply them to data\n"
    "with the same header (the target column may be absent).";

static const char example[] =
    "neurona prep cars.csv --out cars_ready.csv --drop-missing=price --fill mpg=median \\\n"
    "    --bins length=<=100:SHORT,<=136:MEDIUM,>136:LONG --onehot fuel --normalize mpg,weight=zscore\n"
    "neurona prep titanic.csv --fill age=mean:pclass --bins fare=4:freq";

int cmd_prep(int argc, char **argv) {
    const char *out = NULL;
    int header = 0, no_header = 0;
    cli_steps steps = {0};
    const cli_opt opts[] = {
        CLI_OPT_STR("out", &out, "FILE.csv", "write the prepared table here"),
        CLI_PREP_OPTS(&steps),
        CLI_OPT_FLAG("header", &header, "the CSV file's first row is a header (default: detect)"),
        CLI_OPT_FLAG("no-header", &no_header, "the CSV file has no header row"),
    };
    const cli_command c = {.name = "prep", .usage = usage, .about = about, .opts = opts,
                           .n_opts = (int)(sizeof opts / sizeof *opts), .min_pos = 1, .max_pos = 1,
                           .pos_name = "FILE.csv", .notes = notes, .example = example};
    const char *pos[1];
    int n_pos;
    int rc = cli_parse(&c, argc, argv, pos, &n_pos);
    if (rc != CLI_RUN) return rc;
    if ((rc = cli_check_header("prep", header, no_header)) != CLI_RUN) return rc;
    if (!steps.n) return cli_usage("prep", "prep: give at least one step (--fill, --bins, --onehot, ...)");
    nr_prep *prep = NULL;
    nr_csv *csv = NULL;
    nr_csv_opts o = {.header = header ? 1 : no_header ? -1 : 0};
    nr_status s = cli_prep_build(&steps, &prep);
    if (s == NR_OK) s = nr_csv_read(pos[0], &o, &csv);
    if (s == NR_OK) s = cli_prep_csv(prep, NULL, NULL, &csv, stdout);
    nr_frame *f = NULL;
    if (s == NR_OK && out) s = nr_frame_from_csv(csv, &f);
    if (s == NR_OK && out) s = nr_frame_save_csv(f, out);
    if (s == NR_OK)
        printf(out ? "Wrote %lld rows x %d columns to %s\n" : "%lld rows x %d columns (no --out: nothing written)%s\n",
               (long long)nr_csv_num_rows(csv), nr_csv_num_cols(csv), out ? out : "");
    nr_frame_free(f);
    nr_csv_free(csv);
    nr_prep_free(prep);
    return s == NR_OK ? CLI_EXIT_OK : cli_fail(s);
}
