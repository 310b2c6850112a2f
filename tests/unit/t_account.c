/* SPDX-License-Identifier: MIT */
/* t_account.c: the pure rules of lib/account.c (email, username, password
 * length, full name, role bits) and the lib/crypto.c primitives they use:
 * password hashes at a cheap cost, base64url and SHA-256 vectors.
 * Not for: account_create (needs MariaDB, tests/integration). */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>

#include "account.h"
#include "crypto.h"
#include "suites.h"

#define CHEAP_OPS 1ULL
#define CHEAP_MEM ((size_t)8192 * 1024)

/* Normalizes in, asserting success and that OUT equals want. */
static void
email_ok_at(const char *in, const char *want, unsigned line)
{
	char out[ACCOUNT_EMAIL_MAX + 1], msg[512];
	const char *why = NULL;
	int rc = account_email_normalize(in, out, &why);

	snprintf(msg, sizeof(msg), "email accepted: \"%s\" (%s)", in, why ? why : "");
	CU_assertImplementation(rc == 0, line, msg, __FILE__, "", CU_FALSE);
	if (rc == 0) {
		snprintf(msg, sizeof(msg), "email \"%s\" normalized to \"%s\"", in, want);
		CU_assertImplementation(strcmp(out, want) == 0, line, msg, __FILE__, "", CU_FALSE);
	}
}

/* Asserts in is refused with a message set. */
static void
email_bad_at(const char *in, unsigned line)
{
	char out[ACCOUNT_EMAIL_MAX + 1], msg[512];
	const char *why = NULL;
	int rc = account_email_normalize(in, out, &why);

	snprintf(msg, sizeof(msg), "email refused: \"%s\"", in);
	CU_assertImplementation(rc == -1, line, msg, __FILE__, "", CU_FALSE);
	snprintf(msg, sizeof(msg), "email refusal has a message: \"%s\"", in);
	CU_assertImplementation(why != NULL && why[0] != '\0', line, msg, __FILE__, "", CU_FALSE);
}

#define EMAIL_OK(in, want) email_ok_at((in), (want), __LINE__)
#define EMAIL_BAD(in) email_bad_at((in), __LINE__)

static void
t_account_email_ok(void)
{
	EMAIL_OK("user@example.com", "user@example.com");
	EMAIL_OK("a.b+tag@sub.example.co", "a.b+tag@sub.example.co");
	EMAIL_OK("  User@Example.COM  ", "user@example.com");
	EMAIL_OK("\t \tMiXeD.Case@EXAMPLE.org\t", "mixed.case@example.org");
	EMAIL_OK("x@b.co", "x@b.co");
	EMAIL_OK("o'brien_1-2@mail-host.example.com", "o'brien_1-2@mail-host.example.com");
	EMAIL_OK("user@xn--bcher-kva.example", "user@xn--bcher-kva.example");
}

static void
t_account_email_bad(void)
{
	static const char *const bad[] = {
	    "",
	    "   ",
	    "\t\t",
	    "no-at",
	    "@x.com",
	    "a@",
	    "a@@b.com",
	    "a@b@c.com",
	    "a@b",
	    "a@.b.com",
	    "a@b.com.",
	    "a@b..com",
	    "a@-b.com",
	    "a b@c.com",
	    "a<b@c.com",
	    "a>b@c.com",
	    "\"a\"@b.com",
	    "a,b@c.com",
	    "a;b@c.com",
	    "a\\b@c.com",
	    "a(b)@c.com",
	    "[a]@b.com",
	    "a\tb@c.com",
	    "a\nb@c.com",
	    "a@b\x7f.com",
	    "a@b_c.com",
	    "a@b!.com",
	    "a@b/c.com",
	    "a@b:25.com",
	    "  @  ",
	    "a@b-.com",
	    "a@b.-com",
	    "a@b.com-",
	    ".a@b.com",
	    "a.@b.com",
	    "a..b@c.com",
	    "a@xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.com",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EMAIL_BAD(bad[i]);
}

static void
t_account_email_lengths(void)
{
	char in[512], want[ACCOUNT_EMAIL_MAX + 1];
	const char *why = NULL;
	char out[ACCOUNT_EMAIL_MAX + 1];
	size_t n;

	/* local part: 64 accepted, 65 refused */
	memset(in, 'l', 64);
	memcpy(in + 64, "@b.com", 7);
	EMAIL_OK(in, in);
	memset(in, 'l', 65);
	memcpy(in + 65, "@b.com", 7);
	EMAIL_BAD(in);

	/* whole address: 254 accepted, 255 refused, with a 64-byte local part
	 * and a domain of 60-character labels */
	memset(in, 'l', 64);
	in[64] = '@';
	n = 65;
	while (n < 254) {
		in[n] = ((n - 65) % 61 == 60) ? '.' : 'd';
		n++;
	}
	in[n] = '\0';
	CU_ASSERT_EQUAL_FATAL(strlen(in), 254);
	CU_ASSERT_FATAL(in[253] != '.');
	EMAIL_OK(in, in);
	/* trimming comes before the length check */
	memcpy(want, in, sizeof(want));
	snprintf(in, sizeof(in), " \t%s\t ", want);
	EMAIL_OK(in, want);
	snprintf(in, sizeof(in), "%sd", want);
	CU_ASSERT_EQUAL_FATAL(strlen(in), 255);
	why = NULL;
	CU_ASSERT_EQUAL(account_email_normalize(in, out, &why), -1);
	CU_ASSERT_PTR_NOT_NULL(why);
	CU_ASSERT(why != NULL && strstr(why, "254") != NULL);
	memset(in, 'a', 500);
	memcpy(in + 500, "@b.com", 7);
	EMAIL_BAD(in);

	/* the empty-input message */
	why = NULL;
	CU_ASSERT_EQUAL(account_email_normalize("  ", out, &why), -1);
	CU_ASSERT(why != NULL && strstr(why, "required") != NULL);
}

static void
t_account_username(void)
{
	static const char *const good[] = {"abc", "A.b_c-9", "___", "user.name", "X-1"};
	static const char *const bad[] = {"",      "a",      "ab",   "a b",  "a@b",  "ab\xc3\xa9",
					  "abc\n", "tab\tx", "a/bc", "a+bc", "a:bc", "ab\x7f"};
	char u[80];
	const char *why;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		why = NULL;
		CU_ASSERT_EQUAL(account_username_check(good[i], &why), 0);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		CU_ASSERT_EQUAL(account_username_check(bad[i], &why), -1);
		CU_ASSERT(why != NULL && why[0] != '\0');
	}
	memset(u, 'u', 64);
	u[64] = '\0';
	CU_ASSERT_EQUAL(account_username_check(u, &why), 0);
	u[64] = 'u';
	u[65] = '\0';
	why = NULL;
	CU_ASSERT_EQUAL(account_username_check(u, &why), -1);
	CU_ASSERT_PTR_NOT_NULL(why);
}

static void
t_account_password(void)
{
	const char *why;

	why = NULL;
	CU_ASSERT_EQUAL(account_password_check(0, &why), -1);
	CU_ASSERT_PTR_NOT_NULL(why);
	why = NULL;
	CU_ASSERT_EQUAL(account_password_check(7, &why), -1);
	CU_ASSERT_PTR_NOT_NULL(why);
	CU_ASSERT_EQUAL(account_password_check(8, &why), 0);
	CU_ASSERT_EQUAL(account_password_check(1024, &why), 0);
	why = NULL;
	CU_ASSERT_EQUAL(account_password_check(1025, &why), -1);
	CU_ASSERT_PTR_NOT_NULL(why);
	why = NULL;
	CU_ASSERT_EQUAL(account_password_check((size_t)-1, &why), -1);
	CU_ASSERT_PTR_NOT_NULL(why);
}

static void
t_account_full_name(void)
{
	static const char *const good[] = {"",
					   "Ada Lovelace",
					   "Jos\xc3\xa9 M\xc3\xbcller",
					   "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
					   "\xf0\x9f\x94\xa5 kiln",
					   "O'Brien-Smith, Jr."};
	static const char *const bad[] = {"a\nb",    "a\tb", "\x1b[31mred", "a\rb",
					  "del\x7f", "\x01", "x\x1f"};
	char name[256];
	const char *why;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		why = NULL;
		CU_ASSERT_EQUAL(account_full_name_check(good[i], &why), 0);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		CU_ASSERT_EQUAL(account_full_name_check(bad[i], &why), -1);
		CU_ASSERT(why != NULL && why[0] != '\0');
	}
	/* 200 bytes accepted, 201 refused, counted in bytes (é is two) */
	memset(name, 'n', 200);
	name[200] = '\0';
	CU_ASSERT_EQUAL(account_full_name_check(name, &why), 0);
	memcpy(name + 198, "\xc3\xa9", 3);
	CU_ASSERT_EQUAL(account_full_name_check(name, &why), 0);
	memset(name, 'n', 199);
	memcpy(name + 199, "\xc3\xa9", 3);
	why = NULL;
	CU_ASSERT_EQUAL(account_full_name_check(name, &why), -1);
	CU_ASSERT_PTR_NOT_NULL(why);
}

static void
t_account_role_bit(void)
{
	static const char *const roles[] = {"user", "viewer", "operator", "admin"};
	static const unsigned want[] = {ROLE_USER, ROLE_VIEWER, ROLE_OPERATOR, ROLE_ADMIN};
	static const char *const bad[] = {"Admin", "", "root", "admin ", "users", "USER", "adm"};
	unsigned all = 0, b;
	size_t i;

	for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
		b = account_role_bit(roles[i]);
		CU_ASSERT_EQUAL(b, want[i]);
		CU_ASSERT(b != 0 && (b & (b - 1)) == 0); /* exactly one bit */
		CU_ASSERT((all & b) == 0);               /* distinct */
		all |= b;
	}
	CU_ASSERT_EQUAL(all, ROLES_ANY);
	CU_ASSERT_EQUAL(account_role_bit("operator") | account_role_bit("admin"), ROLES_STAFF);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_EQUAL(account_role_bit(bad[i]), 0);
	CU_ASSERT_EQUAL(account_role_bit(NULL), 0);
}

static void
t_account_password_hash(void)
{
	static const char pw[] = "correct horse battery staple";
	struct crypto_password_cost cheap = {CHEAP_OPS, CHEAP_MEM}, other;
	char hash[CRYPTO_PASSWORD_HASH_MAX], hash2[CRYPTO_PASSWORD_HASH_MAX];

	CU_ASSERT_EQUAL_FATAL(crypto_password_hash(pw, strlen(pw), &cheap, hash), KILN_OK);
	CU_ASSERT(strlen(hash) > 0 && strlen(hash) < CRYPTO_PASSWORD_HASH_MAX);
	CU_ASSERT(strncmp(hash, "$argon2id$", 10) == 0);
	CU_ASSERT_EQUAL(crypto_password_verify(hash, pw, strlen(pw)), 1);
	CU_ASSERT_EQUAL(crypto_password_verify(hash, "correct horse battery stapler",
					       strlen("correct horse battery stapler")),
			0);
	CU_ASSERT_EQUAL(crypto_password_verify(hash, pw, strlen(pw) - 1), 0);
	CU_ASSERT_EQUAL(crypto_password_verify(hash, "", 0), 0);
	CU_ASSERT_EQUAL(crypto_password_verify("not a hash", pw, strlen(pw)), 0);
	/* salted: the same password hashes differently, and both verify */
	CU_ASSERT_EQUAL_FATAL(crypto_password_hash(pw, strlen(pw), &cheap, hash2), KILN_OK);
	CU_ASSERT(strcmp(hash, hash2) != 0);
	CU_ASSERT_EQUAL(crypto_password_verify(hash2, pw, strlen(pw)), 1);
	/* bytes after a NUL count: len, not strlen */
	CU_ASSERT_EQUAL_FATAL(crypto_password_hash("pass\0word", 9, &cheap, hash2), KILN_OK);
	CU_ASSERT_EQUAL(crypto_password_verify(hash2, "pass\0word", 9), 1);
	CU_ASSERT_EQUAL(crypto_password_verify(hash2, "pass", 4), 0);

	CU_ASSERT_EQUAL(crypto_password_needs_rehash(hash, &cheap), 0);
	other = cheap;
	other.mem = CHEAP_MEM * 2;
	CU_ASSERT_EQUAL(crypto_password_needs_rehash(hash, &other), 1);
	other = cheap;
	other.ops = CHEAP_OPS + 1;
	CU_ASSERT_EQUAL(crypto_password_needs_rehash(hash, &other), 1);
	CU_ASSERT_EQUAL(crypto_password_needs_rehash("not a hash", &cheap), 1);
}

/* b64url of n bytes must equal want, end in NUL within CRYPTO_B64_LEN(n)
 * and leave the byte after that untouched. */
static void
b64_at(const void *bytes, size_t n, const char *want, unsigned line)
{
	char out[64], msg[128];

	memset(out, '#', sizeof(out));
	crypto_b64url(bytes, n, out);
	snprintf(msg, sizeof(msg), "crypto_b64url(%zu bytes) == \"%s\"", n, want);
	CU_assertImplementation(memchr(out, '\0', CRYPTO_B64_LEN(n)) != NULL &&
				    strcmp(out, want) == 0,
				line, msg, __FILE__, "", CU_FALSE);
	snprintf(msg, sizeof(msg), "crypto_b64url(%zu bytes) stays within CRYPTO_B64_LEN", n);
	CU_assertImplementation(out[CRYPTO_B64_LEN(n)] == '#', line, msg, __FILE__, "", CU_FALSE);
}

#define B64(bytes, n, want) b64_at((bytes), (n), (want), __LINE__)

static void
t_account_b64url(void)
{
	static const unsigned char fbff[] = {0xfb, 0xff}, fbffbf[] = {0xfb, 0xff, 0xbf};
	static const unsigned char ff[] = {0xff}, zero[] = {0, 0, 0};

	B64("", 0, "");
	B64("f", 1, "Zg");
	B64("fo", 2, "Zm8");
	B64("foo", 3, "Zm9v");
	B64("foob", 4, "Zm9vYg");
	B64("fooba", 5, "Zm9vYmE");
	B64("foobar", 6, "Zm9vYmFy");
	B64(fbff, sizeof(fbff), "-_8");
	B64(fbffbf, sizeof(fbffbf), "-_-_");
	B64(ff, sizeof(ff), "_w");
	B64(zero, sizeof(zero), "AAAA");
}

static void
t_account_sha256(void)
{
	char hex[65];

	memset(hex, '#', sizeof(hex));
	crypto_sha256_hex("abc", hex);
	CU_ASSERT_STRING_EQUAL(hex,
			       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	crypto_sha256_hex("", hex);
	CU_ASSERT_STRING_EQUAL(hex,
			       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	crypto_sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", hex);
	CU_ASSERT_STRING_EQUAL(hex,
			       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

void
suite_account(void)
{
	CU_pSuite s = CU_add_suite("account", NULL, NULL);

	if (s == NULL)
		return;
	CU_add_test(s, "email: trimmed, lower-cased, accepted", t_account_email_ok);
	CU_add_test(s, "email: malformed refused with a message", t_account_email_bad);
	CU_add_test(s, "email: local part and total length limits", t_account_email_lengths);
	CU_add_test(s, "username: 3..64 of [A-Za-z0-9._-]", t_account_username);
	CU_add_test(s, "password length 8..1024", t_account_password);
	CU_add_test(s, "full_name: bytes and control characters", t_account_full_name);
	CU_add_test(s, "role bits", t_account_role_bit);
	CU_add_test(s, "password hash, verify, needs_rehash (cheap cost)", t_account_password_hash);
	CU_add_test(s, "crypto_b64url vectors", t_account_b64url);
	CU_add_test(s, "crypto_sha256_hex vectors", t_account_sha256);
}
