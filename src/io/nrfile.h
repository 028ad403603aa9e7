/* The container format of neurona model and checkpoint files: a list of
 * named sections (raw bytes, float32 tensors, UTF-8 text), versioned,
 * checksummed, and written atomically. What goes into the sections
 * (architecture, weights, optimizer state, ...) is decided by the model
 * code on top; this layer only stores and verifies them.
 *
 * File layout, version 1. Every integer is little-endian; offsets are from
 * the start of the file.
 *
 *   header, 32 bytes
 *     0   8  magic "NRNAMODL"
 *     8   4  u32 format version (1)
 *    12   4  u32 flags (0; any other bit means a feature this reader lacks)
 *    16   8  u64 total file size in bytes, trailer included
 *    24   8  u64 section count
 *
 *   sections, one after the other
 *        4  u32 name length L, 1..255
 *        L  name, UTF-8, no NUL; names are unique within a file
 *        4  u32 kind: 0 = raw bytes, 1 = float32 tensor, 2 = UTF-8 text
 *           kind 1 only:
 *        4    u32 ndim, 0..5 (0 is a scalar)
 *     8*ndim  i64 dims, row-major; each >= 0, and the product of the
 *             dims with zeros counted as 1, times 4, fits an i64
 *        8  u64 payload size P in bytes
 *        .  zero bytes up to the next multiple of 64 (payload alignment)
 *        P  payload
 *             kind 0: any bytes
 *             kind 1: prod(dims) float32 values, so P = 4 * prod(dims)
 *             kind 2: UTF-8 text, then one NUL, no other NUL (P >= 1)
 *
 *   trailer, 20 bytes, right after the last payload
 *        8  u64 total file size (same as the header's)
 *        4  u32 CRC-32 (zlib's crc32) of every byte before the trailer
 *        8  end marker "NRNAEND\0"
 *
 * The total size sits in the header too so that a truncated file can be
 * reported as "N of M bytes"; the trailer's copy and the end marker catch
 * a file that was cut or padded. A reader rejects a version it does not
 * know, nonzero flags, and anything that does not parse exactly to the
 * trailer. A newer format gets a new version number, never a silent
 * reinterpretation. */
#ifndef NR_IO_NRFILE_H
#define NR_IO_NRFILE_H

#include <stddef.h>
#include <stdint.h>
#include "neurona/status.h"
#include "neurona/tensor.h"

#define NR_NRFILE_MAGIC "NRNAMODL"
#define NR_NRFILE_END_MAGIC "NRNAEND" /* plus its NUL: 8 bytes */
#define NR_NRFILE_VERSION 1u
#define NR_NRFILE_HEADER_SIZE 32u
#define NR_NRFILE_TRAILER_SIZE 20u
#define NR_NRFILE_ALIGN 64u
#define NR_NRFILE_MAX_NAME 255u

typedef enum nr_nrfile_kind {
    NR_NRFILE_KIND_BYTES = 0,
    NR_NRFILE_KIND_TENSOR = 1,
    NR_NRFILE_KIND_TEXT = 2,
    NR_NRFILE_KIND_COUNT_
} nr_nrfile_kind;

/* ---- writing ----------------------------------------------------------
 * Sections are collected in memory and written in the order they were
 * added. Names and text are copied. Bytes and tensor data are borrowed:
 * they must stay valid and unchanged until the last nr_nrfile_save or
 * nr_nrfile_save_memory call on this writer returns, so saving large
 * weights makes no copy of them. A failed add leaves the writer as it was. */
typedef struct nr_nrfile_writer nr_nrfile_writer;

/* New empty writer. Caller frees with nr_nrfile_writer_free. */
nr_status nr_nrfile_writer_new(nr_nrfile_writer **out);

void nr_nrfile_writer_free(nr_nrfile_writer *w);   /* NULL is a no-op */

/* Every add fails with NR_STATUS_BAD_ARGUMENT for a name that is empty,
 * longer than 255 bytes, not UTF-8, or already in the writer. */

/* Raw bytes (borrowed; data may be NULL when size is 0). */
nr_status nr_nrfile_add_bytes(nr_nrfile_writer *w, const char *name, const void *data, size_t size);

/* NUL-terminated UTF-8 text (copied). */
nr_status nr_nrfile_add_text(nr_nrfile_writer *w, const char *name, const char *text);

/* float32 tensor of ndim (0..5) dims >= 0, row-major (data borrowed; may
 * be NULL when the tensor has no elements). */
nr_status nr_nrfile_add_tensor(nr_nrfile_writer *w, const char *name, int ndim, const int64_t *shape,
                               const float *data);

/* Writes the file atomically: a temporary "path.tmp.XXXXXX" in the same
 * directory is written, fsynced and renamed over path, then the directory
 * is fsynced. An existing file keeps its permission bits; a new one gets
 * 0666 minus the umask. On failure path is untouched, the temporary file
 * is removed, and the status is NR_STATUS_IO (message: path and the
 * system's reason) or NR_STATUS_NO_MEMORY. The writer stays usable. */
nr_status nr_nrfile_save(nr_nrfile_writer *w, const char *path);

/* The same bytes as nr_nrfile_save, into a new buffer. Caller frees *out
 * with nr_free (src/core/core.h). */
nr_status nr_nrfile_save_memory(nr_nrfile_writer *w, void **out, size_t *size);

/* ---- reading ----------------------------------------------------------
 * A file is read whole into memory and verified completely before it is
 * returned: header, size, checksum, then every section. Errors name the
 * file: "PATH: not a neurona model file (bad magic)", "PATH: file is
 * truncated (N of M bytes)", "PATH: checksum mismatch: file is corrupted",
 * "PATH: format version N is newer than this neurona supports (1); upgrade
 * neurona" (NR_STATUS_BAD_VERSION). Other content errors are
 * NR_STATUS_BAD_FORMAT, open/read failures NR_STATUS_IO. */
typedef struct nr_nrfile nr_nrfile;

/* A view of one section. Every pointer is borrowed from the nr_nrfile and
 * valid until nr_nrfile_close. */
typedef struct nr_nrfile_section {
    const char *name;            /* NUL-terminated */
    nr_nrfile_kind kind;
    int ndim;                    /* tensors: 0..5; other kinds: 0 */
    int64_t shape[NR_MAX_DIMS];  /* tensors: ndim dims, the rest 0 */
    int64_t numel;               /* tensors: prod(shape); other kinds: 0 */
    const void *data;            /* 64-byte aligned, never NULL; tensors: const float *,
                                    host byte order; text: NUL-terminated */
    size_t size;                 /* payload bytes; text: length without the NUL */
} nr_nrfile_section;

/* Reads and verifies the file at path. Caller frees with nr_nrfile_close. */
nr_status nr_nrfile_open(const char *path, nr_nrfile **out);

/* Same, from size bytes at buf (copied; buf may be freed afterwards).
 * label stands for the path in messages (copied; NULL means "<memory>"). */
nr_status nr_nrfile_open_memory(const void *buf, size_t size, const char *label, nr_nrfile **out);

void nr_nrfile_close(nr_nrfile *f);   /* NULL is a no-op */

/* The path or label given at open (borrowed, valid until close). */
const char *nr_nrfile_label(const nr_nrfile *f);

size_t nr_nrfile_count(const nr_nrfile *f);

/* Section i in file order; NR_STATUS_BAD_ARGUMENT when i >= count. */
nr_status nr_nrfile_section_at(const nr_nrfile *f, size_t i, nr_nrfile_section *out);

/* The section called name, or NR_STATUS_BAD_FORMAT with
 * "PATH: section 'name' missing". */
nr_status nr_nrfile_find(const nr_nrfile *f, const char *name, nr_nrfile_section *out);

/* nr_nrfile_find that also requires the kind, else NR_STATUS_BAD_FORMAT
 * with "PATH: section 'name' is bytes, expected tensor". */
nr_status nr_nrfile_find_kind(const nr_nrfile *f, const char *name, nr_nrfile_kind kind,
                              nr_nrfile_section *out);

/* "bytes", "tensor", "text", or "unknown". */
const char *nr_nrfile_kind_str(nr_nrfile_kind kind);

#endif
