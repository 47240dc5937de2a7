#ifndef BLOBNET_CFUSE3_SHIM_H
#define BLOBNET_CFUSE3_SHIM_H

// libfuse3's high-level API at version 3.12 (Debian 12 ships 3.14). The macros that pick a
// versioned symbol (fuse_new, fuse_loop_mt) are wrapped in functions Swift can call.
#define FUSE_USE_VERSION 312
#include <fuse.h>
#include <sys/statvfs.h>
#include <sys/stat.h>
#include <sys/mount.h>
#include <spawn.h>

static inline struct fuse *blobnet_fuse_new(struct fuse_args *args, const struct fuse_operations *ops, void *data) {
    return fuse_new(args, ops, sizeof(struct fuse_operations), data);
}

static inline int blobnet_fuse_loop_mt(struct fuse *f, unsigned int max_threads) {
    struct fuse_loop_config *config = fuse_loop_cfg_create();
    if (config == NULL) return -1;
    fuse_loop_cfg_set_max_threads(config, max_threads);
    fuse_loop_cfg_set_idle_threads(config, 4);
    int result = fuse_loop_mt(f, config);
    fuse_loop_cfg_destroy(config);
    return result;
}

static inline int blobnet_fuse_fill(fuse_fill_dir_t filler, void *buf, const char *name) {
    return filler(buf, name, NULL, 0, (enum fuse_fill_dir_flags)0);
}

static inline long blobnet_utime_now(void) { return UTIME_NOW; }
static inline long blobnet_utime_omit(void) { return UTIME_OMIT; }

#endif
