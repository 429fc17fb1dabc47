# burrow-sentry: the FUSE 9P client (sentry/fs, a library the sandbox's
# boot code links too) and the program's entry point.
noinst_LIBRARIES += sentry/fs/libsentryfs.a
sentry_fs_libsentryfs_a_SOURCES = \
	sentry/fs/fs.h sentry/fs/fs_int.h \
	sentry/fs/opts.c sentry/fs/session.c \
	sentry/fs/inode.c sentry/fs/inode_fid.c sentry/fs/fid.c sentry/fs/attr.c \
	sentry/fs/attr_cache.c sentry/fs/xattr_cache.c sentry/fs/names.c sentry/fs/newattr.c \
	sentry/fs/dirnames.c sentry/fs/rofid.c sentry/fs/shrink.c \
	sentry/fs/tlsbuf.c sentry/fs/iopool.c \
	sentry/fs/ops_entry.c sentry/fs/ops_ns.c sentry/fs/ops_file.c sentry/fs/files.c \
	sentry/fs/ops_dir.c sentry/fs/ops_xattr.c sentry/fs/ops_lock.c
sentry_fs_libsentryfs_a_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/sentry $(FUSE_CFLAGS)

bin_PROGRAMS += sentry/burrow-sentry
sentry_burrow_sentry_SOURCES = sentry/sentry_main.c
sentry_burrow_sentry_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/sentry
sentry_burrow_sentry_LDADD = sentry/fs/libsentryfs.a common/libcommon.a $(FUSE_LIBS)

dist_man_MANS += man/burrow-sentry.8
