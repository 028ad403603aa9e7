/* neurona neuron: the perceptron on AND (converges, --trace prints every
 * update) and XOR (says it did not converge), McCulloch-Pitts, softmax on
 * iris, the plot read back, and usage and data errors. */
#include "plot_check.h"
#include "test_cli_run.h"

static void perceptron(void) {
    cli_result r = cli_run("neuron --kind perceptron --data '%s' --target y --trace --seed 1", FIXTURE("and.csv"));
    CHECK(r.rc == 0 && strstr(r.out, "converged after ") && strstr(r.out, "right on 4 of 4 examples"));
    CHECK(strstr(r.out, "epoch 1 example 1: error ") && strstr(r.out, "epoch  errors"));
    cli_result_free(&r);
    r = cli_run("neuron --kind perceptron --data '%s' --target y --n-iter 7", FIXTURE("xor.csv"));
    CHECK(r.rc == 0 && strstr(r.out, "did not converge in 7 epochs: the data may not be linearly separable"));
    CHECK(!strstr(r.out, "example 1:"));
    cli_result_free(&r);
}

static void others(void) {
    cli_result r = cli_run("neuron --kind mp --data '%s' --target y --weights 1,1 --threshold 2", FIXTURE("and.csv"));
    CHECK(r.rc == 0 && strstr(r.out, "weights 1 1  threshold 2") && strstr(r.out, "right on 4 of 4"));
    cli_result_free(&r);
    r = cli_run("neuron --kind multiclass --data '%s' --target species --alpha 0.01 --n-iter 300",
                SRC_PATH("data/iris.csv"));
    CHECK(r.rc == 0 && strstr(r.out, "class virginica: weights ") && strstr(r.out, "of 150 examples (0.9"));
    cli_result_free(&r);
    r = cli_run("neuron --kind adaline --data '%s' --target y --n-iter 20 --alpha 0.05", FIXTURE("and.csv"));
    CHECK(r.rc == 0 && strstr(r.out, "epoch  mse") && strstr(r.out, "training mse "));
    cli_result_free(&r);
}

static void plot(void) {
    cli_result r = cli_run("neuron --kind general --data '%s' --target y --alpha 1 --plot '%s'", FIXTURE("and.csv"),
                           tmp_path("g.png"));
    CHECK(r.rc == 0 && strstr(r.out, "Saved the plot to "));
    cli_result_free(&r);
    test_rgb_image img;
    if (CHECK(test_png_read(tmp_path("g.png"), &img))) {
        CHECK(img.w == 1120 && img.h == 480);
        CHECK(test_count_color(&img, 0x1f77b4) > 100 && test_count_color(&img, 0xff7f0e) > 10);
        free(img.px);
    }
    r = cli_run("neuron --kind multiclass --data '%s' --target species --plot '%s'", SRC_PATH("data/iris.csv"),
                tmp_path("i.svg"));
    CHECK(r.rc == 1 && strstr(r.err, "--plot draws two inputs"));
    cli_result_free(&r);
}

static void errors(void) {
    cli_result r = cli_run("neuron --kind perceptron --data '%s'", FIXTURE("and.csv"));
    CHECK(r.rc == 2 && strstr(r.err, "--target are required"));
    cli_result_free(&r);
    r = cli_run("neuron --kind hebb --data '%s' --target y", FIXTURE("and.csv"));
    CHECK(r.rc == 2);
    cli_result_free(&r);
    r = cli_run("neuron --kind mp --data '%s' --target y --weights 1", FIXTURE("and.csv"));
    CHECK(r.rc == 1 && strstr(r.err, "must be 2 numbers"));
    cli_result_free(&r);
    FILE *f = fopen(tmp_path("two.csv"), "w");
    CHECK(f && fputs("x,y\n0,0\n1,2\n", f) >= 0 && fclose(f) == 0);
    r = cli_run("neuron --kind perceptron --data '%s' --target y", tmp_path("two.csv"));
    CHECK(r.rc == 1 && strstr(r.err, "must be 0 or 1"));
    cli_result_free(&r);
    r = cli_run("neuron --kind general --data '%s' --target y --activation tanh --cost bce", FIXTURE("and.csv"));
    CHECK(r.rc == 1 && strstr(r.err, "needs the sigmoid"));
    cli_result_free(&r);
}

int main(void) {
    cli_setup();
    perceptron();
    others();
    plot();
    errors();
    cli_cleanup();
    return nr_test_finish();
}
