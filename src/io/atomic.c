#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "io/atomic.h"

static nr_status io_error(const char *path, const char *what, int err) {
    return nr_error(NR_STATUS_IO, "%s: %s: %s", path, what, strerror(err));
}

/* Best effort: some file systems refuse chmod, which must not fail a save. */
static void set_mode(int fd, const char *path) {
    struct stat st;
    mode_t mode;
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
        mode = st.st_mode & 07777;
    } else {
        mode_t mask = umask(0);
        umask(mask);
        mode = 0666 & ~mask;
    }
    (void)fchmod(fd, mode);
}

static void release(nr_atomic_file *af) {
    nr_free(af->path);
    nr_free(af->tmp);
    af->path = af->tmp = NULL;
    af->f = NULL;
    af->fd = -1;
}

/* A destination that exists and is not a regular file (/dev/null, a
 * pipe, a terminal) is written in place: renaming over it would replace
 * the device with a file. A folder is an error. */
static nr_status open_special(nr_atomic_file *af, const char *path, const struct stat *st) {
    if (S_ISDIR(st->st_mode)) return nr_error(NR_STATUS_IO, "%s: is a folder, not a file", path);
    af->path = nr_strdup(path);
    if (!af->path) return NR_NOMEM();
    af->fd = open(path, O_WRONLY | O_CLOEXEC);
    if (af->fd < 0) {
        nr_status s = io_error(path, "cannot open", errno);
        release(af);
        return s;
    }
    return NR_OK;
}

nr_status nr_atomic_open(nr_atomic_file *af, const char *path) {
    memset(af, 0, sizeof *af);
    af->fd = -1;
    if (!path || !*path) return nr_error(NR_STATUS_BAD_ARGUMENT, "cannot save: empty path");
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) return open_special(af, path, &st);
    size_t n = strlen(path);
    af->path = nr_strdup(path);
    af->tmp = nr_malloc(n + sizeof ".tmp.XXXXXX");
    if (!af->path || !af->tmp) {
        release(af);
        return NR_NOMEM();
    }
    memcpy(af->tmp, path, n);
    memcpy(af->tmp + n, ".tmp.XXXXXX", sizeof ".tmp.XXXXXX");
    af->fd = mkstemp(af->tmp);
    if (af->fd < 0) {
        nr_status s = io_error(path, "cannot create a temporary file next to it", errno);
        release(af);
        return s;
    }
    set_mode(af->fd, path);
    return NR_OK;
}

nr_status nr_atomic_stdio(nr_atomic_file *af) {
    if (af->f) return NR_OK;
    af->f = fdopen(af->fd, "w");
    return af->f ? NR_OK : io_error(af->path, "cannot open the temporary file", errno);
}

nr_status nr_atomic_open_stdio(nr_atomic_file *af, const char *path) {
    NR_TRY(nr_atomic_open(af, path));
    nr_status s = nr_atomic_stdio(af);
    if (s != NR_OK) nr_atomic_abort(af);
    return s;
}

int nr_write_all(int fd, const void *p, size_t n) {
    const unsigned char *c = p;
    while (n > 0) {
        ssize_t k = write(fd, c, n > (1u << 30) ? (1u << 30) : n);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) return errno;
        if (k == 0) return ENOSPC;
        c += k;
        n -= (size_t)k;
    }
    return 0;
}

void nr_atomic_abort(nr_atomic_file *af) {
    if (af->f) fclose(af->f);
    else if (af->fd >= 0) close(af->fd);
    if (af->tmp) unlink(af->tmp);
    release(af);
}

/* The rename is durable only once the folder is on disk too. A folder
 * that cannot be opened, or a file system without directory fsync
 * (EINVAL), leaves nothing more to do. */
static nr_status sync_dir(const char *path) {
    char *dir = nr_strdup(path);
    if (!dir) return NR_NOMEM();
    char *slash = strrchr(dir, '/');
    const char *d = dir;
    if (!slash) d = ".";
    else if (slash == dir) slash[1] = 0;
    else *slash = 0;
    int fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    nr_free(dir);
    if (fd < 0) return NR_OK;
    int rc = fsync(fd), err = errno;
    close(fd);
    if (rc != 0 && err != EINVAL) return io_error(path, "saved, but cannot fsync its directory", err);
    return NR_OK;
}

/* Commit of a destination written in place (no temporary file). */
static nr_status commit_special(nr_atomic_file *af) {
    int err = 0;
    if (af->f && (fflush(af->f) != 0 || ferror(af->f))) err = errno ? errno : EIO;
    int closed = af->f ? fclose(af->f) : close(af->fd);
    if (!err && closed != 0) err = errno;
    nr_status s = err ? io_error(af->path, "cannot write", err) : NR_OK;
    release(af);
    return s;
}

nr_status nr_atomic_commit(nr_atomic_file *af) {
    if (!af->tmp) return commit_special(af);
    int err = 0;
    const char *what = NULL;
    if (af->f && (fflush(af->f) != 0 || ferror(af->f))) { err = errno ? errno : EIO; what = "cannot write the temporary file"; }
    if (!what && fsync(af->fd) != 0) { err = errno; what = "cannot fsync the temporary file"; }
    int closed = af->f ? fclose(af->f) : close(af->fd);
    af->f = NULL;
    af->fd = -1;
    if (!what && closed != 0) { err = errno; what = "cannot close the temporary file"; }
    if (!what && rename(af->tmp, af->path) != 0) { err = errno; what = "cannot replace it"; }
    nr_status s = NR_OK;
    if (what) {
        unlink(af->tmp);
        s = io_error(af->path, what, err);
    } else {
        s = sync_dir(af->path);
    }
    release(af);
    return s;
}
