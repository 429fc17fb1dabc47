/* The config.json reader (common/oci): what it takes, and the error that
 * names the field for what it refuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "oci/spec.h"

/* A small valid spec; %s is spliced in at the top level. */
static const char base_fmt[] =
	"{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},"
	"\"process\":{\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"sh\"],\"cwd\":\"/\"}%s}";

static int parse_with(const char *extra, struct oci_spec *s, char *err, size_t len)
{
	char text[8192];
	snprintf(text, sizeof text, base_fmt, extra);
	return oci_spec_parse(text, "config.json", s, err, len);
}

static void test_minimal(void **state)
{
	(void)state;
	struct oci_spec s;
	char err[512] = "";
	assert_int_equal(parse_with("", &s, err, sizeof err), 0);
	assert_string_equal(s.root_path, "rootfs");
	assert_false(s.root_readonly);
	assert_int_equal(s.process.n_args, 1);
	assert_string_equal(s.process.args[0], "sh");
	assert_null(s.process.args[1]);
	assert_non_null(s.process.env);
	assert_null(s.process.env[0]);
	oci_spec_free(&s);
}

static void test_full(void **state)
{
	(void)state;
	struct oci_spec s;
	char err[512] = "";
	const char *extra =
		",\"hostname\":\"h\",\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\"},"
		"{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"/srv\",\"options\":[\"rbind\",\"ro\"]}],"
		"\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"},{\"type\":\"user\"},"
		"{\"type\":\"network\",\"path\":\"/run/netns/x\"}],"
		"\"uidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":10}],"
		"\"gidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":10}],"
		"\"sysctl\":{\"net.ipv4.ip_forward\":\"1\"},"
		"\"resources\":{\"memory\":{\"limit\":1048576,\"swap\":-1},\"pids\":{\"limit\":5}},"
		"\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":38,"
		"\"architectures\":[\"SCMP_ARCH_X86_64\"],\"syscalls\":[{\"names\":[\"read\"],"
		"\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":18446744073709551615,"
		"\"valueTwo\":1,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]},"
		"\"maskedPaths\":[\"/proc/kcore\"],\"readonlyPaths\":[\"/proc/sys\"]}";
	assert_int_equal(parse_with(extra, &s, err, sizeof err), 0);
	assert_string_equal(s.hostname, "h");
	assert_int_equal(s.n_mounts, 2);
	assert_true(oci_mount_is_bind(&s.mounts[1]));
	assert_false(oci_mount_is_bind(&s.mounts[0]));
	assert_true(oci_mount_has_option(&s.mounts[1], "ro"));
	assert_non_null(oci_spec_namespace(&s, CLONE_NEWUSER));
	assert_string_equal(oci_spec_namespace(&s, CLONE_NEWNET)->path, "/run/netns/x");
	assert_null(oci_spec_namespace(&s, CLONE_NEWIPC));
	assert_int_equal(s.linux_.uid_mappings[0].host_id, 1000);
	assert_string_equal(s.linux_.sysctls[0].name, "net.ipv4.ip_forward");
	assert_int_equal(s.linux_.resources.memory_limit, 1048576);
	assert_int_equal(s.linux_.resources.memory_swap, -1);
	assert_int_equal(s.linux_.resources.pids_limit, 5);
	const struct oci_seccomp *sc = s.linux_.seccomp;
	assert_non_null(sc);
	assert_int_equal(sc->default_action.errno_ret, 38);
	assert_int_equal(sc->rules[0].args[0].value, UINT64_MAX);
	assert_int_equal(sc->rules[0].args[0].op, OCI_OP_MASKED_EQ);
	oci_spec_free(&s);
}

static void test_process_fields(void **state)
{
	(void)state;
	char text[4096], err[512] = "";
	struct oci_spec s;
	snprintf(text, sizeof text,
		 "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"/r\",\"readonly\":true},"
		 "\"process\":{\"terminal\":true,\"user\":{\"uid\":1000,\"gid\":100,\"umask\":18,"
		 "\"additionalGids\":[5,6]},\"args\":[\"a\",\"b\"],\"env\":[\"A=1\"],\"cwd\":\"/w\","
		 "\"capabilities\":{\"bounding\":[\"CAP_KILL\",\"CAP_CHOWN\"],\"ambient\":[\"CAP_KILL\"]},"
		 "\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":10,\"hard\":18446744073709551615}],"
		 "\"noNewPrivileges\":true,\"oomScoreAdj\":-5}}");
	assert_int_equal(oci_spec_parse(text, "config.json", &s, err, sizeof err), 0);
	const struct oci_process *p = &s.process;
	assert_true(s.root_readonly);
	assert_true(p->terminal);
	assert_int_equal(p->uid, 1000);
	assert_int_equal(p->umask, 18);
	assert_int_equal(p->n_additional_gids, 2);
	assert_int_equal(p->additional_gids[1], 6);
	assert_string_equal(p->env[0], "A=1");
	assert_int_equal(p->caps[OCI_CAP_BOUNDING], (1u << CAP_KILL) | (1u << CAP_CHOWN));
	assert_int_equal(p->caps[OCI_CAP_AMBIENT], 1u << CAP_KILL);
	assert_int_equal(p->caps[OCI_CAP_EFFECTIVE], 0);
	assert_int_equal(p->rlimits[0].resource, RLIMIT_NOFILE);
	assert_int_equal(p->rlimits[0].hard, UINT64_MAX);
	assert_true(p->no_new_privileges);
	assert_int_equal(p->oom_score_adj, -5);
	oci_spec_free(&s);
}

/* Each bad document and the start of the message it must give. */
static const struct {
	const char *extra;   /* spliced into the valid base */
	const char *want;
} bad_extras[] = {
	{ ",\"mounts\":[{\"destination\":\"proc\"}]", "config.json: mounts[0].destination: must be an absolute path" },
	{ ",\"mounts\":[{\"destination\":\"/x\",\"type\":\"bind\"}]", "config.json: mounts[0].source: a bind mount needs a source" },
	{ ",\"mounts\":[{\"destination\":\"/x\",\"options\":[\"ro\",1]}]", "config.json: mounts[0].options[1]: must be a string" },
	{ ",\"mounts\":{}", "config.json: mounts: must be an array" },
	{ ",\"hostname\":7", "config.json: hostname: must be a string" },
	{ ",\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"pid\"}]}", "config.json: linux.namespaces[1]: namespace \"pid\" given twice" },
	{ ",\"linux\":{\"namespaces\":[{\"type\":\"time\"}]}", "config.json: linux.namespaces[0].type: time namespaces are not supported" },
	{ ",\"linux\":{\"namespaces\":[{\"type\":\"user\"}]}", "config.json: linux.uidMappings: a new user namespace needs uidMappings and gidMappings" },
	{ ",\"linux\":{\"uidMappings\":[{\"containerID\":0,\"hostID\":1,\"size\":1}]}", "config.json: linux.uidMappings: id mappings need a new user namespace" },
	{ ",\"linux\":{\"namespaces\":[{\"type\":\"user\"}],\"uidMappings\":[{\"containerID\":0,\"hostID\":1,\"size\":0}]}", "config.json: linux.uidMappings[0].size: must not be 0" },
	{ ",\"linux\":{\"sysctl\":{\"../../x\":\"1\"}}", "config.json: linux.sysctl.../../x: invalid sysctl name" },
	{ ",\"linux\":{\"sysctl\":{\"net.x\":1}}", "config.json: linux.sysctl.net.x: must be a string" },
	{ ",\"linux\":{\"resources\":{\"memory\":{\"limit\":-2}}}", "config.json: linux.resources.memory.limit: must be -1 or positive" },
	{ ",\"linux\":{\"resources\":{\"pids\":{}}}", "config.json: linux.resources.pids.limit: missing" },
	{ ",\"linux\":{\"resources\":{\"devices\":[{\"access\":\"rwm\"}]}}", "config.json: linux.resources.devices[0].allow: must be true or false" },
	{ ",\"linux\":{\"resources\":{\"devices\":[{\"allow\":true,\"type\":\"p\"}]}}", "config.json: linux.resources.devices[0].type: must be one of a, c, b" },
	{ ",\"linux\":{\"resources\":{\"devices\":[{\"allow\":false},{\"allow\":true,\"access\":\"rx\"}]}}", "config.json: linux.resources.devices[1].access: must be letters of \"rwm\"" },
	{ ",\"linux\":{\"cgroupsPath\":\"/a/../b\"}", "config.json: linux.cgroupsPath: must not contain \"..\"" },
	{ ",\"linux\":{\"devices\":[{\"path\":\"/etc/x\",\"type\":\"c\",\"major\":1,\"minor\":3}]}", "config.json: linux.devices[0].path: must be below /dev" },
	{ ",\"linux\":{\"devices\":[{\"path\":\"/dev/x\",\"type\":\"z\"}]}", "config.json: linux.devices[0].type: must be one of c, b, u, p" },
	{ ",\"linux\":{\"devices\":[{\"path\":\"/dev/x\",\"type\":\"c\"}]}", "config.json: linux.devices[0].major: missing" },
	{ ",\"linux\":{\"maskedPaths\":[\"proc\"]}", "config.json: linux.maskedPaths[0]: must be an absolute path" },
	{ ",\"linux\":{\"rootfsPropagation\":\"weird\"}", "config.json: linux.rootfsPropagation: unknown propagation \"weird\"" },
	{ ",\"linux\":{\"seccomp\":{}}", "config.json: linux.seccomp.defaultAction: missing" },
	{ ",\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_NOTIFY\"}}", "config.json: linux.seccomp.defaultAction: SCMP_ACT_NOTIFY is not supported" },
	{ ",\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_Z80\"]}}", "config.json: linux.seccomp.architectures[0]: unknown architecture \"SCMP_ARCH_Z80\"" },
	{ ",\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[],\"action\":\"SCMP_ACT_ERRNO\"}]}}", "config.json: linux.seccomp.syscalls[0].names: must be a non-empty array of strings" },
	{ ",\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"x\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":6,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]}}", "config.json: linux.seccomp.syscalls[0].args[0].index: must be 0 to 5" },
	{ ",\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"x\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":1,\"op\":\"EQ\"}]}]}}", "config.json: linux.seccomp.syscalls[0].args[0].op: unknown operator \"EQ\"" },
	{ ",\"hooks\":{\"prestart\":[{\"path\":\"rel\"}]}", "config.json: hooks.prestart[0].path: must be an absolute path" },
	{ ",\"hooks\":{\"poststop\":[{\"path\":\"/x\",\"timeout\":0}]}", "config.json: hooks.poststop[0].timeout: must be a positive number of seconds" },
	{ ",\"linux\":[]", "config.json: linux: must be an object" },
};

static void test_bad_extras(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof bad_extras / sizeof bad_extras[0]; i++) {
		struct oci_spec s;
		char err[512] = "";
		int r = parse_with(bad_extras[i].extra, &s, err, sizeof err);
		if (r != -22 || strncmp(err, bad_extras[i].want, strlen(bad_extras[i].want)) != 0)
			fail_msg("case %zu: got %d \"%s\", want \"%s\"", i, r, err, bad_extras[i].want);
	}
}

/* Whole documents. */
static const struct {
	const char *text, *want;
} bad_docs[] = {
	{ "[]", "config.json: the document must be a JSON object" },
	{ "{\"ociVersion\":\"1.0.2\"", "config.json: invalid JSON at line" },
	{ "{\"root\":{\"path\":\"r\"}}", "config.json: ociVersion: missing" },
	{ "{\"ociVersion\":\"2.0.0\"}", "config.json: ociVersion: unsupported version \"2.0.0\"" },
	{ "{\"ociVersion\":\"1.0.2\"}", "config.json: root: missing" },
	{ "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"\"}}", "config.json: root.path: must not be empty" },
	{ "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"r\",\"readonly\":\"yes\"}}", "config.json: root.readonly: must be true or false" },
	{ "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"r\"}}", "config.json: process: missing" },
	{ "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"a\"],\"cwd\":\"/\"}}", "config.json: process.user: missing" },
	{ "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"r\"},\"process\":{\"user\":{\"uid\":0,\"gid\":0},\"args\":[],\"cwd\":\"/\"}}", "config.json: process.args: must be a non-empty array of strings" },
	{ "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"r\"},\"process\":{\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"a\"]}}", "config.json: process.cwd: missing" },
	{ "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"r\"},\"process\":{\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"a\"],\"cwd\":\"w\"}}", "config.json: process.cwd: must be an absolute path" },
	{ "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"r\"},\"process\":{\"user\":{\"uid\":-1,\"gid\":0},\"args\":[\"a\"],\"cwd\":\"/\"}}", "config.json: process.user.uid: must not be negative" },
	{ "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"r\"},\"process\":{\"user\":{\"uid\":4294967296,\"gid\":0},\"args\":[\"a\"],\"cwd\":\"/\"}}", "config.json: process.user.uid: must be at most 4294967295" },
	{ "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"r\"},\"process\":{\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"a\"],\"cwd\":\"/\",\"env\":[\"NOEQUALS\"]}}", "config.json: process.env[0]: must be NAME=VALUE" },
	{ "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"r\"},\"process\":{\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"a\"],\"cwd\":\"/\",\"capabilities\":{\"bounding\":[\"chown\"]}}}", "config.json: process.capabilities.bounding[0]: unknown capability \"chown\"" },
	{ "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"r\"},\"process\":{\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"a\"],\"cwd\":\"/\",\"rlimits\":[{\"type\":\"RLIMIT_FOO\",\"soft\":1,\"hard\":1}]}}", "config.json: process.rlimits[0].type: unknown rlimit \"RLIMIT_FOO\"" },
	{ "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"r\"},\"process\":{\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"a\"],\"cwd\":\"/\",\"rlimits\":[{\"type\":\"RLIMIT_CPU\",\"soft\":1,\"hard\":1},{\"type\":\"RLIMIT_CPU\",\"soft\":1,\"hard\":1}]}}", "config.json: process.rlimits[1]: RLIMIT_CPU given twice" },
	{ "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"r\"},\"process\":{\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"a\"],\"cwd\":\"/\",\"oomScoreAdj\":1001}}", "config.json: process.oomScoreAdj: must be between -1000 and 1000" },
	{ "{\"ociVersion\":\"1.0.2\",\"ociVersion\":\"1.0.2\"}", "config.json: invalid JSON" },
};

static void test_bad_docs(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof bad_docs / sizeof bad_docs[0]; i++) {
		struct oci_spec s;
		char err[512] = "";
		int r = oci_spec_parse(bad_docs[i].text, "config.json", &s, err, sizeof err);
		if (r >= 0 || strncmp(err, bad_docs[i].want, strlen(bad_docs[i].want)) != 0)
			fail_msg("doc %zu: got %d \"%s\", want \"%s\"", i, r, err, bad_docs[i].want);
	}
}

static void test_load_missing_file(void **state)
{
	(void)state;
	struct oci_spec s;
	char err[512] = "";
	assert_true(oci_spec_load("/nonexistent/config.json", &s, err, sizeof err) < 0);
	assert_non_null(strstr(err, "/nonexistent/config.json: No such file or directory"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_process_fields),
		cmocka_unit_test(test_bad_extras),
		cmocka_unit_test(test_bad_docs),
		cmocka_unit_test(test_load_missing_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
