/* What the kernel says about the running server: every thread in seccomp
 * filter mode 2 with no_new_privs and the documented capabilities, a root
 * that is the export (and nothing else mounted in its view). */
#include "attack.h"
#include "confine.h"

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>

static ssize_t slurp(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t n = 0;
	ssize_t r;
	while (n + 1 < cap && (r = read(fd, buf + n, cap - 1 - n)) > 0)
		n += (size_t)r;
	close(fd);
	buf[n] = '\0';
	return (ssize_t)n;
}

static bool field(const char *status, const char *key, char *val, size_t cap)
{
	char k[32];
	snprintf(k, sizeof k, "\n%s:", key);
	const char *p = strstr(status, k);
	if (!p)
		return false;
	p += strlen(k);
	while (*p == '\t' || *p == ' ')
		p++;
	size_t n = strcspn(p, "\n");
	if (n >= cap)
		n = cap - 1;
	memcpy(val, p, n);
	val[n] = '\0';
	return true;
}

static uint64_t hex_field(const char *status, const char *key)
{
	char v[64];
	return field(status, key, v, sizeof v) ? strtoull(v, NULL, 16) : UINT64_MAX;
}

/* One thread's status: filter mode, nnp, bounding and permitted sets. */
static void check_task(const struct sec_env *e, const char *tid, bool main_thread)
{
	char path[400], st[8192], v[64];
	snprintf(path, sizeof path, "/proc/%d/task/%s/status", (int)e->pid, tid);
	if (slurp(path, st, sizeof st) <= 0)
		return;                 /* the thread ended meanwhile */
	uint64_t want = confine_cap_mask(e->multi_user);
	CHECK(field(st, "Seccomp", v, sizeof v) && !strcmp(v, "2"), "task %s: Seccomp %s", tid, v);
	CHECK(field(st, "NoNewPrivs", v, sizeof v) && !strcmp(v, "1"), "task %s: NoNewPrivs %s",
	      tid, v);
	CHECK(hex_field(st, "CapBnd") == want, "task %s: CapBnd %016" PRIx64 ", want %016" PRIx64,
	      tid, hex_field(st, "CapBnd"), want);
	CHECK(hex_field(st, "CapPrm") == want, "task %s: CapPrm %016" PRIx64, tid,
	      hex_field(st, "CapPrm"));
	CHECK(hex_field(st, "CapInh") == 0 && hex_field(st, "CapAmb") == 0,
	      "task %s: inheritable or ambient capabilities", tid);
	/* A worker acting as another user has fewer effective caps; the
	 * event loop thread acts as root. */
	uint64_t eff = hex_field(st, "CapEff");
	CHECK(main_thread ? eff == want : (eff & ~want) == 0,
	      "task %s: CapEff %016" PRIx64 ", want %016" PRIx64, tid, eff, want);
}

void attack_proc_status(struct sec_env *e)
{
	/* The documented sets, independent of the code that computes them. */
	CHECK(confine_cap_mask(false) == 0x1f, "file-op caps: %" PRIx64, confine_cap_mask(false));
	CHECK(confine_cap_mask(true) == 0xdf, "multi-user caps: %" PRIx64, confine_cap_mask(true));

	char path[128];
	snprintf(path, sizeof path, "/proc/%d/task", (int)e->pid);
	DIR *d = opendir(path);
	CHECK(d != NULL, "open %s", path);
	int tasks = 0;
	struct dirent *de;
	char self[16];
	snprintf(self, sizeof self, "%d", (int)e->pid);
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		check_task(e, de->d_name, !strcmp(de->d_name, self));
		tasks++;
	}
	if (d)
		closedir(d);
	CHECK(tasks >= 1, "no tasks");

	/* The root is the export: same listing. */
	char want[2048], got[2048];
	host_list(e->export, want, sizeof want);
	snprintf(path, sizeof path, "/proc/%d/root", (int)e->pid);
	host_list(path, got, sizeof got);
	CHECK(got[0] && !strcmp(want, got), "/proc/<gofer>/root lists '%s', the export '%s'", got,
	      want);
	snprintf(path, sizeof path, "/proc/%d/root/..", (int)e->pid);
	host_list(path, got, sizeof got);
	CHECK(!strcmp(want, got), "/proc/<gofer>/root/.. lists '%s'", got);

	/* Its mount table: only the export at /, nodev and nosymfollow. */
	char mi[16384];
	snprintf(path, sizeof path, "/proc/%d/mountinfo", (int)e->pid);
	CHECK(slurp(path, mi, sizeof mi) > 0, "read %s", path);
	int lines = 0;
	for (char *line = strtok(mi, "\n"); line; line = strtok(NULL, "\n")) {
		char mnt[512] = "", opts[512] = "";
		if (sscanf(line, "%*s %*s %*s %*s %511s %511s", mnt, opts) != 2)
			continue;
		if (lines++ == 0) {
			CHECK(!strcmp(mnt, "/"), "first mount of the view at %s", mnt);
			CHECK(strstr(opts, "nodev") && strstr(opts, "nosuid") &&
			      strstr(opts, "nosymfollow"), "the export is mounted %s", opts);
		}
	}
	CHECK(lines == 1, "the view holds %d mounts, want 1 (the export has no submounts)", lines);
}
