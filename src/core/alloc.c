/* Every allocation goes through one hook so tests can count allocations
 * (the steady-state training step must make none) and inject failures. */
#include <string.h>
#include <sys/mman.h>
#include "core.h"

static nr_alloc_hooks hooks;

void nr_set_alloc_hooks(const nr_alloc_hooks *h) {
    if (h) hooks = *h;
    else memset(&hooks, 0, sizeof hooks);
}

void *nr_malloc(size_t size) {
    if (size == 0) size = 1;
    return hooks.malloc_fn ? hooks.malloc_fn(size, hooks.user) : malloc(size);
}

void *nr_calloc(size_t n, size_t size) {
    if (size && n > SIZE_MAX / size) return NULL;
    void *p = nr_malloc(n * size);
    if (p) memset(p, 0, n * size);
    return p;
}

void *nr_realloc(void *p, size_t size) {
    if (size == 0) size = 1;
    return hooks.realloc_fn ? hooks.realloc_fn(p, size, hooks.user) : realloc(p, size);
}

void nr_free(void *p) {
    if (!p) return;
    if (hooks.free_fn) hooks.free_fn(p, hooks.user);
    else free(p);
}

char *nr_strdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = nr_malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

/* 64-byte aligned through the hook: over-allocate and keep the original
 * pointer just below the aligned block. Zero-filled, which also pre-faults
 * every page once, here, instead of inside the training loop. */
float *nr_alloc_floats(size_t n) {
    if (n > (SIZE_MAX - 128) / sizeof(float)) return NULL;
    size_t bytes = n * sizeof(float);
    char *raw = nr_malloc(bytes + 64 + sizeof(void *));
    if (!raw) return NULL;
    uintptr_t a = ((uintptr_t)raw + sizeof(void *) + 63) & ~(uintptr_t)63;
    ((void **)a)[-1] = raw;
    if (bytes >= (1u << 21)) madvise((void *)(a & ~(uintptr_t)4095), bytes, MADV_HUGEPAGE);
    memset((void *)a, 0, bytes);
    return (float *)a;
}

void nr_free_floats(float *p) {
    if (p) nr_free(((void **)p)[-1]);
}
