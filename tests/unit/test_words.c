/* words_split: a command split into words as a POSIX shell would (quotes and
 * backslashes), with no shell and no expansion. */
#include "testutil.h"

#include "words.h"

/* Splits line and checks the words against the NULL-terminated expected. */
static void expect_words(const char *line, const char *const *expected)
{
	const char *error = NULL;
	char **argv = words_split(line, &error);
	if (!argv)
		fail_msg("words_split(\"%s\") failed: %s", line, error ? error : "(no message)");
	size_t n = 0;
	bool ok = true;
	for (; expected[n] && ok; n++)
		ok = argv[n] && strcmp(argv[n], expected[n]) == 0;
	ok = ok && !argv[n];
	if (!ok) {
		print_error("words of [%s]:\n", line);
		for (size_t i = 0; argv[i]; i++)
			print_error("  [%s]\n", argv[i]);
		print_error("expected:\n");
		for (size_t i = 0; expected[i]; i++)
			print_error("  [%s]\n", expected[i]);
	}
	free(argv);
	if (!ok)
		fail_msg("wrong words for [%s]", line);
}
#define WORDS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void expect_error(const char *line, const char *message)
{
	const char *error = NULL;
	char **argv = words_split(line, &error);
	if (argv) {
		free(argv);
		fail_msg("words_split(\"%s\") should fail with \"%s\"", line, message);
	}
	assert_non_null(error);
	assert_string_equal(error, message);
}

/* ---- blanks ---- */

static void plain_words(void **state)
{
	(void)state;
	expect_words("/bin/true", WORDS("/bin/true"));
	expect_words("nginx -g daemon", WORDS("nginx", "-g", "daemon"));
	expect_words("  a   b  ", WORDS("a", "b"));
	expect_words("a\tb\nc\r\nd", WORDS("a", "b", "c", "d"));
	expect_words("\t\n a", WORDS("a"));
}

static void no_shell_meaning(void **state)
{
	(void)state;
	/* no globbing, variables, redirections or operators: just words */
	expect_words("echo * $HOME > out; a|b && c", WORDS("echo", "*", "$HOME", ">", "out;", "a|b", "&&", "c"));
	expect_words("a=b c", WORDS("a=b", "c"));
	expect_words("~/bin/x #not-a-comment", WORDS("~/bin/x", "#not-a-comment"));
}

/* ---- quotes ---- */

static void single_quotes(void **state)
{
	(void)state;
	expect_words("nginx -g 'daemon off;'", WORDS("nginx", "-g", "daemon off;"));
	expect_words("'a  b'", WORDS("a  b"));
	/* nothing is special inside single quotes */
	expect_words("'a\\b' '\\' '\"' '$x'", WORDS("a\\b", "\\", "\"", "$x"));
	expect_words("'tab\there'", WORDS("tab\there"));
}

static void double_quotes(void **state)
{
	(void)state;
	expect_words("\"a  b\" c", WORDS("a  b", "c"));
	expect_words("\"it's\"", WORDS("it's"));
	expect_words("'say \"hi\"'", WORDS("say \"hi\""));
	/* a backslash escapes only " \ $ ` there, and stays before anything else */
	expect_words("\"a\\\"b\"", WORDS("a\"b"));
	expect_words("\"a\\\\b\"", WORDS("a\\b"));
	expect_words("\"\\$HOME\"", WORDS("$HOME"));
	expect_words("\"\\`x\\`\"", WORDS("`x`"));
	expect_words("\"a\\nb\"", WORDS("a\\nb"));
	expect_words("\"a\\'b\"", WORDS("a\\'b"));
	expect_words("\"ends with \\\\\"", WORDS("ends with \\"));
}

static void adjacent_parts(void **state)
{
	(void)state;
	expect_words("pre'fix'\"suf\"fix", WORDS("prefixsuffix"));
	expect_words("--opt='a b'", WORDS("--opt=a b"));
	expect_words("'a'\"b\"'c' d", WORDS("abc", "d"));
	expect_words("a\\ b\\ c", WORDS("a b c"));
}

static void empty_words(void **state)
{
	(void)state;
	expect_words("\"\"", WORDS(""));
	expect_words("''", WORDS(""));
	expect_words("a \"\" b", WORDS("a", "", "b"));
	expect_words("a '' ''", WORDS("a", "", ""));
	/* an empty quoted part next to text adds nothing */
	expect_words("a\"\"b", WORDS("ab"));
}

/* ---- backslashes ---- */

static void backslashes(void **state)
{
	(void)state;
	expect_words("a\\ b", WORDS("a b"));
	expect_words("\\\\", WORDS("\\"));
	expect_words("\\'x\\'", WORDS("'x'"));
	expect_words("\\\"", WORDS("\""));
	expect_words("\\a", WORDS("a"));
	expect_words("a\\\tb", WORDS("a\tb"));
	expect_words("\\\\ x", WORDS("\\", "x"));
}

/* ---- errors ---- */

static void errors(void **state)
{
	(void)state;
	expect_error("echo 'abc", "unterminated single quote");
	expect_error("'", "unterminated single quote");
	expect_error("echo \"abc", "unterminated double quote");
	expect_error("echo \"a\\\"", "unterminated double quote");
	expect_error("echo abc\\", "backslash at the end of the command");
	expect_error("\\", "backslash at the end of the command");
	expect_error("", "empty command");
	expect_error("   \t\n ", "empty command");
}

/* argv is one allocation: the words live right after the table. */
static void one_allocation(void **state)
{
	(void)state;
	const char *error;
	char **argv = words_split("a \"\" '' b", &error);
	assert_non_null(argv);
	assert_string_equal(argv[0], "a");
	assert_string_equal(argv[1], "");
	assert_string_equal(argv[2], "");
	assert_string_equal(argv[3], "b");
	assert_null(argv[4]);
	assert_true((char *)argv[0] > (char *)argv && argv[3] > argv[0]);
	free(argv);	/* ASan checks that this frees everything */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_words),
		cmocka_unit_test(no_shell_meaning),
		cmocka_unit_test(single_quotes),
		cmocka_unit_test(double_quotes),
		cmocka_unit_test(adjacent_parts),
		cmocka_unit_test(empty_words),
		cmocka_unit_test(backslashes),
		cmocka_unit_test(errors),
		cmocka_unit_test(one_allocation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
