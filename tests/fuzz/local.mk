# fuzz: shared test helpers (sample messages, field comparison)
check_LIBRARIES = tests/fuzz/libp9test.a
tests_fuzz_libp9test_a_SOURCES = \
	tests/fuzz/p9_samples.c tests/fuzz/p9_samples.h \
	tests/fuzz/p9_msgcmp.c tests/fuzz/p9_msgcmp.h
