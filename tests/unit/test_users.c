/* user_resolve against passwd and group files written by the test. */
#include "testutil.h"

#include "users.h"

static char dir[] = "/tmp/tend-users-XXXXXX";
static char *passwd, *group, *nothing;

static const char passwd_text[] =
	"root:x:0:0:root:/root:/bin/bash\n"
	"www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n"
	"app:x:1000:1001:App:/home/app:/bin/sh\n"
	"alias:x:1000:5:same uid as app:/:/bin/sh\n"
	"loner:x:2000:2000::/:/bin/sh\n";

static const char group_text[] =
	"root:x:0:\n"
	"www-data:x:33:\n"
	"app:x:1001:app\n"	/* lists app although it is app's primary group */
	"docker:x:999:www-data,app\n"
	"audio:x:29:app\n"
	"staff:x:50:someoneelse,apple\n"
	"nomembers:x:60:\n";

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	passwd = write_temp_file(dir, "passwd", passwd_text);
	group = write_temp_file(dir, "group", group_text);
	nothing = write_temp_file(dir, "nothing", "");
	unlink(nothing);	/* a path that does not exist */
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(passwd);
	unlink(group);
	rmdir(dir);
	free(passwd);
	free(group);
	free(nothing);
	return 0;
}

static struct run_as user;

static int free_user(void **state)
{
	(void)state;
	user_free(&user);
	return 0;
}

#define T(fn) cmocka_unit_test_teardown(fn, free_user)

static void resolve_ok(const char *spec, const char *passwd_path, const char *group_path)
{
	char err[256] = "";
	user_free(&user);
	if (!user_resolve(spec, passwd_path, group_path, &user, err, sizeof err))
		fail_msg("user_resolve(\"%s\") failed: %s", spec, err);
	assert_true(user.set);
}

/* The supplementary groups, in any order, each once. */
static void assert_groups(const gid_t *expected, size_t n)
{
	if (user.ngroups != n)
		fail_msg("%zu supplementary groups, expected %zu", user.ngroups, n);
	for (size_t i = 0; i < n; i++) {
		size_t seen = 0;
		for (size_t j = 0; j < user.ngroups; j++)
			seen += user.groups[j] == expected[i];
		if (seen != 1)
			fail_msg("group %u is there %zu times", (unsigned)expected[i], seen);
	}
}
#define GROUPS(...) ((const gid_t[]){ __VA_ARGS__ }), sizeof((const gid_t[]){ __VA_ARGS__ }) / sizeof(gid_t)

static void expect_error(const char *spec, const char *substr)
{
	char err[256] = "";
	bool ok = user_resolve(spec, passwd, group, &user, err, sizeof err);
	if (ok)
		fail_msg("user_resolve(\"%s\") should fail", spec);
	assert_contains(err, substr);
	user_free(&user);
}

static void by_name(void **state)
{
	(void)state;
	resolve_ok("app", passwd, group);
	assert_int_equal(user.uid, 1000);
	assert_int_equal(user.gid, 1001);
	assert_groups(GROUPS(1001, 999, 29));
	/* the primary group comes first */
	assert_int_equal(user.groups[0], 1001);

	resolve_ok("www-data", passwd, group);
	assert_int_equal(user.uid, 33);
	assert_int_equal(user.gid, 33);
	assert_groups(GROUPS(33, 999));

	resolve_ok("root", passwd, group);
	assert_int_equal(user.uid, 0);
	assert_int_equal(user.gid, 0);
	assert_groups(GROUPS(0));

	/* no group lists it: only its primary group, even one not in the file */
	resolve_ok("loner", passwd, group);
	assert_int_equal(user.uid, 2000);
	assert_int_equal(user.gid, 2000);
	assert_groups(GROUPS(2000));
}

static void by_uid_with_entry(void **state)
{
	(void)state;
	resolve_ok("33", passwd, group);
	assert_int_equal(user.uid, 33);
	assert_int_equal(user.gid, 33);
	assert_groups(GROUPS(33, 999));

	/* two names share uid 1000: the first entry is the one */
	resolve_ok("1000", passwd, group);
	assert_int_equal(user.uid, 1000);
	assert_int_equal(user.gid, 1001);
	assert_groups(GROUPS(1001, 999, 29));

	resolve_ok("0", passwd, group);
	assert_int_equal(user.uid, 0);
	assert_int_equal(user.gid, 0);
	assert_groups(GROUPS(0));

	/* by name, the other entry with that uid */
	resolve_ok("alias", passwd, group);
	assert_int_equal(user.uid, 1000);
	assert_int_equal(user.gid, 5);
	assert_groups(GROUPS(5));
}

static void bare_uid(void **state)
{
	(void)state;
	resolve_ok("4242", passwd, group);
	assert_int_equal(user.uid, 4242);
	assert_int_equal(user.gid, 4242);
	assert_int_equal(user.ngroups, 0);

	resolve_ok("4294967294", passwd, group);	/* the largest usable id */
	assert_int_equal(user.uid, 4294967294u);
	assert_int_equal(user.gid, 4294967294u);

	/* no passwd file at all: a uid still works */
	resolve_ok("33", nothing, group);
	assert_int_equal(user.uid, 33);
	assert_int_equal(user.gid, 33);
	assert_int_equal(user.ngroups, 0);
}

static void uid_gid(void **state)
{
	(void)state;
	resolve_ok("1000:50", passwd, group);
	assert_int_equal(user.uid, 1000);
	assert_int_equal(user.gid, 50);
	assert_int_equal(user.ngroups, 0);	/* taken as given: no lookup */

	resolve_ok("0:0", passwd, group);
	assert_int_equal(user.uid, 0);
	assert_int_equal(user.gid, 0);
	assert_int_equal(user.ngroups, 0);

	resolve_ok("5000:6000", nothing, nothing);
	assert_int_equal(user.uid, 5000);
	assert_int_equal(user.gid, 6000);
}

static void no_group_file(void **state)
{
	(void)state;
	resolve_ok("app", passwd, nothing);
	assert_int_equal(user.uid, 1000);
	assert_int_equal(user.gid, 1001);
	assert_groups(GROUPS(1001));
}

static void errors(void **state)
{
	(void)state;
	expect_error("nosuchuser", "no user \"nosuchuser\" in ");
	expect_error("nosuchuser", passwd);
	expect_error("App", "no user \"App\"");	/* names are case-sensitive */
	expect_error("appl", "no user");
	expect_error("", "no user");
	expect_error("-1", "no user");
	expect_error("4294967295", "no user");	/* (uid_t)-1 is not a uid */
	expect_error("1000:", "is not uid:gid");
	expect_error(":1000", "is not uid:gid");
	expect_error("app:1001", "is not uid:gid");
	expect_error("1000:staff", "is not uid:gid");
	expect_error("1:2:3", "is not uid:gid");
	expect_error("1000:4294967295", "is not uid:gid");

	char err[256] = "";
	assert_false(user_resolve("app", nothing, group, &user, err, sizeof err));
	assert_contains(err, "no user \"app\"");
	user_free(&user);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(by_name), T(by_uid_with_entry), T(bare_uid), T(uid_gid), T(no_group_file), T(errors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
