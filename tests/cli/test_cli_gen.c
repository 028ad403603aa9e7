/* neurona gan and neurona vae on a tiny IDX folder: what they print and
 * write (step losses, sample grids, history, latent plot, decoded grids,
 * model files that load again, the VAE's added loss included), and their
 * errors. */
#include <sys/stat.h>
#include "cli/test_cli_run.h"

/* The four MNIST-style files of n 4x4 images: a bright top (class 0) or
 * bottom half, the same images for training and testing. */
static void write_mnist_like(const char *dir, int n) {
    char images[600], labels[600];
    mkdir(dir, 0755);
    const char *stems[2] = {"train", "t10k"};
    for (int k = 0; k < 2; k++) {
        snprintf(images, sizeof images, "%s/%s-images-idx3-ubyte", dir, stems[k]);
        snprintf(labels, sizeof labels, "%s/%s-labels-idx1-ubyte", dir, stems[k]);
        cli_write_tiny_set(images, labels, n, 7);
    }
}

static int exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && st.st_size > 0;
}

static int lines(const char *path) {
    char *t = nr_test_read_file(path, NULL);
    int n = 0;
    for (char *p = t; p && *p; p++) n += *p == '\n';
    free(t);
    return n;
}

static void test_gan(void) {
    cli_result r = cli_run("gan '%s' --data '%s' --out '%s' --sample-every 2 --samples 9", FIXTURE("tiny_gan.nr"),
                           tmp_path("idx"), tmp_path("gan"));
    CHECK(r.rc == 0);
    CHECK(strstr(r.out, "Model: \"combined\"") && strstr(r.out, "Trainable params: 384"));
    CHECK(strstr(r.out, "Epoch 2/2 - ") && strstr(r.out, "d_accuracy: ") && strstr(r.out, "g_loss: "));
    if (r.rc) fprintf(stderr, "%s\n%s\n", r.out, r.err);
    cli_result_free(&r);
    CHECK(lines(tmp_path("gan/losses.csv")) == 1 + 2 * 4);   /* 64 images in batches of 16, 2 epochs */
    CHECK(!exists(tmp_path("gan/samples_epoch_001.png")) && exists(tmp_path("gan/samples_epoch_002.png")));
    r = cli_run("summary '%s'", tmp_path("gan/generator.nrm"));
    CHECK(r.rc == 0 && strstr(r.out, "Total params: 416"));
    cli_result_free(&r);
}

static void test_vae(void) {
    cli_result r = cli_run("vae '%s' --data '%s' --out '%s' --epochs 3 --batch-size 16 --grid 5",
                           FIXTURE("tiny_vae.nr"), tmp_path("idx"), tmp_path("vae"));
    CHECK(r.rc == 0);
    CHECK(strstr(r.out, "Model: \"vae\"") && strstr(r.out, "reconstruction_loss: ") && strstr(r.out, "kl_loss: "));
    if (r.rc) fprintf(stderr, "%s\n%s\n", r.out, r.err);
    cli_result_free(&r);
    char *h = nr_test_read_file(tmp_path("vae/history.csv"), NULL);
    CHECK(h && strstr(h, "loss") && strstr(h, "reconstruction_loss") && strstr(h, "kl_loss"));
    free(h);
    CHECK(lines(tmp_path("vae/history.csv")) == 4);
    const char *files[] = {"latent.png", "grid.png", "samples.png", "encoder.nrm", "decoder.nrm", "vae.nrm"};
    char path[600];
    for (int i = 0; i < 6; i++) {
        snprintf(path, sizeof path, "%s/%s", tmp_path("vae"), files[i]);
        if (!CHECK(exists(path))) fprintf(stderr, "  missing %s\n", path);
    }
    /* The saved VAE reads back with its KL layer (and its added loss). */
    r = cli_run("summary '%s'", tmp_path("vae/vae.nrm"));
    CHECK(r.rc == 0 && strstr(r.out, "gaussian_kl_divergence (Gaussia") != NULL);
    cli_result_free(&r);
}

static void test_errors(void) {
    expect(2, "--out is required", "gan '%s' --data '%s'", FIXTURE("tiny_gan.nr"), tmp_path("idx"));
    expect(2, "--data is required", "vae '%s' --out '%s'", FIXTURE("tiny_vae.nr"), tmp_path("e"));
    expect(1, "defines no model \"generator\"", "gan '%s' --data '%s' --out '%s'", FIXTURE("tiny_vae.nr"),
           tmp_path("idx"), tmp_path("e"));
    expect(1, "defines no model \"encoder\"", "vae '%s' --data '%s' --out '%s'", FIXTURE("tiny_gan.nr"),
           tmp_path("idx"), tmp_path("e"));
    expect(1, "fewer than one batch of 128", "gan '%s' --data '%s' --batch-size 128 --out '%s'",
           FIXTURE("tiny_gan.nr"), tmp_path("idx"), tmp_path("e"));
    const char *mnist = nr_test_shared_data("mnist");
    if (mnist)
        expect(1, "rows of 16 values, got shape (16, 28, 28, 1)", "gan '%s' --data '%s' --out '%s' --verbose 0",
               FIXTURE("tiny_gan.nr"), mnist, tmp_path("e"));
}

int main(void) {
    cli_setup();
    write_mnist_like(tmp_path("idx"), 64);
    test_gan();
    test_vae();
    test_errors();
    cli_cleanup();
    return nr_test_finish();
}
