/* SPDX-License-Identifier: MIT */
/* t_migrate.c: scheduler/migrate.c's file name rule, NNN_name.sql with
 * NNN in 1..999999 and name in [a-z0-9_]. Applying migrations needs a
 * database and lives in the integration tier. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>

#include "migrate.h"
#include "suites.h"

static void
t_migrate_good(void)
{
	char name[MIGRATE_NAME_MAX];
	int64_t v = -1;

	CU_ASSERT_EQUAL(migrate_parse_name("001_foundation.sql", &v, name), 0);
	CU_ASSERT(v == 1);
	CU_ASSERT_STRING_EQUAL(name, "foundation");
	CU_ASSERT_EQUAL(migrate_parse_name("010_add_jobs.sql", &v, name), 0);
	CU_ASSERT(v == 10);
	CU_ASSERT_STRING_EQUAL(name, "add_jobs");
	CU_ASSERT_EQUAL(migrate_parse_name("999999_z9.sql", &v, name), 0);
	CU_ASSERT(v == 999999);
	CU_ASSERT_STRING_EQUAL(name, "z9");
	CU_ASSERT_EQUAL(migrate_parse_name("1_x.sql", &v, name), 0);
	CU_ASSERT(v == 1);
	CU_ASSERT_STRING_EQUAL(name, "x");
	/* the version ends at the first underscore */
	CU_ASSERT_EQUAL(migrate_parse_name("002_a_2_b.sql", &v, name), 0);
	CU_ASSERT(v == 2);
	CU_ASSERT_STRING_EQUAL(name, "a_2_b");
}

static void
t_migrate_bad(void)
{
	// clang-format off
	static const char *const bad[] = {
		"foundation.sql", "001.sql", "001_.sql", "001_Bad.sql", "001_x.sql.bak",
		"0_x.sql", "000_x.sql", "1000000_x.sql", "001_a-b.sql", "001_x.SQL",
		"_x.sql", "-01_x.sql", "+01_x.sql", "x01_x.sql", "001_x.sq",
		"001_x", "", ".sql", "001_a b.sql", "001_x.sqlx",
		"001_a.b.sql", "99999999999999999999_x.sql",
	};
	// clang-format on
	char name[MIGRATE_NAME_MAX], longname[MIGRATE_NAME_MAX + 16];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int64_t v = -1;
		int rc = migrate_parse_name(bad[i], &v, name);

		CU_ASSERT_EQUAL(rc, -1);
		if (rc != -1)
			fprintf(stderr, "\n  migrate_parse_name(\"%s\") accepted it\n", bad[i]);
	}
	/* a name of MIGRATE_NAME_MAX - 1 bytes fits, one more does not */
	memcpy(longname, "1_", 2);
	memset(longname + 2, 'a', MIGRATE_NAME_MAX - 1);
	memcpy(longname + 2 + MIGRATE_NAME_MAX - 1, ".sql", 5);
	{
		int64_t v = -1;

		CU_ASSERT_EQUAL(migrate_parse_name(longname, &v, name), 0);
		CU_ASSERT_EQUAL(strlen(name), MIGRATE_NAME_MAX - 1);
	}
	memset(longname + 2, 'a', MIGRATE_NAME_MAX);
	memcpy(longname + 2 + MIGRATE_NAME_MAX, ".sql", 5);
	{
		int64_t v = -1;

		CU_ASSERT_EQUAL(migrate_parse_name(longname, &v, name), -1);
	}
}

void
suite_migrate(void)
{
	CU_pSuite s = CU_add_suite("migrate", NULL, NULL);

	if (s == NULL)
		return;
	CU_add_test(s, "accepts NNN_name.sql", t_migrate_good);
	CU_add_test(s, "rejects everything else", t_migrate_bad);
}
