#!/bin/bash
# Run fsconf on several targets and compare them with the first (the
# reference, a native directory):
#
#   run-table.sh [-u UID[:GID]] [-c CATEGORIES] [-k LOGDIR] NAME=DIR [NAME=DIR ...]
#
# Prints one row per category and one column per target, cells
# "passed/failed" (assertion counts). Every test that fails or is skipped
# on a target but not on the reference must be listed in the expected
# failures file (default: expected-failures.txt next to this script,
# override with EXPECTED_FAILURES), one per line:
#   TARGET CATEGORY TEST REASON...
# TARGET is a shell pattern: "*" is any target, "diod*" diod in every
# cache mode (run-targets.sh names them diod, diod.shared).
# A cell that differs from the reference with no listed failure behind it
# is an unexpected difference too, and so is any failure on the reference.
# Exit status: 0 no unexpected difference, 1 some, 2 usage error.
#
# FSCONF names the fsconf binary (default: fsconf next to this script, then
# ./tests/conformance/fsconf). Logs go to LOGDIR (-k) or a temp dir.
set -u

here=$(cd "$(dirname "$0")" && pwd)
expected=${EXPECTED_FAILURES:-$here/expected-failures.txt}
fsconf=${FSCONF:-}
if [ -z "$fsconf" ]; then
	for f in "$here/fsconf" ./tests/conformance/fsconf; do
		[ -x "$f" ] && { fsconf=$f; break; }
	done
fi

usage() {
	echo "usage: run-table.sh [-u UID[:GID]] [-c CATEGORIES] [-k LOGDIR] NAME=DIR..." >&2
	exit 2
}

args=()
logdir=
while getopts "u:c:k:" opt; do
	case $opt in
	u) args+=(-u "$OPTARG") ;;
	c) args+=(-c "$OPTARG") ;;
	k) logdir=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || usage
[ -n "$fsconf" ] && [ -x "$fsconf" ] || { echo "run-table: fsconf not found (set FSCONF)" >&2; exit 2; }

if [ -z "$logdir" ]; then
	logdir=$(mktemp -d "${TMPDIR:-/tmp}/fsconf-table.XXXXXX")
	trap 'rm -rf "$logdir"' EXIT
fi
mkdir -p "$logdir"
# Interrupted: stop here (after the running fsconf), not at the next target.
trap 'exit 130' INT TERM HUP

names=()
declare -A dir rc
for t in "$@"; do
	name=${t%%=*}
	d=${t#*=}
	case $name in
	"" | *[!A-Za-z0-9_.-]*) echo "run-table: bad target name in '$t'" >&2; exit 2 ;;
	esac
	[ "$name" != "$t" ] && [ -d "$d" ] || { echo "run-table: '$t' is not NAME=DIR" >&2; exit 2; }
	[ -z "${dir[$name]+x}" ] || { echo "run-table: target $name given twice" >&2; exit 2; }
	names+=("$name")
	dir[$name]=$d
done

for name in "${names[@]}"; do
	echo "run-table: running fsconf on $name (${dir[$name]})" >&2
	"$fsconf" -v "${args[@]}" "${dir[$name]}" >"$logdir/$name.log" 2>&1
	rc[$name]=$?
done

# Parsed results: cell[target,category]="p/f", bad[target,category,test]=FAIL|SKIP
declare -A cell bad finished
cats=()
declare -A seen_cat
for name in "${names[@]}"; do
	while read -r kind a b c d e f; do
		case $kind in
		category)
			# category CAT passed P failed F
			cell[$name,$a]="$c/$e"
			if [ -z "${seen_cat[$a]+x}" ]; then
				seen_cat[$a]=1
				cats+=("$a")
			fi
			;;
		test)
			[ "$c" = FAIL ] || [ "$c" = SKIP ] && bad[$name,$a,$b]=$c
			;;
		total)
			finished[$name]=1
			;;
		esac
	done <"$logdir/$name.log"
done

# Expected failures: parallel arrays of (pattern, category, test, reason).
x_pat=() x_cat=() x_test=() x_why=()
if [ -f "$expected" ]; then
	while read -r t c n r; do
		case $t in "" | "#"*) continue ;; esac
		x_pat+=("$t") x_cat+=("$c") x_test+=("$n") x_why+=("$r")
	done <"$expected"
fi
# expected_reason TARGET CATEGORY TEST: print the reason, or fail if unlisted.
expected_reason() {
	local k
	for k in "${!x_pat[@]}"; do
		# shellcheck disable=SC2053 # the pattern is meant to match
		if [[ $1 == ${x_pat[k]} ]] && [ "${x_cat[k]}" = "$2" ] && [ "${x_test[k]}" = "$3" ]; then
			printf '%s\n' "${x_why[k]}"
			return 0
		fi
	done
	return 1
}

# The table.
w=12
for name in "${names[@]}"; do [ ${#name} -ge $w ] && w=$((${#name} + 1)); done
printf '%-12s' category
for name in "${names[@]}"; do printf " %${w}s" "$name"; done
printf '\n'
for c in "${cats[@]}"; do
	printf '%-12s' "$c"
	for name in "${names[@]}"; do printf " %${w}s" "${cell[$name,$c]:--}"; done
	printf '\n'
done
printf '%-12s' total
for name in "${names[@]}"; do
	p=0 f=0
	for c in "${cats[@]}"; do
		v=${cell[$name,$c]:-0/0}
		p=$((p + ${v%/*})) f=$((f + ${v#*/}))
	done
	printf " %${w}s" "$p/$f"
done
printf '\n'

# The comparison.
errors=0
problem() { echo "UNEXPECTED: $*"; errors=$((errors + 1)); }

ref=${names[0]}
mapfile -t badkeys < <(printf '%s\n' "${!bad[@]}" | sort)
for name in "${names[@]}"; do
	if [ -z "${finished[$name]+x}" ]; then
		problem "$name: fsconf did not finish (exit ${rc[$name]}); see its log:"
		tail -n 5 "$logdir/$name.log" | sed 's/^/    /'
	fi
done
for key in "${badkeys[@]}"; do
	[ -n "$key" ] || continue
	IFS=, read -r name c n <<<"$key"
	if [ "$name" = "$ref" ] && [ "${bad[$key]}" = FAIL ]; then
		problem "$ref (reference) $c $n FAIL: the test or the reference is wrong"
		grep "^FAIL $c/$n " "$logdir/$name.log" | sed 's/^/    /'
	fi
done
for name in "${names[@]:1}"; do
	for c in "${cats[@]}"; do
		listed=0 unlisted=0
		for key in "${badkeys[@]}"; do
			[ -n "$key" ] || continue
			IFS=, read -r t kc n <<<"$key"
			[ "$t" = "$name" ] && [ "$kc" = "$c" ] || continue
			[ "${bad[$ref,$c,$n]:-}" = "${bad[$key]}" ] && continue
			if r=$(expected_reason "$name" "$c" "$n"); then
				listed=$((listed + 1))
				echo "expected: $name $c $n ${bad[$key]} ($r)"
			else
				unlisted=$((unlisted + 1))
				problem "$name $c $n ${bad[$key]}"
				grep "^FAIL $c/$n " "$logdir/$name.log" | sed 's/^/    /'
			fi
		done
		if [ "${cell[$name,$c]:-}" != "${cell[$ref,$c]:-}" ] &&
		   [ $listed -eq 0 ] && [ $unlisted -eq 0 ]; then
			problem "$name $c: ${cell[$name,$c]:-missing} differs from $ref's ${cell[$ref,$c]:-missing} with no failing test"
		fi
	done
	# Listed failures that no longer happen: worth cleaning up (a "*"
	# entry is not about any one target).
	for k in "${!x_pat[@]}"; do
		[ "${x_pat[k]}" != "*" ] || continue
		# shellcheck disable=SC2053
		[[ $name == ${x_pat[k]} ]] || continue
		c=${x_cat[k]} n=${x_test[k]}
		[ -n "${seen_cat[$c]+x}" ] || continue
		[ -n "${bad[$name,$c,$n]+x}" ] || echo "note: $name $c $n is listed as expected to fail but passed"
	done
done

if [ $errors -gt 0 ]; then
	echo "run-table: $errors unexpected difference(s); logs in $logdir"
	trap - EXIT
	exit 1
fi
echo "run-table: OK (${#names[@]} target(s), reference $ref)"
exit 0
