/* CSV reader and CSV -> tensor conversion: quoting, header detection,
 * missing values, targets, and every malformed-input error with the line
 * and column it must name. */
#include "data/data_test.h"

static nr_csv *read_text(const char *text, const nr_csv_opts *opts) {
    nr_csv *csv = NULL;
    CHECK_OK(nr_csv_read(tmp_text(text), opts, &csv));
    return csv;
}

static int text_is(const nr_csv *csv, int64_t r, int c, const char *want) {
    const char *t = nr_csv_text(csv, r, c);
    if (t && strcmp(t, want) == 0) return 1;
    fprintf(stderr, "  cell (%lld, %d) = \"%s\", want \"%s\"\n", (long long)r, c, t ? t : "(null)", want);
    return 0;
}

static void test_basic(void) {
    nr_csv *csv = read_text("a,b,c\n1,2.5,x\n-3,.5e1,y\n", NULL);
    if (!csv) return;
    CHECK(nr_csv_has_header(csv));
    CHECK(nr_csv_num_rows(csv) == 2 && nr_csv_num_cols(csv) == 3);
    CHECK(strcmp(nr_csv_col_name(csv, 1), "b") == 0 && nr_csv_col_find(csv, "c") == 2);
    CHECK(nr_csv_col_find(csv, "zz") == -1);
    CHECK(nr_csv_col_type(csv, 0) == NR_CSV_TYPE_NUMERIC && nr_csv_col_type(csv, 2) == NR_CSV_TYPE_TEXT);
    CHECK(nr_csv_value(csv, 0, 1) == 2.5 && nr_csv_value(csv, 1, 0) == -3 && nr_csv_value(csv, 1, 1) == 5);
    CHECK(isnan(nr_csv_value(csv, 0, 2)) && nr_csv_text(csv, 0, 0) == NULL);
    CHECK(text_is(csv, 1, 2, "y"));
    CHECK(nr_csv_row_line(csv, 0) == 2 && nr_csv_row_line(csv, 1) == 3);
    CHECK(nr_csv_col_name(csv, 3) == NULL && isnan(nr_csv_value(csv, 2, 0)));
    nr_csv_free(csv);
}

static void test_quoting(void) {
    const char *text =
        "name,\"note, with comma\",n\r\n"
        "\"he said \"\"hi\"\"\",\"two\nlines\",1\r\n"
        "  plain  ,\"  kept  \",\"2\"\r\n"
        "\"\",\"\"\"\",3";
    nr_csv *csv = read_text(text, NULL);
    if (!csv) return;
    CHECK(nr_csv_num_rows(csv) == 3 && nr_csv_num_cols(csv) == 3);
    CHECK(strcmp(nr_csv_col_name(csv, 1), "note, with comma") == 0);
    CHECK(text_is(csv, 0, 0, "he said \"hi\""));
    CHECK(text_is(csv, 0, 1, "two\nlines"));
    CHECK(text_is(csv, 1, 0, "plain"));
    CHECK(text_is(csv, 1, 1, "  kept  "));
    CHECK(text_is(csv, 2, 1, "\""));
    CHECK(nr_csv_col_type(csv, 2) == NR_CSV_TYPE_NUMERIC && nr_csv_value(csv, 1, 2) == 2);
    /* the quoted line break makes row 1 start on line 4 */
    CHECK(nr_csv_row_line(csv, 1) == 4 && nr_csv_row_line(csv, 2) == 5);
    CHECK(nr_csv_col_missing(csv, 0) == 1);
    nr_csv_free(csv);
}

static void test_header_detection(void) {
    nr_csv *csv = read_text("1,2\n3,4\n", NULL);   /* all numbers: no header */
    if (csv) {
        CHECK(!nr_csv_has_header(csv) && nr_csv_num_rows(csv) == 2);
        CHECK(strcmp(nr_csv_col_name(csv, 0), "0") == 0 && strcmp(nr_csv_col_name(csv, 1), "1") == 0);
        nr_csv_free(csv);
    }
    csv = read_text("a,b\nfoo,1\nbar,baz\n", NULL);   /* rule (b): no column is numeric below */
    if (csv) {
        CHECK(nr_csv_has_header(csv) && nr_csv_num_rows(csv) == 2);
        nr_csv_free(csv);
    }
    csv = read_text("foo,bar\nbaz,qux\n", NULL);   /* no numbers anywhere: data */
    if (csv) {
        CHECK(!nr_csv_has_header(csv) && nr_csv_num_rows(csv) == 2);
        nr_csv_free(csv);
    }
    csv = read_text("NA,1\n2,3\n", NULL);   /* a missing token is not a name */
    if (csv) {
        CHECK(!nr_csv_has_header(csv) && nr_csv_col_missing(csv, 0) == 1);
        nr_csv_free(csv);
    }
    csv = read_text(",x,y\n0,1,2\n1,3,4\n", NULL);   /* pandas index column */
    if (csv) {
        CHECK(nr_csv_has_header(csv) && strcmp(nr_csv_col_name(csv, 0), "") == 0);
        nr_csv_free(csv);
    }
    csv = read_text("10,20\n1,2\n", &(nr_csv_opts){.header = 1});
    if (csv) {
        CHECK(nr_csv_has_header(csv) && nr_csv_num_rows(csv) == 1);
        CHECK(strcmp(nr_csv_col_name(csv, 1), "20") == 0);
        nr_csv_free(csv);
    }
    csv = read_text("a,b\n1,2\n", &(nr_csv_opts){.header = -1});
    if (csv) {
        CHECK(!nr_csv_has_header(csv) && nr_csv_num_rows(csv) == 2);
        CHECK(nr_csv_col_type(csv, 0) == NR_CSV_TYPE_TEXT && text_is(csv, 1, 1, "2"));
        nr_csv_free(csv);
    }
    csv = read_text("5,6\n", NULL);   /* one row: data */
    if (csv) {
        CHECK(!nr_csv_has_header(csv) && nr_csv_num_rows(csv) == 1);
        nr_csv_free(csv);
    }
}

static void test_missing(void) {
    nr_csv *csv = read_text("a,b,t\n1,NA,x\n,2,NA\n?,null,y\nN/A,nan,z\n3,4,n/a\n7,8,w\n", NULL);
    if (!csv) return;
    CHECK(nr_csv_has_header(csv));
    CHECK(nr_csv_col_missing(csv, 0) == 3 && nr_csv_col_missing(csv, 1) == 3 && nr_csv_col_missing(csv, 2) == 2);
    CHECK(nr_csv_col_type(csv, 0) == NR_CSV_TYPE_NUMERIC && nr_csv_col_type(csv, 2) == NR_CSV_TYPE_TEXT);
    CHECK(isnan(nr_csv_value(csv, 1, 0)) && nr_csv_is_missing(csv, 1, 0) && !nr_csv_is_missing(csv, 0, 0));
    CHECK(nr_csv_is_missing(csv, 1, 2) && text_is(csv, 1, 2, "NA") && !nr_csv_is_missing(csv, 0, 2));
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    nr_csv_print_summary(csv, f);
    fclose(f);
    CHECK(strstr(buf, "6 rows x 3 columns") && strstr(buf, "3 missing"));
    free(buf);

    nr_tensor *x = NULL, *y = NULL;
    CHECK_ERR(nr_csv_to_xy(csv, "t", NULL, &x, &y, NULL), NR_STATUS_PARSE, "8 missing values", ":2:", "'b'");
    CHECK(x == NULL && y == NULL);
    nr_labels *lab = NULL;
    if (CHECK_OK(nr_csv_to_xy(csv, "t", &(nr_csv_xy_opts){.missing = NR_CSV_MISSING_DROP}, &x, &y, &lab))) {
        CHECK(x->shape[0] == 1 && x->shape[1] == 2 && x->data[0] == 7 && x->data[1] == 8);
        CHECK(y->ndim == 1 && y->data[0] == 0 && nr_labels_count(lab) == 1);
    }
    nr_tensor_free(x);
    nr_tensor_free(y);
    nr_labels_free(lab);
    CHECK_ERR(nr_csv_to_x(csv, "t", &x), NR_STATUS_PARSE, "6 missing values");
    nr_csv_free(csv);
}

static void test_text_target(void) {
    nr_csv *csv = read_text("f1,f2,species\n1,2,versicolor\n3,4,setosa\n5,6,versicolor\n7,8,virginica\n", NULL);
    if (!csv) return;
    const char *targets[] = {"species", "2", "-1"};
    for (int i = 0; i < 3; i++) {
        nr_tensor *x = NULL, *y = NULL;
        nr_labels *lab = NULL;
        if (!CHECK_OK(nr_csv_to_xy(csv, targets[i], NULL, &x, &y, &lab))) continue;
        CHECK(x->ndim == 2 && x->shape[0] == 4 && x->shape[1] == 2 && x->data[6] == 7 && x->data[7] == 8);
        CHECK(y->ndim == 1 && y->shape[0] == 4);
        CHECK(y->data[0] == 1 && y->data[1] == 0 && y->data[2] == 1 && y->data[3] == 2);
        CHECK(nr_labels_count(lab) == 3 && strcmp(nr_labels_name(lab, 0), "setosa") == 0);
        CHECK(nr_labels_lookup(lab, "virginica") == 2 && nr_labels_lookup(lab, "rose") == -1);
        CHECK(nr_labels_name(lab, 3) == NULL);
        nr_tensor_free(x);
        nr_tensor_free(y);
        nr_labels_free(lab);
    }
    nr_tensor *x = NULL, *y = NULL;
    CHECK_ERR(nr_csv_to_xy(csv, "species", &(nr_csv_xy_opts){.classification = -1}, &x, &y, NULL),
              NR_STATUS_BAD_ARGUMENT, "'species'", "regression");
    /* f1 as target leaves the text column among the features */
    CHECK_ERR(nr_csv_to_xy(csv, "-3", NULL, &x, &y, NULL), NR_STATUS_PARSE, ":2:", "'species'", "'versicolor'");
    CHECK_OK(nr_csv_to_x(csv, "species", &x));
    CHECK(x && x->shape[0] == 4 && x->shape[1] == 2);
    nr_tensor_free(x);
    CHECK_ERR(nr_csv_to_x(csv, NULL, &x), NR_STATUS_PARSE, "'species'");
    nr_csv_free(csv);
}

static void test_numeric_target(void) {
    nr_csv *csv = read_text("a,b,y\n1,2,0\n3,4,2\n5,6,1\n7,8,2\n", NULL);
    if (!csv) return;
    nr_tensor *x = NULL, *y = NULL;
    nr_labels *lab = NULL;
    if (CHECK_OK(nr_csv_to_xy(csv, "y", NULL, &x, &y, &lab))) {
        CHECK(y->ndim == 2 && y->shape[0] == 4 && y->shape[1] == 1 && y->data[1] == 2 && lab == NULL);
    }
    nr_tensor_free(x);
    nr_tensor_free(y);
    if (CHECK_OK(nr_csv_to_xy(csv, "y", &(nr_csv_xy_opts){.classification = 1}, &x, &y, &lab))) {
        CHECK(y->ndim == 1 && y->data[0] == 0 && y->data[1] == 2 && y->data[2] == 1);
        CHECK(nr_labels_count(lab) == 3 && strcmp(nr_labels_name(lab, 2), "2") == 0);
    }
    nr_tensor_free(x);
    nr_tensor_free(y);
    nr_labels_free(lab);
    /* index 0 as target: features b and y */
    if (CHECK_OK(nr_csv_to_xy(csv, "0", NULL, &x, &y, NULL))) {
        CHECK(x->shape[1] == 2 && x->data[0] == 2 && x->data[1] == 0 && y->data[3] == 7);
    }
    nr_tensor_free(x);
    nr_tensor_free(y);
    CHECK_ERR(nr_csv_to_xy(csv, "nope", NULL, &x, &y, NULL), NR_STATUS_BAD_ARGUMENT, "'nope'", "'a', 'b', 'y'");
    CHECK_ERR(nr_csv_to_xy(csv, "3", NULL, &x, &y, NULL), NR_STATUS_BAD_ARGUMENT, "3", "3 columns");
    CHECK_ERR(nr_csv_to_xy(csv, "-4", NULL, &x, &y, NULL), NR_STATUS_BAD_ARGUMENT, "out of range");
    CHECK(x == NULL && y == NULL);
    nr_csv_free(csv);

    csv = read_text("a,y\n1,0.5\n2,-1\n3,0.5\n4,2\n", NULL);   /* not small integers: remapped */
    if (!csv) return;
    if (CHECK_OK(nr_csv_to_xy(csv, "y", &(nr_csv_xy_opts){.classification = 1}, &x, &y, &lab))) {
        CHECK(y->data[0] == 1 && y->data[1] == 0 && y->data[2] == 1 && y->data[3] == 2);
        CHECK(nr_labels_count(lab) == 3 && strcmp(nr_labels_name(lab, 0), "-1") == 0);
        CHECK(strcmp(nr_labels_name(lab, 1), "0.5") == 0);
    }
    nr_tensor_free(x);
    nr_tensor_free(y);
    nr_labels_free(lab);
    nr_csv_free(csv);
}

static void test_malformed(void) {
    nr_csv *csv = NULL;
    const char *p = tmp_text("a,b,c\n1,2,3\n4,5\n");
    CHECK_ERR(nr_csv_read(p, NULL, &csv), NR_STATUS_PARSE, p, ":3:4:", "expected 3 fields", "found 2");
    CHECK(csv == NULL);
    CHECK_ERR(nr_csv_read(tmp_text("a,b,c\n1,2,3\n\n4,5,6,7,8\n"), NULL, &csv), NR_STATUS_PARSE, ":4:7:",
              "found 5");
    CHECK_ERR(nr_csv_read(tmp_text("a,b\n1,\"abc\n2,3\n"), NULL, &csv), NR_STATUS_PARSE, ":2:3:", "unterminated");
    CHECK_ERR(nr_csv_read(tmp_text("a,b\n1,\"abc\"x\n"), NULL, &csv), NR_STATUS_PARSE, ":2:8:", "closing quote");
    CHECK_ERR(nr_csv_read(tmp_text(""), NULL, &csv), NR_STATUS_PARSE, "empty file");
    CHECK_ERR(nr_csv_read(tmp_text("\n \n\r\n"), NULL, &csv), NR_STATUS_PARSE, "empty file");
    CHECK_ERR(nr_csv_read(tmp_text("a,b\n"), &(nr_csv_opts){.header = 1}, &csv), NR_STATUS_PARSE, "no data rows");
    CHECK_ERR(nr_csv_read(tmp_file(".csv", "a,b\n1,\0\n", 8), NULL, &csv), NR_STATUS_PARSE, ":2:3:", "NUL");
    CHECK_ERR(nr_csv_read("/nonexistent/x.csv", NULL, &csv), NR_STATUS_IO, "/nonexistent/x.csv");
    CHECK_ERR(nr_csv_read(p, &(nr_csv_opts){.delimiter = '"'}, &csv), NR_STATUS_BAD_ARGUMENT, "delimiter");

    csv = read_text("a,b,y\n1,2,0\n3,oops,1\n", NULL);
    if (csv) {
        nr_tensor *x = NULL, *y = NULL;
        CHECK_ERR(nr_csv_to_xy(csv, "y", NULL, &x, &y, NULL), NR_STATUS_PARSE, ":3:", "'b'", "'oops'");
        nr_csv_free(csv);
    }
}

/* A 1 MiB field, quoted with an escaped quote inside, and unquoted. */
static void test_big_field(void) {
    size_t big = 1 << 20;
    char *text = malloc(2 * big + 64);
    size_t k = (size_t)sprintf(text, "a,b\n\"");
    memset(text + k, 'x', big);
    k += big;
    memcpy(text + k, "\"\"\",1\n", 6);
    k += 6;
    memset(text + k, 'y', big);
    k += big;
    memcpy(text + k, ",2\n", 4);
    k += 3;
    nr_csv *csv = NULL;
    if (CHECK_OK(nr_csv_read(tmp_file(".csv", text, k), NULL, &csv))) {
        const char *t0 = nr_csv_text(csv, 0, 0), *t1 = nr_csv_text(csv, 1, 0);
        CHECK(t0 && strlen(t0) == big + 1 && t0[big] == '"' && t0[big - 1] == 'x');
        CHECK(t1 && strlen(t1) == big && t1[0] == 'y');
        CHECK(nr_csv_row_line(csv, 1) == 3 && nr_csv_value(csv, 1, 1) == 2);
    }
    nr_csv_free(csv);
    free(text);
}

static void test_dialects(void) {
    nr_csv *csv = read_text("\xEF\xBB\xBFx;y\n1,5;2\n", &(nr_csv_opts){.delimiter = ';'});
    if (csv) {
        CHECK(strcmp(nr_csv_col_name(csv, 0), "x") == 0 && text_is(csv, 0, 0, "1,5"));
        nr_csv_free(csv);
    }
    csv = read_text("x\ty\n1\t 2\n\"a\tb\"\t3\n", &(nr_csv_opts){.delimiter = '\t'});
    if (csv) {
        CHECK(nr_csv_num_rows(csv) == 2 && text_is(csv, 1, 0, "a\tb") && nr_csv_value(csv, 0, 1) == 2);
        nr_csv_free(csv);
    }
    csv = read_text("a,b\r1,2\r3,4", NULL);   /* old Mac line ends, no final newline */
    if (csv) {
        CHECK(nr_csv_num_rows(csv) == 2 && nr_csv_value(csv, 1, 1) == 4 && nr_csv_row_line(csv, 1) == 3);
        nr_csv_free(csv);
    }
    const char *plain = "a,b\n1,2\n3,4\n";
    if (CHECK_OK(nr_csv_read(tmp_gz(".csv.gz", plain, strlen(plain)), NULL, &csv))) {
        CHECK(nr_csv_num_rows(csv) == 2 && nr_csv_value(csv, 1, 0) == 3);
        nr_csv_free(csv);
    }
    /* a gzip file cut short must fail, not read as a shorter table */
    const char *gz = tmp_gz(".csv.gz", plain, strlen(plain));
    size_t len = 0;
    char *bytes = nr_test_read_file(gz, &len);
    write_bytes(gz, bytes, len - 6);
    free(bytes);
    CHECK_ERR(nr_csv_read(gz, NULL, &csv), NR_STATUS_IO, "truncated");
}

/* Allocation N fails: every call returns OK or NO_MEMORY, never leaks. */
static void test_out_of_memory(void) {
    const char *p = tmp_text("a,\"b\"\"q\",t\n1,2,x\n3,NA,y\n5,6,x\n");
    int saw_ok = 0, bad = 0;
    for (long n = 0; n < 200 && !saw_ok; n++) {
        nr_csv *csv = NULL;
        nr_tensor *x = NULL, *y = NULL;
        nr_labels *lab = NULL;
        fail_allocs_from(n);
        nr_status s = nr_csv_read(p, NULL, &csv);
        if (s == NR_OK) s = nr_csv_to_xy(csv, "t", &(nr_csv_xy_opts){.missing = NR_CSV_MISSING_DROP}, &x, &y, &lab);
        fail_allocs_from(-1);
        if (s == NR_OK) saw_ok = 1;
        else if (s != NR_STATUS_NO_MEMORY) bad++, fprintf(stderr, "  n=%ld: %s\n", n, nr_last_error());
        nr_csv_free(csv);
        nr_tensor_free(x);
        nr_tensor_free(y);
        nr_labels_free(lab);
    }
    CHECK(saw_ok && bad == 0);
}

static void test_labels(void) {
    nr_labels *lab = NULL;
    const char *names[] = {"cat", "dog", "bird"};
    if (CHECK_OK(nr_labels_new(names, 3, &lab))) {
        CHECK(nr_labels_count(lab) == 3 && nr_labels_lookup(lab, "bird") == 2);
        CHECK(strcmp(nr_labels_name(lab, 1), "dog") == 0 && nr_labels_name(lab, 1) != names[1]);
    }
    nr_labels_free(lab);
    const char *dup[] = {"a", "b", "a"};
    CHECK_ERR(nr_labels_new(dup, 3, &lab), NR_STATUS_BAD_ARGUMENT, "'a'", "twice");
    CHECK_ERR(nr_labels_new(names, 0, &lab), NR_STATUS_BAD_ARGUMENT, "at least one");
    CHECK(lab == NULL);
}

int main(void) {
    test_basic();
    test_quoting();
    test_header_detection();
    test_missing();
    test_text_target();
    test_numeric_target();
    test_malformed();
    test_big_field();
    test_dialects();
    test_out_of_memory();
    test_labels();
    return nr_test_finish();
}
