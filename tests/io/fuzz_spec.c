/* libFuzzer harness for the SPEC loader and writer (not built by default;
 * the ctest test_spec_fuzz runs a short deterministic mutation loop).
 * Build it with the library's sources, so libFuzzer sees their coverage:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -fopenmp -DNEURONA_VERSION='"fuzz"' \
 *       -Isrc -Iinclude -I/usr/include/x86_64-linux-gnu/openblas-openmp tests/io/fuzz_spec.c \
 *       $(find src -name '*.c' ! -path 'src/cli/*') -lopenblas -lz -lm -o fuzz_spec
 *   ./fuzz_spec -dict=tests/fixtures/spec/fuzz.dict -max_len=4096 corpus/ tests/fixtures/spec/
 *
 * Each input is loaded as SPEC text. A failure must carry a message that
 * starts with the file name and a position; a success must write back
 * (nr_model_to_spec) into text that loads again. Weight tensors are capped
 * small so that a mutated Dense(99999999) costs nothing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "io/spec_build.h"

static void check_rewrite(const nr_spec *s) {
    const nr_model *m = nr_spec_model(s);
    char *text = NULL;
    nr_spec *again = NULL;
    if (!m) return;
    if (nr_model_to_spec(m, &text) != NR_OK) abort();
    if (nr_spec_load_string(text, "again.nr", 1, &again) != NR_OK) {
        fprintf(stderr, "written SPEC does not load: %s\n%s", nr_last_error(), text);
        abort();
    }
    if (nr_model_n_layers(nr_spec_model(again)) != nr_model_n_layers(m)) abort();
    nr_free_string(text);
    nr_spec_free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static int ready;
    if (!ready) {
        nr_spec_max_weight_elems = (int64_t)1 << 16;
        nr_set_num_threads(1);
        ready = 1;
    }
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = 0; /* an embedded NUL ends the text early, as a C string does */
    nr_spec *s = NULL;
    if (nr_spec_load_string(text, "fuzz.nr", 1, &s) == NR_OK) {
        check_rewrite(s);
        nr_spec_free(s);
    } else if (strncmp(nr_last_error(), "fuzz.nr:", 8) != 0) {
        fprintf(stderr, "error without a position: %s\n", nr_last_error());
        abort();
    }
    free(text);
    return 0;
}
