/* SPDX-License-Identifier: MIT */
/* h_apikeys.c: the caller's API keys. A key ("kiln_" + 32 random bytes,
 * base64url) is shown once, at creation; only its SHA-256 is stored. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "handlers.h"
#include "parse.h"
#include "response.h"
#include "validate.h"
#include "views.h"

#define APIKEY_NAME_MAX 100
#define APIKEY_PREFIX_LEN 12 /* "kiln_" and 7 characters: enough to recognise a key */

/* Parses "YYYY-MM-DDTHH:MM:SSZ" (UTC) into OUT: *t. 0 or -1. */
static int
apikey_parse_time(const char *s, time_t *t)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
	struct tm tm;
	int64_t v[6];
	size_t i;

	if (strlen(s) != sizeof(shape) - 1)
		return -1;
	for (i = 0; i < sizeof(shape) - 1; i++)
		if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i])
			return -1;
	if (parse_i64n(s, 4, 1970, 9999, &v[0]) || parse_i64n(s + 5, 2, 1, 12, &v[1]) ||
	    parse_i64n(s + 8, 2, 1, 31, &v[2]) || parse_i64n(s + 11, 2, 0, 23, &v[3]) ||
	    parse_i64n(s + 14, 2, 0, 59, &v[4]) || parse_i64n(s + 17, 2, 0, 59, &v[5]))
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = (int)v[0] - 1900;
	tm.tm_mon = (int)v[1] - 1;
	tm.tm_mday = (int)v[2];
	tm.tm_hour = (int)v[3];
	tm.tm_min = (int)v[4];
	tm.tm_sec = (int)v[5];
	*t = timegm(&tm);
	/* timegm normalises 31 February into March: refuse such dates */
	return gmtime_r(t, &tm) != NULL && tm.tm_mday == (int)v[2] ? 0 : -1;
}

static const char *const create_fields[] = {"name", "expires_at", NULL};

enum kiln_err
h_apikeys_create(struct request *req)
{
	json_t *errs = v_new(req), *obj = v_object(req, errs, 0), *body;
	const char *name = NULL, *exp = NULL;
	char key[AUTH_TOKEN_LEN + 8], hash[65], prefix[APIKEY_PREFIX_LEN + 1], when[32];
	struct db_res *res = NULL;
	uint64_t id = 0;
	time_t t = 0;
	enum kiln_err rc;

	if (obj != NULL) {
		v_unknown(obj, create_fields, errs);
		name = v_str(obj, "name", 1, APIKEY_NAME_MAX, errs, NULL);
		exp = v_str(obj, "expires_at", 0, 64, errs, NULL);
	}
	if (name != NULL && name[0] == '\0')
		v_err(errs, "name", "must not be empty", "value_error.any_str.min_length");
	if (exp != NULL && (apikey_parse_time(exp, &t) != 0 || t <= time(NULL)))
		v_err(errs, "expires_at", "must be a future time like 2030-01-15T10:00:00Z",
		      "value_error.datetime");
	if (v_reject(req, errs))
		return KILN_OK;
	auth_new_secret(AUTH_API_KEY_PREFIX, key, sizeof(key), hash);
	memcpy(prefix, key, APIKEY_PREFIX_LEN);
	prefix[APIKEY_PREFIX_LEN] = '\0';
	if (exp != NULL) {
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	}
	{
		struct db_val p[5] = {DBV_I64(req->user_id), DBV_STR(name), DBV_STR(prefix),
				      DBV_STR(hash), exp ? DBV_STR(when) : DBV_NULL};
		struct db_val g[2];

		if ((rc = db_exec(req->app->db, STMT_APIKEY_INSERT, p, 5, NULL, NULL, &id)) !=
		    KILN_OK)
			return rc;
		g[0] = DBV_I64((int64_t)id);
		g[1] = DBV_I64(req->user_id);
		if ((rc = db_exec(req->app->db, STMT_APIKEY_GET, g, 2, &res, NULL, NULL)) !=
		    KILN_OK)
			return rc;
	}
	if (db_res_rows(res) != 1) {
		db_res_free(res);
		return KILN_ERR_INTERNAL;
	}
	body = view_api_key_new(res, 0);
	db_res_free(res);
	json_object_set_new(body, "key", json_string(key));
	resp_json_new(req, 201, body);
	return KILN_OK;
}

enum kiln_err
h_apikeys_list(struct request *req)
{
	struct db_val p[1] = {DBV_I64(req->user_id)};
	struct db_res *res = NULL;
	json_t *items;
	enum kiln_err rc;
	size_t i, n;

	if ((rc = db_exec(req->app->db, STMT_APIKEY_LIST, p, 1, &res, NULL, NULL)) != KILN_OK)
		return rc;
	if ((items = json_array()) == NULL)
		abort();
	n = db_res_rows(res);
	for (i = 0; i < n; i++)
		json_array_append_new(items, view_api_key_new(res, i));
	db_res_free(res);
	resp_json_new(req, 200, view_list_new(items, 1, (int64_t)(n ? n : 1), (int64_t)n));
	return KILN_OK;
}

enum kiln_err
h_apikeys_delete(struct request *req)
{
	struct db_val p[2] = {DBV_I64(route_param(req, "id")->id), DBV_I64(req->user_id)};
	uint64_t affected = 0;
	enum kiln_err rc;

	if ((rc = db_exec(req->app->db, STMT_APIKEY_REVOKE, p, 2, NULL, &affected, NULL)) !=
	    KILN_OK)
		return rc;
	if (affected != 1)
		return KILN_ERR_NOT_FOUND; /* absent, revoked, or another user's */
	resp_empty(req, 204);
	return KILN_OK;
}
