# unit tests (cmocka)
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_codec
TESTS += tests/unit/test_codec
tests_unit_test_codec_SOURCES = tests/unit/test_codec.c
tests_unit_test_codec_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_codec_LDADD = tests/fuzz/libp9test.a common/libcommon.a $(CMOCKA_LIBS)
endif
