#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <string.h>
#include <unistd.h>
#include "io/atomic.h"

nr_status nr_atomic_open(nr_atomic_file *af, const char *path) {
    memset(af, 0, sizeof *af);
    if (strlen(path) >= sizeof af->path) return nr_error(NR_STATUS_BAD_ARGUMENT, "path too long: %s", path);
    snprintf(af->path, sizeof af->path, "%s", path);
    snprintf(af->tmp, sizeof af->tmp, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(af->tmp);
    if (fd < 0) return nr_error(NR_STATUS_IO, "%s: cannot create a temporary file: %s", path, strerror(errno));
    af->f = fdopen(fd, "w");
    if (!af->f) {
        close(fd);
        unlink(af->tmp);
        return nr_error(NR_STATUS_IO, "%s: %s", path, strerror(errno));
    }
    return NR_OK;
}

void nr_atomic_abort(nr_atomic_file *af) {
    if (af->f) fclose(af->f);
    af->f = NULL;
    unlink(af->tmp);
}

nr_status nr_atomic_commit(nr_atomic_file *af) {
    int bad = ferror(af->f) || fflush(af->f) != 0 || fsync(fileno(af->f)) != 0;
    int err = errno;
    if (fclose(af->f) != 0 && !bad) { bad = 1; err = errno; }
    af->f = NULL;
    if (!bad && rename(af->tmp, af->path) != 0) { bad = 1; err = errno; }
    if (bad) {
        unlink(af->tmp);
        return nr_error(NR_STATUS_IO, "%s: write failed: %s", af->path, strerror(err));
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", af->path);
    int dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) { fsync(dfd); close(dfd); }
    return NR_OK;
}
