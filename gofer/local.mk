# burrow-gofer: the 9P2000.L server.
bin_PROGRAMS += burrow-gofer
burrow_gofer_SOURCES = \
	gofer/main.c gofer/cli.c gofer/cli.h gofer/gofer.h \
	gofer/server.c gofer/server.h gofer/conn.c gofer/conn.h \
	gofer/workers.c gofer/workers.h gofer/dispatch.c gofer/dispatch.h \
	gofer/trace.c gofer/trace.h gofer/fid.c gofer/fid.h gofer/qid.c gofer/qid.h \
	gofer/ident.c gofer/ident.h gofer/users.c gofer/users.h \
	gofer/ops.h gofer/ops_util.c gofer/ops_walk.c gofer/ops_io.c gofer/ops_attr.c \
	gofer/ops_dir.c gofer/ops_ns.c gofer/ops_xattr.c gofer/ops_lock.c \
	gofer/confine.c gofer/confine.h gofer/seccomp_allowlist.c gofer/seccomp_allowlist.h
burrow_gofer_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/gofer $(EV_CFLAGS) $(SECCOMP_CFLAGS) $(CAP_CFLAGS)
burrow_gofer_LDADD = common/libcommon.a $(EV_LIBS) $(SECCOMP_LIBS) $(CAP_LIBS)
include tests/gofer/local.mk
dist_man_MANS += man/burrow-gofer.8
