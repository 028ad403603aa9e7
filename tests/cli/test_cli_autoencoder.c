/* The CLI's autoencoders on the bundled 8x8 digits, written here as
 * MNIST-style IDX files (1,200 training and 597 test images): train
 * --autoencoder learns and saves the encoder beside it; --noise reaches
 * the inputs only (a model that passes its input through shows the
 * noise as its loss, the same in train and reconstruct), once or fresh
 * every epoch; reconstruct draws a grid of the right size; anomaly finds
 * anomalies planted off the plane of a generated table and does well on
 * a digit class; and the usage errors. */
#include <stdint.h>
#include <sys/stat.h>
#include "test_cli_run.h"

#define AE_FIXTURE(name) SRC_PATH("tests/fixtures/autoencoder/" name)

static void put_u32(FILE *f, uint32_t v) {
    unsigned char b[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16), (unsigned char)(v >> 8),
                          (unsigned char)v};
    fwrite(b, 1, 4, f);
}

/* Rows [from, to) of the digits as IDX images (pixel x 16) and labels. */
static int write_idx(const char *stem, const nr_tensor *x, const nr_tensor *y, int64_t from, int64_t to) {
    char path[600];
    snprintf(path, sizeof path, "%s/%s-images-idx3-ubyte", tmp_path("digits"), stem);
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    put_u32(f, 2051), put_u32(f, (uint32_t)(to - from)), put_u32(f, 8), put_u32(f, 8);
    for (int64_t i = from * 64; i < to * 64; i++) fputc(x->data[i] * 16 > 255 ? 255 : (int)(x->data[i] * 16), f);
    fclose(f);
    snprintf(path, sizeof path, "%s/%s-labels-idx1-ubyte", tmp_path("digits"), stem);
    if (!(f = fopen(path, "wb"))) return 0;
    put_u32(f, 2049), put_u32(f, (uint32_t)(to - from));
    for (int64_t i = from; i < to; i++) fputc((int)y->data[i], f);
    fclose(f);
    return 1;
}

static void write_digits(void) {
    nr_csv *csv;
    nr_tensor *x = NULL, *y = NULL;
    nr_labels *labels = NULL;
    mkdir(tmp_path("digits"), 0755);
    if (CHECK_OK(nr_csv_read(SRC_PATH("data/digits.csv.gz"), NULL, &csv)) &&
        CHECK_OK(nr_csv_to_xy(csv, "-1", &(nr_csv_xy_opts){.classification = -1}, &x, &y, &labels)))
        CHECK(write_idx("train", x, y, 0, 1200) && write_idx("t10k", x, y, 1200, 1797));
    nr_tensor_free(x);
    nr_tensor_free(y);
    nr_labels_free(labels);
    nr_csv_free(csv);
}

/* 2,000 rows of 8 features: normal rows lie near a plane (A z, z in
 * [-1, 1]^2, noise 0.02), every 20th row is an anomaly drawn anywhere
 * in [-1.5, 1.5]^8; the column "kind" says which. */
static void write_table(void) {
    FILE *f = fopen(tmp_path("table.csv"), "w");
    if (!CHECK(f != NULL)) return;
    static const double a[8][2] = {{1, 0}, {0, 1}, {0.5, 0.5}, {-0.7, 0.3}, {0.2, -0.9}, {0.8, 0.8}, {-0.4, -0.6},
                                   {0.6, -0.2}};
    uint64_t s = 12345;
    fputs("f0,f1,f2,f3,f4,f5,f6,f7,kind\n", f);
    for (int r = 0; r < 2000; r++) {
        double u[10];
        for (int k = 0; k < 10; k++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            u[k] = (double)(s >> 11) / 9007199254740992.0 * 2 - 1;
        }
        int anomaly = r % 20 == 19;
        for (int j = 0; j < 8; j++) {
            double v = anomaly ? 1.5 * u[j] : a[j][0] * u[0] + a[j][1] * u[1] + 0.02 * u[2 + j];
            fprintf(f, "%.5f,", v);
        }
        fputs(anomaly ? "anomaly\n" : "normal\n", f);
    }
    fclose(f);
}

static void test_train(void) {
    cli_result r = cli_run("train '%s' --data '%s' --autoencoder --epochs 40 --out '%s' --save-model encoder='%s' "
                           "--history '%s'", AE_FIXTURE("digits_ae.nr"), tmp_path("digits"), tmp_path("ae.nrm"),
                           tmp_path("enc.nrm"), tmp_path("h.csv"));
    double loss = test_metric(r.out, "loss");
    CHECK(r.rc == 0 && loss > 0 && loss < 0.03 && strstr(r.out, "Autoencoder: the targets are the inputs\n") &&
          strstr(r.out, "Saved model encoder to "));
    if (r.rc) fprintf(stderr, "  stderr:\n%s\n", r.err);
    cli_result_free(&r);
    r = cli_run("summary '%s'", tmp_path("enc.nrm"));
    CHECK(r.rc == 0 && strstr(r.out, "(None, 12)") && strstr(r.out, "Total params: 780"));
    cli_result_free(&r);
    r = cli_run("reconstruct '%s' --data '%s' --out '%s' --count 6", tmp_path("ae.nrm"), tmp_path("digits"),
                tmp_path("rec.png"));
    CHECK(r.rc == 0 && fabs(test_metric(r.out, "loss") - loss) < 1e-4 && strstr(r.out, "Rows: inputs, reconstructions"));
    cli_result_free(&r);
    nr_tensor *png = NULL;
    /* 6 columns, 2 rows of 8x8 tiles zoomed 4 times, 2 pixels of padding between and around */
    if (CHECK_OK(nr_image_load(tmp_path("rec.png"), NULL, &png)))
        CHECK(png->shape[0] == 2 * 32 + 3 * 2 && png->shape[1] == 6 * 32 + 7 * 2);
    nr_tensor_free(png);
}

/* The loss of a model that passes its input through. */
static double identity_loss(const char *extra, const char *history) {
    cli_result r = cli_run("train '%s' --data '%s' --verbose 0 --epochs 2 --out '%s' --history '%s' %s",
                           AE_FIXTURE("identity.nr"), tmp_path("digits"), tmp_path("id.nrm"), tmp_path(history), extra);
    double loss = r.rc == 0 ? test_metric(r.out, "loss") : -1;
    if (r.rc) fprintf(stderr, "  stderr:\n%s\n", r.err);
    cli_result_free(&r);
    return loss;
}

/* The two epochs' training losses of a History CSV. */
static int epoch_losses(const char *name, double *l) {
    char *text = nr_test_read_file(tmp_path(name), NULL);
    const char *line2 = text ? strchr(text, '\n') : NULL, *line3 = line2 ? strchr(line2 + 1, '\n') : NULL;
    int ok = line3 && sscanf(strchr(line2, ',') + 1, "%lf", &l[0]) == 1 && sscanf(strchr(line3, ',') + 1, "%lf", &l[1]) == 1;
    free(text);
    return ok;
}

static void test_noise(void) {
    CHECK(identity_loss("--autoencoder", "h0.csv") == 0);   /* clean inputs are their own targets */
    double noisy = identity_loss("--noise 0.5", "h1.csv");
    /* E[(clip(x + 0.5 z, 0, 1) - x)^2] over the digits' pixels: inputs noisy, targets clean */
    CHECK(noisy > 0.08 && noisy < 0.16);
    cli_result r = cli_run("reconstruct '%s' --data '%s' --noise 0.5", tmp_path("id.nrm"), tmp_path("digits"));
    CHECK(r.rc == 0 && fabs(test_metric(r.out, "loss") - noisy) < 1e-4 && strstr(r.out, "from noisy inputs"));
    cli_result_free(&r);
    r = cli_run("reconstruct '%s' --data '%s' --noise 0.5 --seed 7", tmp_path("id.nrm"), tmp_path("digits"));
    CHECK(r.rc == 0 && test_metric(r.out, "loss") != noisy && fabs(test_metric(r.out, "loss") - noisy) < 0.01);
    cli_result_free(&r);
    double once[2], fresh[2];
    CHECK(identity_loss("--noise 0.5 --fresh-noise", "h2.csv") == noisy);
    CHECK(epoch_losses("h1.csv", once) && fabs(once[0] - once[1]) < 1e-6);   /* drawn once: the same noise both epochs */
    CHECK(epoch_losses("h2.csv", fresh) && fresh[0] == once[0] && fabs(fresh[1] - fresh[0]) > 1e-5);
    printf("identity model under noise: epoch losses %.8f %.8f once, %.8f %.8f fresh\n", once[0], once[1], fresh[0],
           fresh[1]);
    r = cli_run("reconstruct '%s' --data '%s' --noise 0.5 --out '%s' --count 3", tmp_path("id.nrm"), tmp_path("digits"),
                tmp_path("noisy.png"));
    nr_tensor *png = NULL;
    CHECK(r.rc == 0 && strstr(r.out, "Rows: inputs, noisy inputs, reconstructions"));
    if (CHECK_OK(nr_image_load(tmp_path("noisy.png"), NULL, &png)))
        CHECK(png->shape[0] == 3 * 32 + 4 * 2 && png->shape[1] == 3 * 32 + 4 * 2);
    nr_tensor_free(png);
    cli_result_free(&r);
}

static void test_anomaly_table(void) {
    cli_result r = cli_run("anomaly '%s' --data '%s' --target kind --anomaly-class anomaly --test-split 0.5 --rate 0.02 "
                           "--verbose 0 --pr-curve '%s' --histogram '%s' --scores '%s'", AE_FIXTURE("tabular_ae.nr"),
                           tmp_path("table.csv"), tmp_path("pr.png"), tmp_path("hist.svg"), tmp_path("scores.csv"));
    double f1 = test_metric(r.out, "f1");
    printf("planted anomalies: %s", r.out);
    CHECK(r.rc == 0 && f1 >= 0.9 && test_metric(r.out, "pr_auc") >= 0.9);
    CHECK(strstr(r.out, "Anomalies: class anomaly; 950 normal training rows; validation 485 rows, 10 anomalies") != NULL);
    if (r.rc) fprintf(stderr, "  stderr:\n%s\n", r.err);
    cli_result_free(&r);
    char *csv = nr_test_read_file(tmp_path("scores.csv"), NULL);
    CHECK(csv && starts_with(csv, "set,error,anomaly,flagged\nvalidation,") && count_lines(csv) == 1 + 485 + 485);
    free(csv);
    struct stat st;
    CHECK(stat(tmp_path("pr.png"), &st) == 0 && st.st_size > 1000 && stat(tmp_path("hist.svg"), &st) == 0);
    /* the percentile rule flags about 1% of normal rows, whatever the anomalies */
    r = cli_run("anomaly '%s' --data '%s' --target kind --anomaly-class anomaly --test-split 0.5 --rate 0.02 "
                "--verbose 0 --threshold percentile:99", AE_FIXTURE("tabular_ae.nr"), tmp_path("table.csv"));
    CHECK(r.rc == 0 && strstr(r.out, "the 99th percentile of the normal validation rows' errors") &&
          test_metric(r.out, "recall") >= 0.9);
    cli_result_free(&r);
}

static void test_anomaly_digits(void) {
    cli_result r = cli_run("anomaly '%s' --data '%s' --anomaly-class 0 --rate 0.05 --verbose 0 --out '%s'",
                           AE_FIXTURE("digits_ae.nr"), tmp_path("digits"), tmp_path("zero.nrm"));
    printf("digit 0 as anomaly: %s", r.out);
    CHECK(r.rc == 0 && test_metric(r.out, "roc_auc") >= 0.85 && test_metric(r.out, "pr_auc") >= 0.3);
    cli_result_free(&r);
    /* the trained model again, with a fixed threshold: the same split, the same errors */
    r = cli_run("anomaly '%s' --data '%s' --anomaly-class 0 --rate 0.05 --threshold meanstd:2", tmp_path("zero.nrm"),
                tmp_path("digits"));
    CHECK(r.rc == 0 && test_metric(r.out, "roc_auc") >= 0.85 && strstr(r.out, "mean + 2 standard deviations"));
    cli_result_free(&r);
}

static void test_errors(void) {
    const char *ae = AE_FIXTURE("digits_ae.nr"), *digits = tmp_path("digits");
    expect(2, "--fresh-noise goes with --noise", "train '%s' --data '%s' --fresh-noise", ae, digits);
    expect(2, "--noise: expected a standard deviation > 0", "train '%s' --data '%s' --noise -1", ae, digits);
    expect(2, "--autoencoder and --noise are for --data", "train '%s' --series x.csv --autoencoder", ae);
    expect(1, "a loss for classes", "train '%s' --data '%s' --autoencoder", FIXTURE("tiny_cnn.nr"), digits);
    expect(1, "no model named 'decoder'", "train '%s' --data '%s' --autoencoder --model decoder", ae, digits);
    expect(1, "never calls compile() on model \"encoder\"", "train '%s' --data '%s' --autoencoder --model encoder", ae,
           digits);
    expect(1, "--save-model: expected NAME=FILE", "train '%s' --data '%s' --autoencoder --epochs 1 --verbose 0 "
           "--out '%s' --save-model encoder", ae, digits, tmp_path("x.nrm"));
    expect(1, "outputs (None, 1) but takes (None, 3)", "train '%s' --data '%s' --target y "
           "--autoencoder", FIXTURE("regression.nr"), FIXTURE("regression.csv"));
    expect(2, "missing --data", "reconstruct '%s'", tmp_path("ae.nrm"));
    expect(2, "missing --anomaly-class", "anomaly '%s' --data '%s'", ae, digits);
    expect(2, "--threshold: expected f1, percentile[:P]", "anomaly '%s' --data '%s' --anomaly-class 0 --threshold p99",
           ae, digits);
    expect(2, "--rate: expected a fraction in (0, 0.5]", "anomaly '%s' --data '%s' --anomaly-class 0 --rate 0.7", ae,
           digits);
    expect(1, "holds no row of class 12", "anomaly '%s' --data '%s' --anomaly-class 12 --verbose 0", ae, digits);
    expect(1, "no class 'outlier'; the classes are anomaly, normal", "anomaly '%s' --data '%s' --target kind "
           "--anomaly-class outlier --test-split 0.5", AE_FIXTURE("tabular_ae.nr"), tmp_path("table.csv"));
    expect(1, "holds no test set: give --test FILE or --test-split F", "anomaly '%s' --data '%s' --target kind "
           "--anomaly-class anomaly", AE_FIXTURE("tabular_ae.nr"), tmp_path("table.csv"));
}

int main(void) {
    cli_setup();
    write_digits();
    write_table();
    test_train();
    test_noise();
    test_anomaly_table();
    test_anomaly_digits();
    test_errors();
    cli_cleanup();
    return nr_test_finish();
}
