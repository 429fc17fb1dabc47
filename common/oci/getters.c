/* Typed field getters for the config.json reader. */
#include "oci/spec_int.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int oci_fail(struct oci_ctx *c, const char *field, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (c->err && c->errlen) {
		if (field && *field)
			snprintf(c->err, c->errlen, "%s: %s: %s", c->what, field, msg);
		else
			snprintf(c->err, c->errlen, "%s: %s", c->what, msg);
	}
	return -EINVAL;
}

void oci_field(char *buf, const char *parent, const char *key)
{
	if (parent && *parent)
		snprintf(buf, OCI_FIELD_MAX, "%s.%s", parent, key);
	else
		snprintf(buf, OCI_FIELD_MAX, "%s", key);
}

void oci_field_index(char *buf, const char *parent, size_t i)
{
	snprintf(buf, OCI_FIELD_MAX, "%s[%zu]", parent, i);
}

/* The member, or NULL when absent or null. */
static json_t *member(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_null(v) ? NULL : v;
}

static int missing(struct oci_ctx *c, const char *field, bool required)
{
	return required ? oci_fail(c, field, "missing") : 0;
}

int oci_get_string(struct oci_ctx *c, json_t *obj, const char *key, const char *field,
		   bool required, const char **out)
{
	json_t *v = member(obj, key);
	*out = NULL;
	if (!v)
		return missing(c, field, required);
	if (!json_is_string(v))
		return oci_fail(c, field, "must be a string");
	if (strlen(json_string_value(v)) != json_string_length(v))
		return oci_fail(c, field, "must not contain NUL");
	*out = json_string_value(v);
	return 0;
}

int oci_get_bool(struct oci_ctx *c, json_t *obj, const char *key, const char *field, bool *out)
{
	json_t *v = member(obj, key);
	*out = false;
	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return oci_fail(c, field, "must be true or false");
	*out = json_is_true(v);
	return 0;
}

/* Integers beyond int64 arrive as reals (the document is re-read with
 * JSON_DECODE_INT_AS_REAL when it holds one): accept integral reals. */
static int value_i64(struct oci_ctx *c, json_t *v, const char *field, int64_t *out)
{
	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return 0;
	}
	if (json_is_real(v)) {
		double d = json_real_value(v);
		if (d != floor(d) || d < -9223372036854775808.0 || d >= 9223372036854775808.0)
			return oci_fail(c, field, "must be an integer in range");
		*out = (int64_t)d;
		return 0;
	}
	return oci_fail(c, field, "must be an integer");
}

int oci_value_u64(struct oci_ctx *c, json_t *v, const char *field, uint64_t *out)
{
	if (json_is_integer(v)) {
		if (json_integer_value(v) < 0)
			return oci_fail(c, field, "must not be negative");
		*out = (uint64_t)json_integer_value(v);
		return 0;
	}
	if (json_is_real(v)) {
		double d = json_real_value(v);
		if (d != floor(d) || d < 0 || d > 18446744073709551616.0)
			return oci_fail(c, field, "must be a non-negative integer in range");
		/* 2^64 - 1 rounds to 2^64 as a double: that is "unlimited". */
		*out = d >= 18446744073709551615.0 ? UINT64_MAX : (uint64_t)d;
		return 0;
	}
	return oci_fail(c, field, "must be a non-negative integer");
}

int oci_get_i64(struct oci_ctx *c, json_t *obj, const char *key, const char *field,
		bool required, bool *has, int64_t *out)
{
	json_t *v = member(obj, key);
	if (has)
		*has = v != NULL;
	*out = 0;
	if (!v)
		return missing(c, field, required);
	return value_i64(c, v, field, out);
}

int oci_get_u64(struct oci_ctx *c, json_t *obj, const char *key, const char *field,
		bool required, bool *has, uint64_t *out)
{
	json_t *v = member(obj, key);
	if (has)
		*has = v != NULL;
	*out = 0;
	if (!v)
		return missing(c, field, required);
	return oci_value_u64(c, v, field, out);
}

int oci_get_u32(struct oci_ctx *c, json_t *obj, const char *key, const char *field,
		bool required, bool *has, uint32_t *out)
{
	uint64_t v;
	*out = 0;
	int r = oci_get_u64(c, obj, key, field, required, has, &v);
	if (r < 0)
		return r;
	if (v > UINT32_MAX)
		return oci_fail(c, field, "must be at most %u", UINT32_MAX);
	*out = (uint32_t)v;
	return 0;
}

int oci_get_object(struct oci_ctx *c, json_t *obj, const char *key, const char *field,
		   bool required, json_t **out)
{
	json_t *v = member(obj, key);
	*out = NULL;
	if (!v)
		return missing(c, field, required);
	if (!json_is_object(v))
		return oci_fail(c, field, "must be an object");
	*out = v;
	return 0;
}

int oci_get_array(struct oci_ctx *c, json_t *obj, const char *key, const char *field,
		  bool required, json_t **out)
{
	json_t *v = member(obj, key);
	*out = NULL;
	if (!v)
		return missing(c, field, required);
	if (!json_is_array(v))
		return oci_fail(c, field, "must be an array");
	*out = v;
	return 0;
}

int oci_get_strv(struct oci_ctx *c, json_t *obj, const char *key, const char *field,
		 bool required, bool nonempty, const char ***out, size_t *n)
{
	json_t *v = member(obj, key);
	*out = NULL;
	*n = 0;
	if (!v) {
		if (required || nonempty)
			return oci_fail(c, field, "must be a non-empty array of strings");
		return 0;
	}
	if (!json_is_array(v) || (nonempty && json_array_size(v) == 0))
		return oci_fail(c, field, nonempty ? "must be a non-empty array of strings"
						   : "must be an array of strings");
	size_t len = json_array_size(v);
	const char **vec = calloc(len + 1, sizeof *vec);
	if (!vec)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++) {
		json_t *e = json_array_get(v, i);
		if (!json_is_string(e) || strlen(json_string_value(e)) != json_string_length(e)) {
			free(vec);
			char f[OCI_FIELD_MAX];
			oci_field_index(f, field, i);
			return oci_fail(c, f, "must be a string");
		}
		vec[i] = json_string_value(e);
	}
	*out = vec;
	*n = len;
	return 0;
}

int oci_check_abs(struct oci_ctx *c, const char *field, const char *path)
{
	if (!path || path[0] != '/')
		return oci_fail(c, field, "must be an absolute path");
	return 0;
}
