# libburrow-common: the 9P2000.L codec and client, shared helpers.
noinst_LIBRARIES += common/libcommon.a
common_libcommon_a_SOURCES = \
	common/util.h common/util.c \
	common/log.c common/log.h \
	common/p9/p9.h common/p9/codec.c \
	common/p9/client.h common/p9/client.c \
	common/addr.c common/addr.h \
	common/fdpass.c common/fdpass.h \
	common/pidwait.c common/pidwait.h
