/* burrow spec [--bundle DIR]: write runc's default config.json: sh in
 * "rootfs" on a terminal, the default capabilities, masked and read-only
 * paths, and the proc, dev, devpts, shm, mqueue and sysfs mounts. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static json_t *strv(const char *const *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

#define STRV(arr) strv(arr, sizeof(arr) / sizeof((arr)[0]))

static json_t *mount(const char *dest, const char *type, const char *src,
		     const char *const *opts, size_t n)
{
	return json_pack("{s:s, s:s, s:s, s:o}", "destination", dest, "type", type, "source", src,
			 "options", strv(opts, n));
}

static json_t *default_mounts(void)
{
	static const char *const dev[] = { "nosuid", "strictatime", "mode=755", "size=65536k" };
	static const char *const pts[] = { "nosuid", "noexec", "newinstance", "ptmxmode=0666",
					   "mode=0620", "gid=5" };
	static const char *const shm[] = { "nosuid", "noexec", "nodev", "mode=1777",
					   "size=65536k" };
	static const char *const mq[] = { "nosuid", "noexec", "nodev" };
	static const char *const sys[] = { "nosuid", "noexec", "nodev", "ro" };
	return json_pack("[o, o, o, o, o, o]",
			 json_pack("{s:s, s:s, s:s}", "destination", "/proc", "type", "proc",
				   "source", "proc"),
			 mount("/dev", "tmpfs", "tmpfs", dev, 4), mount("/dev/pts", "devpts", "devpts", pts, 6),
			 mount("/dev/shm", "tmpfs", "shm", shm, 5),
			 mount("/dev/mqueue", "mqueue", "mqueue", mq, 3),
			 mount("/sys", "sysfs", "sysfs", sys, 4));
}

static json_t *default_process(void)
{
	static const char *const args[] = { "sh" };
	static const char *const env[] = {
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm" };
	static const char *const caps[] = { "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" };
	return json_pack("{s:b, s:{s:i, s:i}, s:o, s:o, s:s, s:{s:o, s:o, s:o, s:o}, "
			 "s:[{s:s, s:i, s:i}], s:b}",
			 "terminal", 1, "user", "uid", 0, "gid", 0, "args", STRV(args), "env",
			 STRV(env), "cwd", "/", "capabilities", "bounding", STRV(caps),
			 "effective", STRV(caps), "permitted", STRV(caps), "ambient", STRV(caps),
			 "rlimits", "type", "RLIMIT_NOFILE", "hard", 1024, "soft", 1024,
			 "noNewPrivileges", 1);
}

static json_t *default_linux(void)
{
	static const char *const masked[] = {
		"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
		"/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
		"/proc/scsi" };
	static const char *const ro[] = { "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
					  "/proc/sysrq-trigger" };
	return json_pack("{s:{s:[{s:b, s:s}]}, s:[{s:s}, {s:s}, {s:s}, {s:s}, {s:s}, {s:s}], "
			 "s:o, s:o}",
			 "resources", "devices", "allow", 0, "access", "rwm", "namespaces", "type",
			 "pid", "type", "network", "type", "ipc", "type", "uts", "type", "mount",
			 "type", "cgroup", "maskedPaths", STRV(masked), "readonlyPaths", STRV(ro));
}

static json_t *default_spec(void)
{
	return json_pack("{s:s, s:o, s:{s:s, s:b}, s:s, s:o, s:o}", "ociVersion", "1.0.2",
			 "process", default_process(), "root", "path", "rootfs", "readonly", 1,
			 "hostname", "burrow", "mounts", default_mounts(), "linux", default_linux());
}

int cmd_spec(const struct cli_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ "rootless", no_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	const char *bundle = ".";
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "b:", opts, NULL)) != -1) {
		if (opt == 'b')
			bundle = optarg;
		else if (opt == 'r')
			return cli_fail("spec: --rootless is not supported");
		else
			return 1;
	}
	if (optind != argc)
		return cli_fail("spec: unexpected argument \"%s\"", argv[optind]);
	char path[4096];
	snprintf(path, sizeof path, "%s/config.json", bundle);
	json_t *spec = default_spec();
	if (!spec)
		return cli_fail("spec: out of memory");
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		json_decref(spec);
		if (errno == EEXIST)
			return cli_fail("File %s exists. Remove it first", path);
		return cli_fail("spec: create %s: %s", path, strerror(errno));
	}
	int r = json_dumpfd(spec, fd, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(spec);
	if (r == 0 && write(fd, "\n", 1) != 1)
		r = -1;
	if (close(fd) < 0 || r < 0) {
		unlink(path);
		return cli_fail("spec: write %s failed", path);
	}
	(void)g;
	return 0;
}
