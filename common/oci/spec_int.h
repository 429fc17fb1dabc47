/* Internals of the config.json reader: typed getters that name the field
 * on every error.  Only the files of common/oci include it. */
#ifndef BURROW_OCI_SPEC_INT_H
#define BURROW_OCI_SPEC_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oci/spec.h"

struct oci_ctx {
	const char *what;            /* "config.json" */
	char *err;
	size_t errlen;
};

/* Field names are built into buffers of this size ("mounts[3].options[1]"). */
#define OCI_FIELD_MAX 160

/* Record "<what>: <field>: <message>" and return -EINVAL. */
int oci_fail(struct oci_ctx *c, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* field = "<parent>.<key>" (or just key when parent is ""). */
void oci_field(char *buf, const char *parent, const char *key);
/* field = "<parent>[<i>]" */
void oci_field_index(char *buf, const char *parent, size_t i);

/* Each getter looks up `key` in `obj` (an object); `field` names it.  A
 * missing key is an error only when `required`; *has (when given) says
 * whether it was there.  A present key of the wrong type is always an error.
 * JSON null counts as missing. */
int oci_get_string(struct oci_ctx *c, json_t *obj, const char *key, const char *field,
		   bool required, const char **out);
int oci_get_bool(struct oci_ctx *c, json_t *obj, const char *key, const char *field,
		 bool *out);
int oci_get_i64(struct oci_ctx *c, json_t *obj, const char *key, const char *field,
		bool required, bool *has, int64_t *out);
int oci_get_u64(struct oci_ctx *c, json_t *obj, const char *key, const char *field,
		bool required, bool *has, uint64_t *out);
int oci_get_u32(struct oci_ctx *c, json_t *obj, const char *key, const char *field,
		bool required, bool *has, uint32_t *out);
/* An object (or NULL when absent and not required). */
int oci_get_object(struct oci_ctx *c, json_t *obj, const char *key, const char *field,
		   bool required, json_t **out);
/* An array (or NULL when absent and not required). */
int oci_get_array(struct oci_ctx *c, json_t *obj, const char *key, const char *field,
		  bool required, json_t **out);
/* An array of strings, returned NULL-terminated (allocated; the strings are
 * the document's).  nonempty: at least one element. */
int oci_get_strv(struct oci_ctx *c, json_t *obj, const char *key, const char *field,
		 bool required, bool nonempty, const char ***out, size_t *n);
/* The value itself as an unsigned integer (array elements). */
int oci_value_u64(struct oci_ctx *c, json_t *v, const char *field, uint64_t *out);

/* Absolute path check for a string field. */
int oci_check_abs(struct oci_ctx *c, const char *field, const char *path);

/* Sections, one file each. */
int oci_parse_mounts(struct oci_ctx *c, json_t *root, struct oci_spec *s);
int oci_parse_process(struct oci_ctx *c, json_t *proc, struct oci_process *p);
int oci_parse_linux(struct oci_ctx *c, json_t *lin, struct oci_linux *l);
int oci_parse_seccomp(struct oci_ctx *c, json_t *obj, const char *field, struct oci_seccomp **out);
int oci_parse_hooks(struct oci_ctx *c, json_t *hooks, struct oci_spec *s);

void oci_free_process(struct oci_process *p);
void oci_free_linux(struct oci_linux *l);
void oci_free_seccomp(struct oci_seccomp *sc);
void oci_free_hooks(struct oci_spec *s);

#endif
