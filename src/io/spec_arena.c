/* The arena of a SPEC load: tokens, the syntax tree and the builder's
 * values are many small blocks freed together, so one bump allocator
 * replaces per-object ownership (and cannot leak on an error path). */
#include <string.h>
#include "io/spec_ast.h"

struct nr_spec_chunk {
    nr_spec_chunk *next;
    size_t used, cap;
    max_align_t data[];
};

#define CHUNK_BYTES ((size_t)64 * 1024)

void *nr_spec_alloc(nr_spec_arena *a, size_t size) {
    if (size > ((size_t)1 << 40)) return NULL;
    size = (size + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    nr_spec_chunk *c = a->head;
    if (!c || c->cap - c->used < size) {
        size_t cap = size > CHUNK_BYTES ? size : CHUNK_BYTES;
        c = nr_malloc(sizeof *c + cap);
        if (!c) return NULL;
        c->used = 0;
        c->cap = cap;
        /* A block bigger than a chunk gets its own, behind the current one,
         * so the current chunk's free space stays in use. */
        if (a->head && size > CHUNK_BYTES) {
            c->next = a->head->next;
            a->head->next = c;
        } else {
            c->next = a->head;
            a->head = c;
        }
    }
    void *p = (char *)c->data + c->used;
    c->used += size;
    memset(p, 0, size);
    return p;
}

char *nr_spec_strndup(nr_spec_arena *a, const char *s, size_t n) {
    char *p = nr_spec_alloc(a, n + 1);
    if (!p) return NULL;
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

nr_status nr_spec_grow(nr_spec_arena *a, void **arr, int *cap, int need, size_t elem) {
    if (need <= *cap) return NR_OK;
    int c = *cap ? *cap : 8;
    while (c < need) {
        if (c > (1 << 28)) return NR_NOMEM();
        c *= 2;
    }
    void *p = nr_spec_alloc(a, (size_t)c * elem);
    if (!p) return NR_NOMEM();
    if (*arr) memcpy(p, *arr, (size_t)*cap * elem);
    *arr = p;
    *cap = c;
    return NR_OK;
}

void nr_spec_arena_free(nr_spec_arena *a) {
    nr_spec_chunk *c = a->head;
    while (c) {
        nr_spec_chunk *next = c->next;
        nr_free(c);
        c = next;
    }
    a->head = NULL;
}
