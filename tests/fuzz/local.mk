# fuzz: shared test helpers (sample messages, field comparison), the decoder
# fuzz target replayed over its seed corpus, and the corpus generator.
# tests/fuzz/run.sh builds the same target with libFuzzer (clang).
check_LIBRARIES = tests/fuzz/libp9test.a
tests_fuzz_libp9test_a_SOURCES = \
	tests/fuzz/p9_samples.c tests/fuzz/p9_samples.h \
	tests/fuzz/p9_msgcmp.c tests/fuzz/p9_msgcmp.h

check_PROGRAMS += tests/fuzz/fuzz_replay tests/fuzz/gen_corpus
tests_fuzz_fuzz_replay_SOURCES = tests/fuzz/fuzz_decode.c tests/fuzz/replay.c
tests_fuzz_fuzz_replay_LDADD = tests/fuzz/libp9test.a common/libcommon.a
tests_fuzz_gen_corpus_SOURCES = tests/fuzz/gen_corpus.c
tests_fuzz_gen_corpus_LDADD = tests/fuzz/libp9test.a common/libcommon.a

TESTS += tests/fuzz/fuzz_replay tests/fuzz/corpus_check.sh
EXTRA_DIST += tests/fuzz/run.sh tests/fuzz/corpus_check.sh tests/fuzz/corpus
