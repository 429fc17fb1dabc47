# Unit tests of the 9P2000.L client library (common/p9/client.c).
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_client
TESTS += tests/unit/test_client
tests_unit_test_client_SOURCES = tests/unit/test_client.c
tests_unit_test_client_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) -pthread
tests_unit_test_client_LDADD = common/libcommon.a $(CMOCKA_LIBS) -lpthread
check_PROGRAMS += tests/unit/test_client_fds
TESTS += tests/unit/test_client_fds
tests_unit_test_client_fds_SOURCES = tests/unit/test_client_fds.c
tests_unit_test_client_fds_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) -pthread
tests_unit_test_client_fds_LDADD = common/libcommon.a $(CMOCKA_LIBS) -lpthread
endif
