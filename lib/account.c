/* SPDX-License-Identifier: MIT */
/* account.c: user rules and creation shared by kiln-api and kilnctl. */
#include "account.h"

#include <string.h>

static const char *const account_roles[] = {"user", "viewer", "operator", "admin"};

unsigned
account_role_bit(const char *role)
{
	unsigned i;

	for (i = 0; role != NULL && i < sizeof(account_roles) / sizeof(account_roles[0]); i++)
		if (strcmp(role, account_roles[i]) == 0)
			return 1u << i;
	return 0;
}

static int
account_is_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

int
account_email_normalize(const char *in, char out[ACCOUNT_EMAIL_MAX + 1], const char **why)
{
	size_t start = 0, end = strlen(in), n, i, at = 0, ats = 0;

	while (start < end && (in[start] == ' ' || in[start] == '\t'))
		start++;
	while (end > start && (in[end - 1] == ' ' || in[end - 1] == '\t'))
		end--;
	n = end - start;
	if (n == 0) {
		*why = "email is required";
		return -1;
	}
	if (n > ACCOUNT_EMAIL_MAX) {
		*why = "email is longer than 254 characters";
		return -1;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[start + i];

		if (account_is_ctl(c) || c == ' ' || c == '<' || c == '>' || c == '"' || c == ',' ||
		    c == ';' || c == '\\' || c == '(' || c == ')' || c == '[' || c == ']') {
			*why = "email contains a character that is not allowed";
			return -1;
		}
		out[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : (char)c;
		if (c == '@') {
			at = i;
			ats++;
		}
	}
	out[n] = '\0';
	if (ats != 1 || at == 0 || at > 64 || at == n - 1) {
		*why = "email must look like name@example.com";
		return -1;
	}
	{
		const char *dom = out + at + 1;
		size_t dl = n - at - 1, label;

		if (strchr(dom, '.') == NULL || dom[0] == '.' || dom[dl - 1] == '.' ||
		    strstr(dom, "..") != NULL || dom[0] == '-' || strstr(dom, "-.") != NULL ||
		    strstr(dom, ".-") != NULL || dom[dl - 1] == '-' || out[0] == '.' ||
		    out[at - 1] == '.' || memmem(out, at, "..", 2) != NULL) {
			*why = "email must look like name@example.com";
			return -1;
		}
		for (i = 0, label = 0; i < dl; i++) {
			char c = dom[i];

			label = c == '.' ? 0 : label + 1;
			if (label > 63) {
				*why = "email domain has a label longer than 63 characters";
				return -1;
			}
			if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
			      c == '.' || (unsigned char)c >= 0x80)) {
				*why = "email domain contains a character that is not allowed";
				return -1;
			}
		}
	}
	return 0;
}

int
account_username_check(const char *u, const char **why)
{
	size_t n = strlen(u), i;

	if (n < ACCOUNT_USERNAME_MIN || n > ACCOUNT_USERNAME_MAX) {
		*why = "username must be 3 to 64 characters";
		return -1;
	}
	for (i = 0; i < n; i++) {
		char c = u[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-')) {
			*why = "username may contain only letters, digits, '.', '_' and '-'";
			return -1;
		}
	}
	return 0;
}

int
account_password_check(size_t len, const char **why)
{
	if (len < ACCOUNT_PASSWORD_MIN) {
		*why = "password must be at least 8 characters";
		return -1;
	}
	if (len > ACCOUNT_PASSWORD_MAX) {
		*why = "password must be at most 1024 bytes";
		return -1;
	}
	return 0;
}

int
account_full_name_check(const char *name, const char **why)
{
	size_t n = strlen(name), i;

	if (n > ACCOUNT_FULL_NAME_MAX) {
		*why = "full_name must be at most 200 bytes";
		return -1;
	}
	for (i = 0; i < n; i++)
		if (account_is_ctl((unsigned char)name[i])) {
			*why = "full_name contains a control character";
			return -1;
		}
	return 0;
}

void
account_password_cost(const struct kiln_config *cfg, struct crypto_password_cost *c)
{
	c->ops = (unsigned long long)cfg->password_ops;
	c->mem = (size_t)cfg->password_mem;
}

enum kiln_err
account_hash(const struct kiln_config *cfg, const char *password, size_t pwlen,
	     char hash[CRYPTO_PASSWORD_HASH_MAX])
{
	struct crypto_password_cost c;

	account_password_cost(cfg, &c);
	return crypto_password_hash(password, pwlen, &c, hash);
}

struct account_new {
	const char *email, *username, *full_name, *role, *hash;
	const char **which;
	int64_t id;
};

static enum kiln_err
account_exists(struct db *db, enum db_stmt_id stmt, const char *value, int *exists)
{
	struct db_val p[1] = {DBV_STR(value)};
	struct db_res *res = NULL;
	enum kiln_err rc = db_exec(db, stmt, p, 1, &res, NULL, NULL);

	*exists = rc == KILN_OK && db_res_rows(res) > 0;
	db_res_free(res);
	return rc;
}

static enum kiln_err
account_create_txn(struct db *db, void *ctx)
{
	struct account_new *a = ctx;
	struct db_val p[5] = {DBV_STR(a->email), a->username ? DBV_STR(a->username) : DBV_NULL,
			      a->full_name ? DBV_STR(a->full_name) : DBV_NULL, DBV_STR(a->hash),
			      DBV_STR(a->role)};
	uint64_t id = 0;
	enum kiln_err rc;
	int exists;

	if ((rc = account_exists(db, STMT_USER_EMAIL_EXISTS, a->email, &exists)) != KILN_OK)
		return rc;
	if (exists) {
		*a->which = "email";
		return KILN_ERR_CONFLICT;
	}
	if (a->username != NULL) {
		if ((rc = account_exists(db, STMT_USER_USERNAME_EXISTS, a->username, &exists)) !=
		    KILN_OK)
			return rc;
		if (exists) {
			*a->which = "username";
			return KILN_ERR_CONFLICT;
		}
	}
	rc = db_exec(db, STMT_USER_INSERT, p, 5, NULL, NULL, &id);
	if (rc == KILN_ERR_CONFLICT) /* a concurrent insert won the race */
		*a->which = "email";
	a->id = (int64_t)id;
	return rc;
}

enum kiln_err
account_create(struct db *db, const struct kiln_config *cfg, const char *email,
	       const char *password, size_t pwlen, const char *username, const char *full_name,
	       const char *role, int64_t *id, const char **which)
{
	char hash[CRYPTO_PASSWORD_HASH_MAX];
	struct account_new a = {email, username, full_name, role, hash, which, 0};
	enum kiln_err rc;

	*which = "";
	/* hashed before the transaction: argon2 takes ~100 ms and holds no lock */
	if ((rc = account_hash(cfg, password, pwlen, hash)) != KILN_OK)
		return rc;
	if ((rc = db_txn(db, account_create_txn, &a)) == KILN_OK)
		*id = a.id;
	return rc;
}
