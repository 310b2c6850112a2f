/* SPDX-License-Identifier: MIT */
/* h_users.c: users administration (admin only, enforced by the route
 * table): create, list, read, and PATCH role, password, is_active and the
 * per-user limits. The last active admin can be neither demoted nor
 * disabled. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "handlers.h"
#include "response.h"
#include "scope.h"
#include "validate.h"
#include "views.h"

/* Largest daily cap accepted, in micro-credits (one million credits). */
#define USERS_CAP_MAX ((int64_t)1000000 * 1000000)

enum kiln_err
h_users_respond(struct request *req, int64_t id, int status)
{
	struct db_val p[1] = {DBV_I64(id)};
	struct db_res *res = NULL;
	enum kiln_err rc;

	if ((rc = db_exec(req->app->db, STMT_USER_GET, p, 1, &res, NULL, NULL)) != KILN_OK)
		return rc;
	if (db_res_rows(res) != 1) {
		db_res_free(res);
		return KILN_ERR_NOT_FOUND;
	}
	resp_json_new(req, status, view_user_new(res, 0));
	db_res_free(res);
	return KILN_OK;
}

static const char *const create_fields[] = {"email",    "password",  "role",
					    "username", "full_name", NULL};
static const char *const register_fields[] = {"email", "password", "username", "full_name", NULL};

enum kiln_err
h_users_create_from(struct request *req, int allow_role, enum kiln_err duplicate)
{
	json_t *errs = v_new(req), *obj = v_object(req, errs, 0);
	const char *email_in = NULL, *password = NULL, *role = NULL, *username = NULL;
	const char *full_name = NULL, *why = NULL, *which = NULL;
	char email[ACCOUNT_EMAIL_MAX + 1];
	size_t pwlen = 0;
	int64_t id = 0;
	enum kiln_err rc;

	if (obj != NULL) {
		/* without a role, "role" is an unknown field like any other */
		v_unknown(obj, allow_role ? create_fields : register_fields, errs);
		email_in = v_str(obj, "email", 1, 1024, errs, NULL);
		password = v_str(obj, "password", 1, ACCOUNT_PASSWORD_MAX + 1, errs, &pwlen);
		role = allow_role ? v_str(obj, "role", 0, 16, errs, NULL) : NULL;
		username = v_str(obj, "username", 0, 1024, errs, NULL);
		full_name = v_str(obj, "full_name", 0, 1024, errs, NULL);
	}
	if (role == NULL)
		role = "user";
	if (account_role_bit(role) == 0)
		v_err(errs, "role", "must be one of user, viewer, operator, admin",
		      "value_error.role");
	if (email_in != NULL && account_email_normalize(email_in, email, &why) != 0)
		v_err(errs, "email", why, "value_error.email");
	if (password != NULL && account_password_check(pwlen, &why) != 0)
		v_err(errs, "password", why, "value_error.password");
	if (username != NULL && account_username_check(username, &why) != 0)
		v_err(errs, "username", why, "value_error.username");
	if (full_name != NULL && account_full_name_check(full_name, &why) != 0)
		v_err(errs, "full_name", why, "value_error.full_name");
	if (v_reject(req, errs))
		return KILN_OK;
	rc = account_create(req->app->db, req->app->cfg, email, password, pwlen, username,
			    full_name, role, &id, &which);
	if (rc == KILN_ERR_CONFLICT) {
		resp_error(req, duplicate,
			   strcmp(which, "username") == 0 ? "Username already taken"
							  : "Email already registered");
		return KILN_OK;
	}
	if (rc != KILN_OK)
		return rc;
	return h_users_respond(req, id, 201);
}

enum kiln_err
h_users_create(struct request *req)
{
	return h_users_create_from(req, 1, KILN_ERR_CONFLICT);
}

static json_t *
user_item_new(struct request *req, const struct db_res *res, size_t row)
{
	(void)req;
	return view_user_new(res, row);
}

enum kiln_err
h_users_list(struct request *req)
{
	json_t *errs = v_new(req);
	int64_t page, size;
	struct db_val p[2];

	v_paging(req, errs, &page, &size);
	if (v_reject(req, errs))
		return KILN_OK;
	p[0] = DBV_I64(size);
	p[1] = DBV_I64((page - 1) * size);
	return scope_page(req, STMT_USER_LIST, STMT_USER_COUNT, p, 2, page, size, user_item_new);
}

enum kiln_err
h_users_get(struct request *req)
{
	return h_users_respond(req, route_param(req, "id")->id, 200);
}

struct patch {
	int64_t id;
	int set_role, set_active, set_max, set_cap, set_pw;
	const char *role;
	int active;
	int64_t max_jobs, cap; /* -1: clear (NULL) */
	char hash[CRYPTO_PASSWORD_HASH_MAX];
	int last_admin; /* OUT: the change would leave no active admin */
	int found;
};

static enum kiln_err
patch_txn(struct db *db, void *arg)
{
	struct patch *c = arg;
	struct db_val k[1] = {DBV_I64(c->id)};
	struct db_res *admins = NULL, *user = NULL;
	enum kiln_err rc;

	c->last_admin = c->found = 0;
	/* lock the active admins first, so two demotions cannot both pass */
	if ((rc = db_exec(db, STMT_USER_ACTIVE_ADMINS_LOCK, NULL, 0, &admins, NULL, NULL)) !=
		KILN_OK ||
	    (rc = db_exec(db, STMT_USER_GET, k, 1, &user, NULL, NULL)) != KILN_OK)
		goto out;
	if ((c->found = db_res_rows(user) == 1) == 0)
		goto out;
	if (strcmp(db_res_str(user, 0, 4, NULL), "admin") == 0 && db_res_i64(user, 0, 5) == 1 &&
	    db_res_rows(admins) <= 1 &&
	    ((c->set_role && strcmp(c->role, "admin") != 0) || (c->set_active && !c->active))) {
		c->last_admin = 1;
		goto out;
	}
	{
		struct db_val p[11] = {
		    DBV_I64(c->set_role),   c->set_role ? DBV_STR(c->role) : DBV_NULL,
		    DBV_I64(c->set_active), DBV_I64(c->active),
		    DBV_I64(c->set_max),    c->max_jobs < 0 ? DBV_NULL : DBV_I64(c->max_jobs),
		    DBV_I64(c->set_cap),    c->cap < 0 ? DBV_NULL : DBV_I64(c->cap),
		    DBV_I64(c->set_pw),     c->set_pw ? DBV_STR(c->hash) : DBV_NULL,
		    DBV_I64(c->id)};

		rc = db_exec(db, STMT_USER_UPDATE, p, 11, NULL, NULL, NULL);
	}
	/* a reset password, or a disabled account, ends the user's sessions
	 * (access tokens already stop at once for a disabled account; for a
	 * new password they end with their short lives) */
	if (rc == KILN_OK && (c->set_pw || (c->set_active && !c->active))) {
		struct db_val u[1] = {DBV_I64(c->id)};

		rc = db_exec(db, STMT_REFRESH_REVOKE_USER, u, 1, NULL, NULL, NULL);
	}
out:
	db_res_free(user);
	db_res_free(admins);
	return rc;
}

static const char *const patch_fields[] = {
    "role", "password", "is_active", "max_concurrent_jobs", "daily_cost_cap", NULL};

/* daily_cost_cap: a number of credits (<= 6 decimals) or null. */
static void
patch_cap(json_t *obj, struct patch *c, json_t *errs)
{
	json_t *v = json_object_get(obj, "daily_cost_cap");
	double d;

	if (v == NULL)
		return;
	c->set_cap = 1;
	c->cap = -1;
	if (json_is_null(v))
		return;
	if (!json_is_number(v)) {
		v_err(errs, "daily_cost_cap", "must be a number of credits or null",
		      "type_error.number");
		return;
	}
	d = json_number_value(v) * 1e6;
	if (!(d >= 0 && d <= (double)USERS_CAP_MAX) || (double)(int64_t)(d + 0.5) - d > 1e-3 ||
	    d - (double)(int64_t)(d + 0.5) > 1e-3) {
		v_err(errs, "daily_cost_cap",
		      "must be 0 to 1000000 credits with at most 6 decimals", "value_error.number");
		return;
	}
	c->cap = (int64_t)(d + 0.5);
}

enum kiln_err
h_users_patch(struct request *req)
{
	json_t *errs = v_new(req), *obj = v_object(req, errs, 0);
	struct patch c;
	const char *pw = NULL, *why = NULL;
	size_t pwlen = 0;
	int r;
	enum kiln_err rc;

	memset(&c, 0, sizeof(c));
	c.id = route_param(req, "id")->id;
	if (obj != NULL) {
		v_unknown(obj, patch_fields, errs);
		c.role = v_str(obj, "role", 0, 16, errs, NULL);
		c.set_role = c.role != NULL;
		if (c.set_role && account_role_bit(c.role) == 0)
			v_err(errs, "role", "must be one of user, viewer, operator, admin",
			      "value_error.role");
		if ((pw = v_str(obj, "password", 0, ACCOUNT_PASSWORD_MAX + 1, errs, &pwlen)) !=
			NULL &&
		    account_password_check(pwlen, &why) != 0)
			v_err(errs, "password", why, "value_error.password");
		c.set_active = v_bool(obj, "is_active", 0, &c.active, errs) == 1;
		r = v_int(obj, "max_concurrent_jobs", 0, 1, 0, 10000, &c.max_jobs, errs);
		c.set_max = r == 1 || r == -1;
		if (r == -1)
			c.max_jobs = -1;
		patch_cap(obj, &c, errs);
	}
	if (v_reject(req, errs))
		return KILN_OK;
	if (pw != NULL) {
		if ((rc = account_hash(req->app->cfg, pw, pwlen, c.hash)) != KILN_OK)
			return rc;
		c.set_pw = 1;
	}
	if ((rc = db_txn(req->app->db, patch_txn, &c)) != KILN_OK)
		return rc;
	if (!c.found)
		return KILN_ERR_NOT_FOUND;
	if (c.last_admin) {
		resp_error(req, KILN_ERR_CONFLICT,
			   "cannot demote or disable the last active admin");
		return KILN_OK;
	}
	return h_users_respond(req, c.id, 200);
}
