/* The fine-tuning example (examples/finetune.c) at toy scale with the
 * small CNN base: it must run the three phases, phase 3 (top unfrozen,
 * lower learning rate) must keep or improve phase 2's test accuracy, and
 * the frozen base's weights (the BatchNormalization moving statistics
 * included) must be the pretrained ones after phase 2, checked here
 * from the saved files by layer name. */
#include <string.h>
#include <unistd.h>
#include "graph/graph.h"
#include "testutil.h"

static char dir[] = "/tmp/nr_test_finetune.XXXXXX";

static double figure(const char *text, const char *key) {
    const char *p = strstr(text, key);
    return p ? atof(p + strlen(key)) : -1;
}

/* The nested base of a fine-tuned model. */
static const nr_model *base_of(const nr_model *m) {
    for (int i = 0; i < nr_model_n_layers(m); i++) {
        const nr_layer *l = nr_model_layer(m, i);
        if (l->model) return l->model;
    }
    return NULL;
}

/* Weight k of layer name in a and b: 1 when equal, 0 when not, -1 when missing. */
static int same(const nr_model *a, const nr_model *b, const char *name, int k) {
    const nr_layer *la = nr_model_get_layer(a, name), *lb = nr_model_get_layer(b, name);
    nr_tensor va, vb;
    if (!CHECK(la && lb) || !CHECK_OK(nr_layer_weight(la, k, &va)) || !CHECK_OK(nr_layer_weight(lb, k, &vb)) ||
        !CHECK(nr_tensor_numel(&va) == nr_tensor_numel(&vb)))
        return -1;
    return !memcmp(va.data, vb.data, (size_t)nr_tensor_numel(&va) * sizeof(float));
}

static void check_files(void) {
    static const char *const layers[] = {"block1_conv", "block1_bn", "block2_bn", "block3_conv", "block3_bn"};
    char p1[256], p2[256], p3[256];
    nr_graph *g1 = NULL, *g2 = NULL, *g3 = NULL;
    nr_model *m1, *m2, *m3;
    snprintf(p1, sizeof p1, "%s/phase1.nrm", dir);
    snprintf(p2, sizeof p2, "%s/phase2.nrm", dir);
    snprintf(p3, sizeof p3, "%s/phase3.nrm", dir);
    if (CHECK_OK(nr_model_load(p1, &g1, &m1)) && CHECK_OK(nr_model_load(p2, &g2, &m2)) &&
        CHECK_OK(nr_model_load(p3, &g3, &m3)) && CHECK(base_of(m2) && base_of(m3))) {
        for (int i = 0; i < 5; i++) {
            int weights = strstr(layers[i], "bn") ? 4 : 1; /* gamma, beta, moving mean and variance */
            for (int k = 0; k < weights; k++) CHECK(same(m1, base_of(m2), layers[i], k) == 1);
        }
        /* phase 3 trains block 3 only, and its moving statistics stay (training=False) */
        CHECK(same(base_of(m2), base_of(m3), "block2_conv", 0) == 1);
        CHECK(same(base_of(m2), base_of(m3), "block3_conv", 0) == 0);
        CHECK(same(base_of(m2), base_of(m3), "block3_bn", 0) == 0);
        CHECK(same(base_of(m2), base_of(m3), "block3_bn", 2) == 1);
    }
    nr_graph_free(g1);
    nr_graph_free(g2);
    nr_graph_free(g3);
}

int main(void) {
    if (!mkdtemp(dir)) nr_test_skip("cannot make a temporary directory");
    char cmd[512], out[300];
    snprintf(out, sizeof out, "%s/out.txt", dir);
    snprintf(cmd, sizeof cmd, "'%s' '%s' --base small --images 36 --epochs 4", NR_FINETUNE_PATH, dir);
    if (CHECK(nr_test_run(cmd, out) == 0)) {
        char *text = nr_test_read_file(out, NULL);
        if (CHECK(text != NULL)) {
            printf("%s", text);
            double a2 = figure(text, "new head trained on B): test accuracy "),
                   a3 = figure(text, "learning rate 1e-4): test accuracy ");
            CHECK(a2 >= 0 && a3 >= 0);
            CHECK(a3 >= a2);
            CHECK(strstr(text, "frozen base weights unchanged in phase 2: yes") != NULL);
        }
        free(text);
        check_files();
    }
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    nr_test_run(cmd, NULL);
    return nr_test_finish();
}
