# tests/fuse: burrow-sentry's mount against diod and burrow-gofer (basic
# operations, failure handling, fsx data integrity).  Needs root and
# /dev/fuse; skips otherwise.
check_PROGRAMS += tests/fuse/fsx tests/fuse/fsprobe
tests_fuse_fsx_SOURCES = tests/fuse/fsx.c
tests_fuse_fsprobe_SOURCES = tests/fuse/fsprobe.c

TESTS += tests/fuse/mount.bats tests/fuse/failure.bats tests/fuse/fsx.bats tests/fuse/stale.bats \
	tests/fuse/cache.bats
EXTRA_DIST += tests/fuse/helpers.bash tests/fuse/mount.bats tests/fuse/failure.bats \
	tests/fuse/fsx.bats tests/fuse/stale.bats tests/fuse/cache.bats
