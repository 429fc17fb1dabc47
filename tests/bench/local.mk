# tests/bench: benchmarks against the references (native fs, diod, runc,
# crun), run by hand or with `make bench`; never part of `make check`.
# p9load builds with `make` so it never rots; it is not installed.
noinst_PROGRAMS = tests/bench/p9load tests/bench/fsbench
tests_bench_p9load_SOURCES = tests/bench/p9load.c tests/bench/p9load_work.c tests/bench/p9load.h
tests_bench_p9load_LDADD = common/libcommon.a
tests_bench_fsbench_SOURCES = tests/bench/fsbench.c

bench_scripts = tests/bench/lib.sh tests/bench/gofer-vs-diod.sh tests/bench/mount-vs-native.sh \
	tests/bench/startup.sh tests/bench/container-work.sh tests/bench/rpc-count.sh
EXTRA_DIST += $(bench_scripts) tests/bench/RESULTS.md

# make bench [BENCH="gofer-vs-diod mount-vs-native startup rpc-count"]: needs root.
bench: all
	@set -e; for b in $${BENCH:-gofer-vs-diod mount-vs-native startup}; do \
		bash $(abs_top_srcdir)/tests/bench/$$b.sh '$(abs_top_builddir)'; \
	done
.PHONY: bench
