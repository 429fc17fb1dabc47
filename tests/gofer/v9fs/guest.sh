# Runs inside the v9fs guest (busybox sh), working directory = the 9P mount.
# Every line of output is PASS or FAIL (with a reason); exits with the
# number of failures.  $1 = a label for the mount options.
fail=0
pass() { echo "PASS $*"; }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }
# t DESCRIPTION GOT WANT
t() { if [ "$2" = "$3" ]; then pass "$1"; else bad "$1: got '$2', want '$3'"; fi; }
ok() { d=$1; shift; if "$@" >/dev/null 2>&1; then pass "$d"; else bad "$d"; fi; }
no() { d=$1; shift; if "$@" >/dev/null 2>&1; then bad "$d (succeeded)"; else pass "$d"; fi; }

W=work-$$
mkdir "$W" && cd "$W" || { echo "FAIL cannot make $W"; exit 1; }

echo hello >f
t "create, write, read" "$(cat f)" hello
echo more >>f
t "append" "$(cat f | tr '\n' ' ')" "hello more "
truncate -s 3 f
t "truncate" "$(cat f)" hel
t "size after truncate" "$(stat -c %s f)" 3
mv f g
ok "rename: new name exists" test -e g
no "rename: old name is gone" test -e f
ln g h
t "hard link count" "$(stat -c %h g)" 2
t "hard link reads the same" "$(cat h)" hel
ln -s g s
t "symlink text" "$(readlink s)" g
t "read through a symlink" "$(cat s)" hel
ln -s /etc/passwd out
no "an absolute symlink resolves in the guest, not on the host" grep -q nobody:x:65534:65534:nobody:/nonexistent out
chmod 640 g
t "chmod" "$(stat -c %a g)" 640
chmod 4755 g
t "chmod setuid" "$(stat -c %a g)" 4755
mkdir d
for i in 1 2 3; do : >d/f$i; done
t "list" "$(ls d | tr '\n' ' ')" "f1 f2 f3 "
i=0
while [ $i -lt 400 ]; do : >d/many-$i; i=$((i + 1)); done
t "list 403 entries" "$(ls d | wc -l)" 403
t "ls -la counts . and .." "$(ls -a d | wc -l)" 405
rm d/many-*
mv d e
t "rename a directory keeps its files" "$(ls e | tr '\n' ' ')" "f1 f2 f3 "
no "rmdir of a non-empty directory fails" rmdir e
rm e/f1 e/f2 e/f3
ok "rmdir" rmdir e
no "the directory is gone" test -d e
# Several rounds: a lookup while the client's own writeback is still
# running must find the same file (qid.version must not follow mtime/size).
for round in 1 2 3; do
	dd if=/dev/urandom of=big bs=65536 count=48 2>/dev/null
	sum1=$(md5sum <big)
	cp big big2
	t "round $round: a 3 MiB copy reads back identically" "$(md5sum <big2)" "$sum1"
	echo 3 >/proc/sys/vm/drop_caches
	t "round $round: and after dropping caches" "$(md5sum <big)" "$sum1"
	t "round $round: size after dropping caches" "$(stat -c %s big)" 3145728
	rm -f big big2
done
mkfifo fifo
t "mkfifo" "$(stat -c %F fifo)" "fifo"
no "mknod of a device is refused" mknod nul c 1 3
touch -d "2001-02-03 04:05:06" g
t "utimes" "$(stat -c %Y g)" 981173106
v9fs-check lock lockfile && pass "locks (fcntl, flock)" || bad "locks: $(v9fs-check lock lockfile 2>&1 | grep FAIL)"
v9fs-check xattr xa && pass "xattrs" || bad "xattrs: $(v9fs-check xattr xa 2>&1 | grep FAIL)"
v9fs-check mmap mm && pass "mmap" || bad "mmap: $(v9fs-check mmap mm 2>&1 | grep FAIL)"
v9fs-check unlinked un && pass "open-unlinked file" || bad "open-unlinked: $(v9fs-check unlinked un 2>&1 | grep FAIL)"
rm -f g h s out fifo lockfile xa mm
t "everything removed" "$(ls -a | tr '\n' ' ')" ". .. "
cd .. && rmdir "$W"
ok "work directory removed" test ! -e "$W"
v9fs-check mmap mm | grep SKIP
echo "RESULT ${1:-default}: $fail failure(s)"
exit $fail
