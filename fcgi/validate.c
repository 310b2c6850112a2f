/* SPDX-License-Identifier: MIT */
/* validate.c: field readers that collect 422 details (see validate.h). */
#include "validate.h"

#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "response.h"

static void
v_decref(void *p)
{
	json_decref(p);
}

json_t *
v_new(struct request *req)
{
	json_t *errs = json_array();

	if (errs == NULL)
		abort();
	arena_defer(req->arena, v_decref, errs);
	return errs;
}

void
v_err(json_t *errs, const char *field, const char *msg, const char *type)
{
	json_t *e =
	    json_pack("{s:[s,s], s:s, s:s}", "loc", "body", field, "msg", msg, "type", type);

	if (e == NULL)
		abort();
	json_array_append_new(errs, e);
}

void
v_nest(json_t *errs, size_t from, const char *parent)
{
	size_t i;

	for (i = from; i < json_array_size(errs); i++) {
		json_t *loc = json_object_get(json_array_get(errs, i), "loc");

		if (json_is_array(loc) && json_array_insert_new(loc, 1, json_string(parent)) != 0)
			abort();
	}
}

json_t *
v_object(struct request *req, json_t *errs, int allow_empty)
{
	static json_t *empty;

	if (req->json == NULL && allow_empty) {
		if (empty == NULL && (empty = json_object()) == NULL)
			abort();
		return empty;
	}
	if (!json_is_object(req->json)) {
		v_err(errs, "",
		      req->json ? "body must be a JSON object" : "a JSON body is required",
		      "type_error.object");
		return NULL;
	}
	return req->json;
}

void
v_unknown(json_t *obj, const char *const *allowed, json_t *errs)
{
	const char *key;
	json_t *val;

	json_object_foreach(obj, key, val)
	{
		const char *const *a;
		int ok = 0;

		(void)val;
		for (a = allowed; *a != NULL && !ok; a++)
			ok = strcmp(*a, key) == 0;
		if (!ok)
			v_err(errs, key, "unknown field", "value_error.extra");
	}
}

const char *
v_str(json_t *obj, const char *name, int required, size_t max, json_t *errs, size_t *len)
{
	json_t *v = json_object_get(obj, name);

	if (v == NULL || json_is_null(v)) {
		if (required)
			v_err(errs, name, "field required", "value_error.missing");
		return NULL;
	}
	if (!json_is_string(v)) {
		v_err(errs, name, "must be a string", "type_error.str");
		return NULL;
	}
	if (json_string_length(v) > max) {
		v_err(errs, name, "too long", "value_error.any_str.max_length");
		return NULL;
	}
	if (strlen(json_string_value(v)) != json_string_length(v)) {
		v_err(errs, name, "must not contain NUL characters", "value_error.str");
		return NULL;
	}
	if (len != NULL)
		*len = json_string_length(v);
	return json_string_value(v);
}

int
v_int(json_t *obj, const char *name, int required, int nullable, int64_t min, int64_t max,
      int64_t *out, json_t *errs)
{
	json_t *v = json_object_get(obj, name);

	if (v == NULL) {
		if (required) {
			v_err(errs, name, "field required", "value_error.missing");
			return -2;
		}
		return 0;
	}
	if (json_is_null(v)) {
		if (nullable)
			return -1;
		v_err(errs, name, "must not be null", "type_error.none.not_allowed");
		return -2;
	}
	if (!json_is_integer(v)) {
		v_err(errs, name, "must be an integer", "type_error.integer");
		return -2;
	}
	if (json_integer_value(v) < min || json_integer_value(v) > max) {
		v_err(errs, name, "out of range", "value_error.number.out_of_range");
		return -2;
	}
	*out = (int64_t)json_integer_value(v);
	return 1;
}

int
v_bool(json_t *obj, const char *name, int required, int *out, json_t *errs)
{
	json_t *v = json_object_get(obj, name);

	if (v == NULL) {
		if (required) {
			v_err(errs, name, "field required", "value_error.missing");
			return -2;
		}
		return 0;
	}
	if (!json_is_boolean(v)) {
		v_err(errs, name, "must be a boolean", "type_error.bool");
		return -2;
	}
	*out = json_is_true(v);
	return 1;
}

int
v_reject(struct request *req, json_t *errs)
{
	if (json_array_size(errs) == 0)
		return 0;
	resp_validation_new(req, json_incref(errs));
	return 1;
}

int
v_no_fields(struct request *req)
{
	static const char *const none[] = {NULL};
	json_t *errs = v_new(req), *obj = v_object(req, errs, 1);

	if (obj != NULL)
		v_unknown(obj, none, errs);
	return v_reject(req, errs);
}

void
v_qerr(json_t *errs, const char *field, const char *msg, const char *type)
{
	json_t *e =
	    json_pack("{s:[s,s], s:s, s:s}", "loc", "query", field, "msg", msg, "type", type);

	if (e == NULL)
		abort();
	json_array_append_new(errs, e);
}

void
v_paging(struct request *req, json_t *errs, int64_t *page, int64_t *page_size)
{
	const char *p = request_query(req, "page");
	const char *ps = request_query(req, "page_size");
	const char *name = "page_size";

	*page = 1;
	*page_size = V_PAGE_SIZE_DEFAULT;
	if (ps == NULL && (ps = request_query(req, "limit")) != NULL)
		name = "limit";
	if (p != NULL && parse_i64(p, 1, 1000000000, page) != KILN_OK)
		v_qerr(errs, "page", "must be an integer >= 1", "value_error.number");
	if (ps != NULL && parse_i64(ps, 1, V_PAGE_SIZE_MAX, page_size) != KILN_OK)
		v_qerr(errs, name, "must be an integer from 1 to 100", "value_error.number");
}
