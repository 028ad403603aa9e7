/* libFuzzer harness for the model file reader (not built by default; the
 * ctest test_nrfile runs a short deterministic mutation loop instead).
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -DNEURONA_VERSION='"fuzz"' \
 *       -Isrc -Iinclude tests/io/fuzz_nrfile.c src/io/nrfile.c \
 *       src/core/alloc.c src/core/status.c -lz -o fuzz_nrfile
 *   ./fuzz_nrfile -max_len=65536 corpus/
 *
 * Each input is read twice: as it is, which mostly exercises the header
 * and checksum checks, and with its sizes and checksum patched to match,
 * which lets the mutations reach the section walk. An accepted file is
 * written back through the writer, and must read back the same. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "core/core.h"
#include "io/nrfile.h"

static void put_le(unsigned char *p, uint64_t v, int width) {
    for (int i = 0; i < width; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static void fix_up(unsigned char *b, size_t n) {
    if (n < NR_NRFILE_HEADER_SIZE + NR_NRFILE_TRAILER_SIZE) return;
    memcpy(b, NR_NRFILE_MAGIC, 8);
    put_le(b + 8, NR_NRFILE_VERSION, 4);
    put_le(b + 16, n, 8);
    put_le(b + n - 20, n, 8);
    memcpy(b + n - 8, NR_NRFILE_END_MAGIC, 8);
    put_le(b + n - 12, crc32(0, b, (uInt)(n - 20)), 4);
}

static nr_status copy_section(nr_nrfile_writer *w, const nr_nrfile_section *s) {
    switch (s->kind) {
    case NR_NRFILE_KIND_TENSOR: return nr_nrfile_add_tensor(w, s->name, s->ndim, s->shape, s->data);
    case NR_NRFILE_KIND_TEXT: return nr_nrfile_add_text(w, s->name, s->data);
    default: return nr_nrfile_add_bytes(w, s->name, s->data, s->size);
    }
}

static int same_section(const nr_nrfile_section *a, const nr_nrfile_section *b) {
    return strcmp(a->name, b->name) == 0 && a->kind == b->kind && a->ndim == b->ndim &&
           memcmp(a->shape, b->shape, sizeof a->shape) == 0 && a->size == b->size &&
           memcmp(a->data, b->data, a->size) == 0;
}

static void round_trip(const nr_nrfile *f) {
    nr_nrfile_writer *w;
    nr_nrfile *g;
    void *mem;
    size_t n;
    if (nr_nrfile_writer_new(&w) != NR_OK) return;
    for (size_t i = 0; i < nr_nrfile_count(f); i++) {
        nr_nrfile_section s;
        if (nr_nrfile_section_at(f, i, &s) != NR_OK || copy_section(w, &s) != NR_OK) abort();
    }
    if (nr_nrfile_save_memory(w, &mem, &n) != NR_OK) abort();
    if (nr_nrfile_open_memory(mem, n, "again", &g) != NR_OK) abort();
    for (size_t i = 0; i < nr_nrfile_count(f); i++) {
        nr_nrfile_section a, b;
        nr_nrfile_section_at(f, i, &a);
        if (nr_nrfile_find(g, a.name, &b) != NR_OK || !same_section(&a, &b)) abort();
    }
    nr_nrfile_close(g);
    nr_free(mem);
    nr_nrfile_writer_free(w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    nr_nrfile *f;
    if (nr_nrfile_open_memory(data, size, "fuzz", &f) == NR_OK) {
        round_trip(f);
        nr_nrfile_close(f);
    }
    unsigned char *b = malloc(size ? size : 1);
    if (!b) return 0;
    memcpy(b, data, size);
    fix_up(b, size);
    if (nr_nrfile_open_memory(b, size, "fuzz", &f) == NR_OK) {
        round_trip(f);
        nr_nrfile_close(f);
    }
    free(b);
    return 0;
}
