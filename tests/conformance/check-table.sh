#!/bin/sh
# make check: run-table.sh's comparison rules, on canned fsconf output
# (a stand-in fsconf prints DIR/canned), so the table logic cannot rot.
set -u
srcdir=${srcdir:-$(dirname "$0")/../..}
table=$srcdir/tests/conformance/run-table.sh
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fsconf-table-check.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

cat >"$tmp/fsconf" <<'EOS'
#!/bin/sh
for a; do dir=$a; done
cat "$dir/canned"
EOS
chmod +x "$tmp/fsconf"

target() {
	d=$tmp/$1
	shift
	mkdir -p "$d"
	printf '%s\n' "$@" >"$d/canned"
}

good="category a passed 3 failed 0"
target ref "$good" "category b passed 2 failed 0" "total passed 5 failed 0 skipped 0"
target same "$good" "category b passed 2 failed 0" "total passed 5 failed 0 skipped 0"
target listed "$good" "FAIL b/t1 x.c:1: boom" "test b t1 FAIL" \
	"category b passed 1 failed 1" "total passed 4 failed 1 skipped 0"
target unlisted "$good" "FAIL b/t2 x.c:1: boom" "test b t2 FAIL" \
	"category b passed 1 failed 1" "total passed 4 failed 1 skipped 0"
target fewer "$good" "category b passed 1 failed 0" "total passed 4 failed 0 skipped 0"
target skipped "$good" "test b t2 SKIP needs root" "category b passed 1 failed 0" \
	"total passed 4 failed 0 skipped 1"
target reffail "$good" "FAIL b/t1 x.c:1: boom" "test b t1 FAIL" \
	"category b passed 1 failed 1" "total passed 4 failed 1 skipped 0"
target crashed "$good"
printf 'listed b t1 a reason\nglob* b t1 a pattern\n' >"$tmp/expected"

failures=0
expect() {
	want=$1
	shift
	TMPDIR=$tmp EXPECTED_FAILURES=$tmp/expected FSCONF=$tmp/fsconf "$table" "$@" >"$tmp/out" 2>&1
	got=$?
	if [ "$got" -ne "$want" ]; then
		echo "FAIL: run-table.sh $*: exit $got, expected $want"
		sed 's/^/    /' "$tmp/out"
		failures=$((failures + 1))
	else
		echo "ok: run-table.sh $* -> $got"
	fi
}
expect 0 ref="$tmp/ref" same="$tmp/same"
expect 0 ref="$tmp/ref" listed="$tmp/listed"
expect 1 ref="$tmp/ref" unlisted="$tmp/unlisted"
expect 1 ref="$tmp/ref" fewer="$tmp/fewer"
expect 1 ref="$tmp/ref" skipped="$tmp/skipped"
expect 1 reffail="$tmp/reffail" same="$tmp/same"
expect 1 ref="$tmp/ref" crashed="$tmp/crashed"
expect 2 ref="$tmp/ref" ref="$tmp/same"
expect 2 "bad name=$tmp/ref"
# A TARGET pattern covers every target it matches, and only those.
expect 0 ref="$tmp/ref" glob.shared="$tmp/listed"
expect 1 ref="$tmp/ref" notglob="$tmp/listed"
# The same skip on both sides is no difference.
expect 0 skipped="$tmp/skipped" listed2="$tmp/skipped"
# The table shows passed/failed per target.
TMPDIR=$tmp EXPECTED_FAILURES=$tmp/expected FSCONF=$tmp/fsconf "$table" ref="$tmp/ref" listed="$tmp/listed" 2>/dev/null |
	grep -Eq '^b +2/0 +1/1$' || { echo "FAIL: table row for b"; failures=$((failures + 1)); }
[ $failures -eq 0 ] || exit 1
echo "check-table: all cases behave"
