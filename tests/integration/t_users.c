/* SPDX-License-Identifier: MIT */
/* t_users.c: roles and users administration through nginx: the role
 * matrix, admin CRUD, the last-admin guard, a disabled user's tokens
 * dying at once, per-user rate limits (429 then recovery), the failed-login
 * throttle, rehashing on login, and kilnctl user. The stack runs with short
 * windows (tests/integration/run.sh) so nothing waits a real minute. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "db.h"
#include "it.h"

#define LIT(s) s, strlen(s)

static char admin_token[2048];

/* Creates a user through the admin API; returns the id. */
static long long
create_user(const char *email, const char *role)
{
	char body[512];
	struct it_resp r;
	long long id = 0;
	json_t *j;

	snprintf(body, sizeof(body),
		 "{\"email\":\"%s\",\"password\":\"securepass123\",\"role\":\"%s\"}", email, role);
	CU_ASSERT_EQUAL(it_call("POST", "/api/v1/users", admin_token, body, &r), 201);
	if ((j = it_json(&r)) != NULL) {
		id = json_integer_value(json_object_get(j, "id"));
		CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "role")), role);
		json_decref(j);
	}
	it_resp_free(&r);
	return id;
}

/* Logs in as email; copies the refresh token to OUT: refresh. The status. */
static long
login_refresh(const char *email, const char *pw, char *refresh, size_t n)
{
	char body[512];
	struct it_resp r;
	json_t *j;
	long s;

	snprintf(body, sizeof(body), "{\"email\":\"%s\",\"password\":\"%s\"}", email, pw);
	it_http("POST", "/api/v1/auth/login", "application/json", body, strlen(body), NULL, 0, &r);
	s = r.status;
	refresh[0] = '\0';
	if (s == 200 && (j = it_json(&r)) != NULL) {
		const char *t = json_string_value(json_object_get(j, "refresh_token"));

		snprintf(refresh, n, "%s", t ? t : "");
		json_decref(j);
	}
	it_resp_free(&r);
	return s;
}

/* POST /auth/refresh with refresh (which it rotates): the status. */
static long
refresh_status(const char *refresh)
{
	char body[512];
	struct it_resp r;
	long s;

	snprintf(body, sizeof(body), "{\"refresh_token\":\"%s\"}", refresh);
	it_http("POST", "/api/v1/auth/refresh", "application/json", body, strlen(body), NULL, 0,
		&r);
	s = r.status;
	it_resp_free(&r);
	return s;
}

static int
users_init(void)
{
	return it_admin_login(admin_token, sizeof(admin_token)) == 0 ? 0 : 1;
}

static void
test_role_matrix(void)
{
	char user[2048], viewer[2048], operator_[2048];

	create_user("matrix-viewer@example.com", "viewer");
	create_user("matrix-operator@example.com", "operator");
	create_user("matrix-user@example.com", "user");
	CU_ASSERT_EQUAL(
	    it_login("matrix-viewer@example.com", "securepass123", viewer, sizeof(viewer)), 200);
	CU_ASSERT_EQUAL(
	    it_login("matrix-operator@example.com", "securepass123", operator_, sizeof(operator_)),
	    200);
	CU_ASSERT_EQUAL(it_login("matrix-user@example.com", "securepass123", user, sizeof(user)),
			200);
	/* users administration is the admin's alone */
	CU_ASSERT_EQUAL(it_call_status("GET", "/api/v1/users", user, NULL), 403);
	CU_ASSERT_EQUAL(it_call_status("GET", "/api/v1/users", viewer, NULL), 403);
	CU_ASSERT_EQUAL(it_call_status("GET", "/api/v1/users", operator_, NULL), 403);
	CU_ASSERT_EQUAL(it_call_status("GET", "/api/v1/users", admin_token, NULL), 200);
	CU_ASSERT_EQUAL(
	    it_call_status("POST", "/api/v1/users", viewer,
			   "{\"email\":\"v2@example.com\",\"password\":\"securepass123\"}"),
	    403);
	CU_ASSERT_EQUAL(it_call_status("PATCH", "/api/v1/users/1", viewer, "{\"role\":\"admin\"}"),
			403);
	CU_ASSERT_EQUAL(it_call_status("PATCH", "/api/v1/users/1", user, "{\"role\":\"admin\"}"),
			403);
	/* everyone reads themselves */
	CU_ASSERT_EQUAL(it_call_status("GET", "/api/v1/auth/me", viewer, NULL), 200);
	CU_ASSERT_EQUAL(it_call_status("GET", "/api/v1/auth/me", operator_, NULL), 200);
}

static void
test_admin_crud(void)
{
	long long id = create_user("crud@example.com", "user");
	char path[128];
	struct it_resp r;
	json_t *j;

	CU_ASSERT_FATAL(id > 0);
	CU_ASSERT_EQUAL(
	    it_call_status("POST", "/api/v1/users", admin_token,
			   "{\"email\":\"CRUD@example.com\",\"password\":\"securepass123\"}"),
	    409);
	CU_ASSERT_EQUAL(
	    it_call_status("POST", "/api/v1/users", admin_token,
			   "{\"email\":\"x@example.com\",\"password\":\"securepass123\","
			   "\"role\":\"root\"}"),
	    422);
	snprintf(path, sizeof(path), "/api/v1/users/%lld", id);
	CU_ASSERT_EQUAL(
	    it_call("PATCH", path, admin_token,
		    "{\"role\":\"operator\",\"max_concurrent_jobs\":3,\"daily_cost_cap\":12.5}",
		    &r),
	    200);
	j = it_json(&r);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "role")), "operator");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "max_concurrent_jobs")), 3);
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(j, "daily_cost_cap")), 12.5, 1e-9);
	json_decref(j);
	it_resp_free(&r);
	/* null clears an override; other fields stay */
	CU_ASSERT_EQUAL(it_call("PATCH", path, admin_token, "{\"max_concurrent_jobs\":null}", &r),
			200);
	j = it_json(&r);
	CU_ASSERT(json_is_null(json_object_get(j, "max_concurrent_jobs")));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "role")), "operator");
	json_decref(j);
	it_resp_free(&r);
	CU_ASSERT_EQUAL(it_call_status("PATCH", path, admin_token, "{\"colour\":\"blue\"}"), 422);
	CU_ASSERT_EQUAL(it_call_status("PATCH", path, admin_token, "{\"is_active\":\"no\"}"), 422);
	CU_ASSERT_EQUAL(it_call_status("PATCH", path, admin_token, "{\"daily_cost_cap\":-1}"), 422);
	CU_ASSERT_EQUAL(it_call_status("PATCH", path, admin_token, "{\"password\":\"short\"}"),
			422);
	CU_ASSERT_EQUAL(it_call_status("PATCH", "/api/v1/users/999999", admin_token, "{}"), 404);
	CU_ASSERT_EQUAL(it_call_status("GET", "/api/v1/users/999999", admin_token, NULL), 404);
	CU_ASSERT_EQUAL(it_call_status("GET", "/api/v1/users/abc", admin_token, NULL), 404);
	CU_ASSERT_EQUAL(it_call_status("GET", path, admin_token, NULL), 200);
	/* a new password works at once */
	CU_ASSERT_EQUAL(
	    it_call_status("PATCH", path, admin_token, "{\"password\":\"another-pass-1\"}"), 200);
	{
		char t[2048];

		CU_ASSERT_EQUAL(it_login("crud@example.com", "another-pass-1", t, sizeof(t)), 200);
		CU_ASSERT_EQUAL(it_login("crud@example.com", "securepass123", t, sizeof(t)), 401);
	}
	/* paging */
	CU_ASSERT_EQUAL(it_call("GET", "/api/v1/users?page=1&page_size=2", admin_token, NULL, &r),
			200);
	j = it_json(&r);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(j, "items")), 2);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "page_size")), 2);
	CU_ASSERT(json_integer_value(json_object_get(j, "total")) >= 3);
	json_decref(j);
	it_resp_free(&r);
	CU_ASSERT_EQUAL(it_call_status("GET", "/api/v1/users?page_size=101", admin_token, NULL),
			422);
	CU_ASSERT_EQUAL(it_call_status("GET", "/api/v1/users?page=0", admin_token, NULL), 422);
}

static void
test_disabled_user_and_last_admin(void)
{
	long long id = create_user("disable-me@example.com", "user");
	char t[2048], path[128];
	struct it_resp r;
	long long admin_id = 0;
	json_t *j;

	CU_ASSERT_EQUAL(it_login("disable-me@example.com", "securepass123", t, sizeof(t)), 200);
	CU_ASSERT_EQUAL(it_call_status("GET", "/api/v1/auth/me", t, NULL), 200);
	snprintf(path, sizeof(path), "/api/v1/users/%lld", id);
	CU_ASSERT_EQUAL(it_call_status("PATCH", path, admin_token, "{\"is_active\":false}"), 200);
	/* the token issued before is dead at once, and login says 403 */
	CU_ASSERT_EQUAL(it_call_status("GET", "/api/v1/auth/me", t, NULL), 401);
	CU_ASSERT_EQUAL(it_login("disable-me@example.com", "securepass123", t, sizeof(t)), 403);
	/* the only active admin can be neither demoted nor disabled */
	it_call("GET", "/api/v1/auth/me", admin_token, NULL, &r);
	j = it_json(&r);
	admin_id = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	it_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/users/%lld", admin_id);
	CU_ASSERT_EQUAL(it_call_status("PATCH", path, admin_token, "{\"role\":\"user\"}"), 409);
	CU_ASSERT_EQUAL(it_call_status("PATCH", path, admin_token, "{\"is_active\":false}"), 409);
	CU_ASSERT_EQUAL(it_call_status("GET", "/api/v1/users", admin_token, NULL), 200);
	/* with a second admin, the first may step down (then is restored) */
	{
		long long second = create_user("second-admin@example.com", "admin");
		char st[2048], p2[128];

		CU_ASSERT_EQUAL(
		    it_login("second-admin@example.com", "securepass123", st, sizeof(st)), 200);
		CU_ASSERT_EQUAL(
		    it_call_status("PATCH", path, admin_token, "{\"role\":\"operator\"}"), 200);
		CU_ASSERT_EQUAL(it_call_status("GET", "/api/v1/users", admin_token, NULL), 403);
		CU_ASSERT_EQUAL(it_call_status("PATCH", path, st, "{\"role\":\"admin\"}"), 200);
		CU_ASSERT_EQUAL(it_call_status("GET", "/api/v1/users", admin_token, NULL), 200);
		snprintf(p2, sizeof(p2), "/api/v1/users/%lld", second);
		CU_ASSERT_EQUAL(it_call_status("PATCH", p2, admin_token, "{\"is_active\":false}"),
				200);
	}
}

struct recover_ctx {
	const char *token;
};

static int
passes_again(void *arg)
{
	struct recover_ctx *c = arg;

	return it_call_status("GET", "/api/v1/auth/me", c->token, NULL) == 200;
}

static void
test_rate_limit(void)
{
	char t[2048], buf[64];
	struct it_resp r;
	struct recover_ctx c = {t};
	int i, limited = 0, ok = 0;

	create_user("busy@example.com", "user");
	CU_ASSERT_EQUAL_FATAL(it_login("busy@example.com", "securepass123", t, sizeof(t)), 200);
	/* the test stack allows 200 requests per 2 s window */
	for (i = 0; i < 1000 && !limited; i++) {
		it_call("GET", "/api/v1/auth/me", t, NULL, &r);
		if (r.status == 429) {
			limited = 1;
			CU_ASSERT_PTR_NOT_NULL(it_header(&r, "Retry-After", buf, sizeof(buf)));
			CU_ASSERT(strcmp(buf, "1") == 0 || strcmp(buf, "2") == 0);
			/* kiln-api's, not also nginx's (which sets one on its own 429) */
			CU_ASSERT_EQUAL(it_header_count(&r, "Retry-After"), 1);
			CU_ASSERT_PTR_NOT_NULL(
			    it_header(&r, "X-RateLimit-Remaining", buf, sizeof(buf)));
			CU_ASSERT_STRING_EQUAL(buf, "0");
			CU_ASSERT_PTR_NOT_NULL(
			    it_header(&r, "X-RateLimit-Limit", buf, sizeof(buf)));
			CU_ASSERT_STRING_EQUAL(buf, "200");
			CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "rate_limited"));
		} else {
			CU_ASSERT_EQUAL(r.status, 200);
			ok++;
		}
		it_resp_free(&r);
	}
	CU_ASSERT(limited);
	CU_ASSERT(ok >= 200);
	/* another user is not affected */
	CU_ASSERT_EQUAL(it_call_status("GET", "/api/v1/auth/me", admin_token, NULL), 200);
	/* and the window ends */
	CU_ASSERT(it_wait(5000, passes_again, &c));
}

struct throttle_ctx {
	char token[2048];
};

static int
login_passes(void *arg)
{
	struct throttle_ctx *c = arg;

	return it_login("throttle@example.com", "securepass123", c->token, sizeof(c->token)) == 200;
}

static void
test_login_throttle(void)
{
	struct throttle_ctx c;
	char t[2048];
	struct it_resp r;
	char buf[32];
	int i;

	create_user("throttle@example.com", "user");
	/* the test stack allows 5 failures per email per 3 s */
	for (i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(it_login("throttle@example.com", "wrong-password", t, sizeof(t)),
				401);
	/* now even the right password is refused, with Retry-After */
	it_http("POST", "/api/v1/auth/login", "application/json",
		LIT("{\"email\":\"throttle@example.com\",\"password\":\"securepass123\"}"), NULL, 0,
		&r);
	CU_ASSERT_EQUAL(r.status, 429);
	CU_ASSERT_PTR_NOT_NULL(it_header(&r, "Retry-After", buf, sizeof(buf)));
	it_resp_free(&r);
	/* other accounts log in as usual */
	CU_ASSERT_EQUAL(it_login("busy@example.com", "securepass123", t, sizeof(t)), 200);
	CU_ASSERT(it_wait(6000, login_passes, &c));
}

static void
test_kilnctl_user(void)
{
	static const char *const create[] = {"user",   "create",   "--email", "Ops@Example.com",
					     "--role", "operator", NULL};
	static const char *const again[] = {"user", "create", "--email", "ops@example.com", NULL};
	static const char *const passwd[] = {
	    "user", "passwd", "--email", "ops@example.com", "--password-stdin", NULL};
	static const char *const list[] = {"user", "list", NULL};
	static const char *const badrole[] = {"user",   "create", "--email", "r@example.com",
					      "--role", "root",   NULL};
	char out[8192], pw[128], t[2048], rt[256];
	const char *p;

	CU_ASSERT_EQUAL(it_kilnctl(create, NULL, out, sizeof(out)), 0);
	p = strstr(out, "password: ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(sscanf(p, "password: %127s", pw), 1);
	CU_ASSERT_EQUAL(login_refresh("ops@example.com", pw, rt, sizeof(rt)), 200);
	CU_ASSERT_EQUAL(it_kilnctl(again, NULL, out, sizeof(out)), 1);
	CU_ASSERT_EQUAL(it_kilnctl(badrole, NULL, out, sizeof(out)), 2);
	CU_ASSERT_EQUAL(it_kilnctl(passwd, "a-new-password-42\n", out, sizeof(out)), 0);
	CU_ASSERT_PTR_NULL(strstr(out, "a-new-password-42")); /* never echoed */
	CU_ASSERT_EQUAL(refresh_status(rt), 401);             /* the old session ended */
	CU_ASSERT_EQUAL(it_login("ops@example.com", "a-new-password-42", t, sizeof(t)), 200);
	CU_ASSERT_EQUAL(it_login("ops@example.com", pw, t, sizeof(t)), 401);
	CU_ASSERT_EQUAL(it_kilnctl(list, NULL, out, sizeof(out)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "ops@example.com"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "operator"));
}

/* The password hash stored for email, from the database. */
static void
stored_hash(const char *email, char *out, size_t n)
{
	char path[4096], err[CONFIG_ERR_MAX];
	struct kiln_config cfg;
	struct db *db;
	struct db_val p[1] = {DBV_STR(email)};
	struct db_res *res = NULL;

	out[0] = '\0';
	if (config_load(it_path("kiln.conf", path, sizeof(path)), &cfg, err) != KILN_OK)
		return;
	db = db_new(&cfg);
	if (db_exec(db, STMT_USER_LOGIN, p, 1, &res, NULL, NULL) == KILN_OK &&
	    db_res_rows(res) == 1)
		snprintf(out, n, "%s", db_res_str(res, 0, 2, NULL));
	db_res_free(res);
	db_free(db);
}

static void
test_rehash_on_login(void)
{
	char before[256], after[256], t[2048], rt[256];

	create_user("rehash@example.com", "user");
	stored_hash("rehash@example.com", before, sizeof(before));
	CU_ASSERT_PTR_NOT_NULL(strstr(before, "$argon2id$v=19$m=8192,"));
	CU_ASSERT_EQUAL(login_refresh("rehash@example.com", "securepass123", rt, sizeof(rt)), 200);
	CU_ASSERT_EQUAL_FATAL(it_api_conf("password_mem", "8m", "16m"), 0);
	CU_ASSERT_EQUAL(it_login("rehash@example.com", "securepass123", t, sizeof(t)), 200);
	CU_ASSERT_EQUAL(refresh_status(rt), 200); /* a rehash ends no session */
	stored_hash("rehash@example.com", after, sizeof(after));
	CU_ASSERT_PTR_NOT_NULL(strstr(after, "$argon2id$v=19$m=16384,"));
	CU_ASSERT_EQUAL(it_login("rehash@example.com", "securepass123", t, sizeof(t)), 200);
	CU_ASSERT_EQUAL(it_api_conf("password_mem", "16m", "8m"), 0);
	CU_ASSERT_EQUAL(it_login("rehash@example.com", "securepass123", t, sizeof(t)), 200);
}

/* A password set by an admin, or a disabled account, ends every session
 * of the user: a refresh token from before is refused (kilnctl's passwd
 * does the same, in test_kilnctl_user; a rehash at login does not, in
 * test_rehash_on_login). */
static void
test_password_ends_sessions(void)
{
	static const char email[] = "sessions@example.com";
	char r1[256], r2[256], path[64];
	long long id = create_user(email, "user");

	snprintf(path, sizeof(path), "/api/v1/users/%lld", id);
	CU_ASSERT_EQUAL(login_refresh(email, "securepass123", r1, sizeof(r1)), 200);
	CU_ASSERT_EQUAL(login_refresh(email, "securepass123", r2, sizeof(r2)), 200);
	CU_ASSERT_EQUAL(refresh_status(r2), 200); /* sessions work before */
	CU_ASSERT_EQUAL(
	    it_call_status("PATCH", path, admin_token, "{\"password\":\"another-pass-77\"}"), 200);
	CU_ASSERT_EQUAL(refresh_status(r1), 401);
	/* a login after it holds */
	CU_ASSERT_EQUAL(login_refresh(email, "another-pass-77", r1, sizeof(r1)), 200);
	CU_ASSERT_EQUAL(login_refresh(email, "another-pass-77", r2, sizeof(r2)), 200);
	CU_ASSERT_EQUAL(refresh_status(r2), 200);
	/* disabled, then enabled again: the session from before stays ended */
	CU_ASSERT_EQUAL(it_call_status("PATCH", path, admin_token, "{\"is_active\":false}"), 200);
	CU_ASSERT_EQUAL(it_call_status("PATCH", path, admin_token, "{\"is_active\":true}"), 200);
	CU_ASSERT_EQUAL(refresh_status(r1), 401);
	/* a change of role alone ends nothing */
	CU_ASSERT_EQUAL(login_refresh(email, "another-pass-77", r1, sizeof(r1)), 200);
	CU_ASSERT_EQUAL(it_call_status("PATCH", path, admin_token, "{\"role\":\"viewer\"}"), 200);
	CU_ASSERT_EQUAL(refresh_status(r1), 200);
}

void
suite_users(void)
{
	CU_pSuite s = CU_add_suite("roles and users", users_init, NULL);

	CU_add_test(s, "the role matrix is enforced by the route table", test_role_matrix);
	CU_add_test(s, "admin creates, reads, lists and patches users", test_admin_crud);
	CU_add_test(s, "disabled users lose their tokens; the last admin stays",
		    test_disabled_user_and_last_admin);
	CU_add_test(s, "per-user rate limit: 429 with headers, then recovery", test_rate_limit);
	CU_add_test(s, "failed logins are throttled per email", test_login_throttle);
	CU_add_test(s, "kilnctl user create, passwd and list", test_kilnctl_user);
	CU_add_test(s, "a password is rehashed when the cost changes", test_rehash_on_login);
	CU_add_test(s, "a new password or a disabled account ends the user's sessions",
		    test_password_ends_sessions);
}
