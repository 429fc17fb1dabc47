/* config.json: the document, its top level and the mounts. */
#include "oci/spec_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* config.json is small; anything bigger is not a spec. */
#define OCI_SPEC_MAX_BYTES (4u << 20)

static int parse_root(struct oci_ctx *c, json_t *doc, struct oci_spec *s)
{
	json_t *root;
	int r = oci_get_object(c, doc, "root", "root", true, &root);
	if (r < 0)
		return r;
	r = oci_get_string(c, root, "path", "root.path", true, &s->root_path);
	if (r < 0)
		return r;
	if (!*s->root_path)
		return oci_fail(c, "root.path", "must not be empty");
	return oci_get_bool(c, root, "readonly", "root.readonly", &s->root_readonly);
}

static int parse_mount(struct oci_ctx *c, json_t *m, const char *field, struct oci_mount *out)
{
	char f[OCI_FIELD_MAX];
	if (!json_is_object(m))
		return oci_fail(c, field, "must be an object");
	oci_field(f, field, "destination");
	int r = oci_get_string(c, m, "destination", f, true, &out->destination);
	if (r < 0)
		return r;
	if ((r = oci_check_abs(c, f, out->destination)) < 0)
		return r;
	oci_field(f, field, "type");
	if ((r = oci_get_string(c, m, "type", f, false, &out->type)) < 0)
		return r;
	oci_field(f, field, "source");
	if ((r = oci_get_string(c, m, "source", f, false, &out->source)) < 0)
		return r;
	oci_field(f, field, "options");
	if ((r = oci_get_strv(c, m, "options", f, false, false, &out->options, &out->n_options)) < 0)
		return r;
	if (oci_mount_is_bind(out) && (!out->source || !*out->source)) {
		oci_field(f, field, "source");
		return oci_fail(c, f, "a bind mount needs a source");
	}
	return 0;
}

int oci_parse_mounts(struct oci_ctx *c, json_t *doc, struct oci_spec *s)
{
	json_t *arr;
	int r = oci_get_array(c, doc, "mounts", "mounts", false, &arr);
	if (r < 0 || !arr)
		return r;
	size_t n = json_array_size(arr);
	if (n == 0)
		return 0;
	s->mounts = calloc(n, sizeof *s->mounts);
	if (!s->mounts)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		char f[OCI_FIELD_MAX];
		oci_field_index(f, "mounts", i);
		s->n_mounts = i + 1;
		if ((r = parse_mount(c, json_array_get(arr, i), f, &s->mounts[i])) < 0)
			return r;
	}
	return 0;
}

static int parse_doc(struct oci_ctx *c, json_t *doc, struct oci_spec *s)
{
	if (!json_is_object(doc))
		return oci_fail(c, "", "the document must be a JSON object");
	int r = oci_get_string(c, doc, "ociVersion", "ociVersion", true, &s->oci_version);
	if (r < 0)
		return r;
	if (strncmp(s->oci_version, "1.", 2) != 0)
		return oci_fail(c, "ociVersion", "unsupported version \"%s\" (need 1.x)",
				s->oci_version);
	if ((r = parse_root(c, doc, s)) < 0)
		return r;
	if ((r = oci_get_string(c, doc, "hostname", "hostname", false, &s->hostname)) < 0)
		return r;
	if ((r = oci_parse_mounts(c, doc, s)) < 0)
		return r;

	json_t *proc;
	if ((r = oci_get_object(c, doc, "process", "process", true, &proc)) < 0)
		return r;
	s->has_process = true;
	if ((r = oci_parse_process(c, proc, &s->process)) < 0)
		return r;

	json_t *lin;
	if ((r = oci_get_object(c, doc, "linux", "linux", false, &lin)) < 0)
		return r;
	if (lin) {
		s->has_linux = true;
		if ((r = oci_parse_linux(c, lin, &s->linux_)) < 0)
			return r;
	}
	json_t *hooks;
	if ((r = oci_get_object(c, doc, "hooks", "hooks", false, &hooks)) < 0)
		return r;
	return hooks ? oci_parse_hooks(c, hooks, s) : 0;
}

/* jansson refuses integers beyond long long; rlimits and seccomp values
 * may use all 64 bits, so such documents are re-read with integers as reals. */
static json_t *decode(const char *text, json_error_t *jerr)
{
	json_t *doc = json_loads(text, JSON_REJECT_DUPLICATES, jerr);
	if (!doc && strstr(jerr->text, "too big"))
		doc = json_loads(text, JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL, jerr);
	return doc;
}

int oci_spec_parse(const char *text, const char *what, struct oci_spec *spec, char *err,
		   size_t errlen)
{
	struct oci_ctx c = { .what = what, .err = err, .errlen = errlen };
	memset(spec, 0, sizeof *spec);
	json_error_t jerr;
	json_t *doc = decode(text, &jerr);
	if (!doc)
		return oci_fail(&c, "", "invalid JSON at line %d column %d: %s", jerr.line,
				jerr.column, jerr.text);
	spec->doc = doc;
	int r = parse_doc(&c, doc, spec);
	if (r < 0) {
		if (r != -EINVAL)
			oci_fail(&c, "", "%s", strerror(-r));
		oci_spec_free(spec);
	}
	return r;
}

static int read_text(const char *path, char **out)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return -errno;
	size_t cap = 8192, len = 0;
	char *buf = malloc(cap);
	int r = buf ? 0 : -ENOMEM;
	while (r == 0) {
		if (len + 1 >= cap) {
			if (cap >= OCI_SPEC_MAX_BYTES) {
				r = -EFBIG;
				break;
			}
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				r = -ENOMEM;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		size_t got = fread(buf + len, 1, cap - len - 1, f);
		len += got;
		if (got == 0) {
			if (ferror(f))
				r = -EIO;
			break;
		}
	}
	fclose(f);
	if (r < 0) {
		free(buf);
		return r;
	}
	buf[len] = '\0';
	if (strlen(buf) != len) {
		free(buf);
		return -EILSEQ;
	}
	*out = buf;
	return 0;
}

int oci_spec_load(const char *path, struct oci_spec *spec, char *err, size_t errlen)
{
	char *text = NULL;
	memset(spec, 0, sizeof *spec);
	int r = read_text(path, &text);
	if (r < 0) {
		snprintf(err, errlen, "%s: %s", path,
			 r == -EFBIG ? "larger than 4 MiB" : r == -EILSEQ ? "contains NUL" : strerror(-r));
		return r;
	}
	const char *base = strrchr(path, '/');
	r = oci_spec_parse(text, base ? base + 1 : path, spec, err, errlen);
	free(text);
	return r;
}

void oci_spec_free(struct oci_spec *spec)
{
	for (size_t i = 0; i < spec->n_mounts; i++)
		free(spec->mounts[i].options);
	free(spec->mounts);
	oci_free_process(&spec->process);
	oci_free_linux(&spec->linux_);
	oci_free_hooks(spec);
	if (spec->doc)
		json_decref(spec->doc);
	memset(spec, 0, sizeof *spec);
}

const struct oci_namespace *oci_spec_namespace(const struct oci_spec *spec, int type)
{
	for (size_t i = 0; i < spec->linux_.n_namespaces; i++)
		if (spec->linux_.namespaces[i].type == type)
			return &spec->linux_.namespaces[i];
	return NULL;
}

bool oci_mount_has_option(const struct oci_mount *m, const char *opt)
{
	for (size_t i = 0; i < m->n_options; i++)
		if (strcmp(m->options[i], opt) == 0)
			return true;
	return false;
}

bool oci_mount_is_bind(const struct oci_mount *m)
{
	if (m->type && strcmp(m->type, "bind") == 0)
		return true;
	return oci_mount_has_option(m, "bind") || oci_mount_has_option(m, "rbind");
}
