/* json_parse: the reader of the API's answers for the client commands. */
#include "testutil.h"

#include "json.h"

/* Parses text (strlen) or fails the test with the error. */
static void parse_ok(struct json_doc *doc, const char *text)
{
	char err[128];
	if (!json_parse(doc, text, strlen(text), err, sizeof err))
		fail_msg("json_parse(%s) failed: %s", text, err);
	assert_non_null(doc->root);
}

/* text must be refused with an error containing `message`. */
static void expect_error(const char *text, size_t len, const char *message)
{
	struct json_doc doc;
	char err[128];
	if (json_parse(&doc, text, len, err, sizeof err)) {
		json_free(&doc);
		fail_msg("json_parse(%.*s) should fail with \"%s\"", (int)len, text, message);
	}
	assert_null(doc.root);
	assert_contains(err, message);
	assert_contains(err, "offset ");
	json_free(&doc);	/* harmless after a failure */
}
#define BAD(text, message) expect_error(text, strlen(text), message)

static double number_of(const char *text)
{
	struct json_doc doc;
	parse_ok(&doc, text);
	double d = -12345;
	assert_true(json_num(doc.root, &d));
	json_free(&doc);
	return d;
}

/* The decoded string of a JSON string literal, in buf (len in *len). */
static void string_of(const char *text, char *buf, size_t size, size_t *len)
{
	struct json_doc doc;
	parse_ok(&doc, text);
	assert_int_equal(doc.root->type, JSON_STRING);
	assert_true(doc.root->len < size);
	memcpy(buf, doc.root->string, doc.root->len + 1);
	assert_int_equal(buf[doc.root->len], '\0');
	*len = doc.root->len;
	json_free(&doc);
}

static void expect_text(const char *text, const char *want)
{
	char buf[256];
	size_t len;
	string_of(text, buf, sizeof buf, &len);
	assert_int_equal(len, strlen(want));
	assert_string_equal(buf, want);
}

/* ---- scalars ---- */

static void literals(void **state)
{
	(void)state;
	struct json_doc doc;
	parse_ok(&doc, "null");
	assert_int_equal(doc.root->type, JSON_NULL);
	assert_true(json_is(doc.root, JSON_NULL));
	json_free(&doc);
	parse_ok(&doc, " \t\r\n true \n");
	assert_int_equal(doc.root->type, JSON_BOOL);
	assert_true(doc.root->boolean);
	json_free(&doc);
	parse_ok(&doc, "false");
	assert_int_equal(doc.root->type, JSON_BOOL);
	assert_false(doc.root->boolean);
	assert_null(json_str(doc.root));
	double d;
	assert_false(json_num(doc.root, &d));
	json_free(&doc);
}

static void numbers(void **state)
{
	(void)state;
	assert_double(number_of("0"), 0);
	assert_double(number_of("-0"), 0);
	assert_double(number_of("7"), 7);
	assert_double(number_of("12.5"), 12.5);
	assert_double(number_of("-3.25"), -3.25);
	assert_double(number_of("1e3"), 1000);
	assert_double(number_of("1E+2"), 100);
	assert_double(number_of("-1.5e-2"), -0.015);
	assert_double(number_of("123456789012"), 123456789012.0);
	assert_double(number_of("0.1"), 0.1);
	assert_double(number_of(" 42 "), 42);
	/* a long but valid number */
	char many[120] = "1";
	memset(many + 1, '0', 100);
	many[101] = '\0';
	assert_double(number_of(many), 1e100);
}

static void strings_plain_and_escaped(void **state)
{
	(void)state;
	expect_text("\"\"", "");
	expect_text("\"backend\"", "backend");
	expect_text("\"a\\\"b\\\\c\\/d\"", "a\"b\\c/d");
	expect_text("\"\\b\\f\\n\\r\\t\"", "\b\f\n\r\t");
	expect_text("\"\\u0041\\u0062\"", "Ab");
	expect_text("\"caf\\u00e9\"", "caf\xc3\xa9");
	expect_text("\"\\u20AC\"", "\xe2\x82\xac");
	expect_text("\"\\u07ff\\u0800\"", "\xdf\xbf\xe0\xa0\x80");
	/* raw UTF-8 passes through as it is */
	expect_text("\"caf\xc3\xa9 \xe2\x82\xac\"", "caf\xc3\xa9 \xe2\x82\xac");
	/* DEL and bytes >= 0x80 are not controls */
	expect_text("\"\x7f\"", "\x7f");
}

static void surrogates(void **state)
{
	(void)state;
	expect_text("\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80");	/* U+1F600 */
	expect_text("\"\\uD800\\uDC00\"", "\xf0\x90\x80\x80");	/* U+10000 */
	expect_text("\"\\udbff\\udfff\"", "\xf4\x8f\xbf\xbf");	/* U+10FFFF */
	/* a lone surrogate becomes U+FFFD; what follows it is kept */
	expect_text("\"\\ud83d\"", "\xef\xbf\xbd");
	expect_text("\"\\ude00x\"", "\xef\xbf\xbdx");
	expect_text("\"\\ud83d\\u0041\"", "\xef\xbf\xbd" "A");
	expect_text("\"\\ud83dA\"", "\xef\xbf\xbd" "A");
	expect_text("\"\\ud83d\\ud83d\\ude00\"", "\xef\xbf\xbd\xf0\x9f\x98\x80");
}

static void nul_inside_a_string(void **state)
{
	(void)state;
	char buf[16];
	size_t len;
	string_of("\"a\\u0000b\"", buf, sizeof buf, &len);
	assert_int_equal(len, 3);
	assert_memory_equal(buf, "a\0b", 4);
}

/* ---- arrays and objects ---- */

static void empty_containers(void **state)
{
	(void)state;
	struct json_doc doc;
	parse_ok(&doc, "[]");
	assert_int_equal(doc.root->type, JSON_ARRAY);
	assert_int_equal(doc.root->len, 0);
	assert_null(doc.root->child);
	assert_null(json_at(doc.root, 0));
	json_free(&doc);
	parse_ok(&doc, "{ \n }");
	assert_int_equal(doc.root->type, JSON_OBJECT);
	assert_int_equal(doc.root->len, 0);
	assert_null(json_get(doc.root, "a"));
	json_free(&doc);
	parse_ok(&doc, "[[],{},[[]]]");
	assert_int_equal(doc.root->len, 3);
	assert_int_equal(json_at(doc.root, 2)->len, 1);
	assert_int_equal(json_at(json_at(doc.root, 2), 0)->type, JSON_ARRAY);
	json_free(&doc);
}

static void arrays(void **state)
{
	(void)state;
	struct json_doc doc;
	parse_ok(&doc, " [ 1 , \"two\" , true , null , [3] , {\"k\":4} ] ");
	const struct json_value *a = doc.root;
	assert_int_equal(a->len, 6);
	double d;
	assert_true(json_num(json_at(a, 0), &d));
	assert_double(d, 1);
	assert_string_equal(json_str(json_at(a, 1)), "two");
	assert_true(json_at(a, 2)->boolean);
	assert_true(json_is(json_at(a, 3), JSON_NULL));
	assert_true(json_num(json_at(json_at(a, 4), 0), &d));
	assert_double(d, 3);
	assert_true(json_num(json_get(json_at(a, 5), "k"), &d));
	assert_double(d, 4);
	assert_null(json_at(a, 6));
	/* items of an array have no key; walking by next sees each once */
	size_t n = 0;
	for (const struct json_value *v = a->child; v; v = v->next, n++)
		assert_null(v->key);
	assert_int_equal(n, 6);
	json_free(&doc);
}

static void objects(void **state)
{
	(void)state;
	struct json_doc doc;
	parse_ok(&doc, "{\"a\":1,\"b\":{\"c\":[true]},\"a\":2,\"\":\"empty\",\"k\\u00e9y\":\"v\",\"n\\u0000x\":0}");
	const struct json_value *o = doc.root;
	assert_int_equal(o->len, 6);
	double d;
	assert_true(json_num(json_get(o, "a"), &d));	/* the first of a repeated name */
	assert_double(d, 1);
	assert_true(json_get(json_at(json_get(json_get(o, "b"), "c"), 0), "x") == NULL);
	assert_true(json_at(json_get(json_get(o, "b"), "c"), 0)->boolean);
	assert_string_equal(json_str(json_get(o, "")), "empty");
	assert_string_equal(json_str(json_get(o, "k\xc3\xa9y")), "v");
	assert_null(json_get(o, "n"));	/* names compare with their length */
	assert_null(json_get(o, "missing"));
	assert_null(json_get(json_get(o, "a"), "a"));	/* not an object */
	assert_null(json_at(o, 0));			/* not an array */
	/* members in file order, with their names */
	const char *names[] = { "a", "b", "a", "", "k\xc3\xa9y" };
	const struct json_value *m = o->child;
	for (size_t i = 0; i < 5; i++, m = m->next)
		assert_string_equal(m->key, names[i]);
	assert_int_equal(m->key_len, 3);
	assert_null(m->next);
	json_free(&doc);
}

static void accessors_take_null(void **state)
{
	(void)state;
	double d = 5;
	assert_null(json_get(NULL, "a"));
	assert_null(json_at(NULL, 0));
	assert_null(json_str(NULL));
	assert_false(json_num(NULL, &d));
	assert_double(d, 5);
	assert_false(json_is(NULL, JSON_NULL));
	struct json_doc doc = { 0 };
	json_free(&doc);
	json_free(&doc);
}

/* The body of GET /health as tend(8) HTTP API shows it. */
static void health_answer(void **state)
{
	(void)state;
	static const char body[] =
		"{\"status\":\"ready\",\"uptime\":12.5,\"programs\":[\n"
		"  {\"name\":\"backend\",\"state\":\"RUNNING\",\"health\":\"healthy\",\"ready\":true,\"pid\":7,"
		"\"uptime\":12.4,\"restarts\":0,\"last_exit\":null,\"waiting_for\":[]},\n"
		"  {\"name\":\"nginx\",\"state\":\"BACKOFF\",\"health\":\"none\",\"ready\":false,\"pid\":null,"
		"\"uptime\":0,\"restarts\":2,\"last_exit\":{\"code\":1},\"waiting_for\":[\"backend\",\"db\"]}]}\n";
	struct json_doc doc;
	parse_ok(&doc, body);
	const struct json_value *r = doc.root;
	assert_string_equal(json_str(json_get(r, "status")), "ready");
	double d;
	assert_true(json_num(json_get(r, "uptime"), &d));
	assert_double(d, 12.5);
	const struct json_value *programs = json_get(r, "programs");
	assert_int_equal(programs->len, 2);
	const struct json_value *b = json_at(programs, 0), *n = json_at(programs, 1);
	assert_string_equal(json_str(json_get(b, "name")), "backend");
	assert_true(json_get(b, "ready")->boolean);
	assert_true(json_num(json_get(b, "pid"), &d));
	assert_double(d, 7);
	assert_true(json_is(json_get(b, "last_exit"), JSON_NULL));
	assert_int_equal(json_get(b, "waiting_for")->len, 0);
	assert_string_equal(json_str(json_get(n, "state")), "BACKOFF");
	assert_false(json_get(n, "ready")->boolean);
	assert_true(json_is(json_get(n, "pid"), JSON_NULL));
	assert_true(json_num(json_get(json_get(n, "last_exit"), "code"), &d));
	assert_double(d, 1);
	assert_string_equal(json_str(json_at(json_get(n, "waiting_for"), 1)), "db");
	json_free(&doc);
}

/* The text need not be NUL-terminated: only len bytes are read. */
static void reads_only_len_bytes(void **state)
{
	(void)state;
	struct json_doc doc;
	char err[128];
	static const char text[] = "[1,2]garbage";
	assert_true(json_parse(&doc, text, 5, err, sizeof err));
	assert_int_equal(doc.root->len, 2);
	json_free(&doc);
	char digits[3] = { '1', '2', '3' };	/* no NUL after it */
	assert_true(json_parse(&doc, digits, 2, err, sizeof err));
	assert_double(doc.root->number, 12);
	json_free(&doc);
	char word[4] = { 't', 'r', 'u', 'e' };
	assert_true(json_parse(&doc, word, 4, err, sizeof err));
	json_free(&doc);
	expect_error(word, 3, "unexpected end");
	char str[3] = { '"', 'a', '"' };
	expect_error(str, 2, "unterminated string");
	expect_error("\"\\u00", 5, "four hex digits");
	assert_false(json_parse(&doc, NULL, 0, err, sizeof err));
	assert_contains(err, "unexpected end");
	/* no room for a message is fine too */
	assert_false(json_parse(&doc, "[", 1, NULL, 0));
	assert_false(json_parse(&doc, "[", 1, err, 1));
	assert_string_equal(err, "");
}

static void large_document(void **state)
{
	(void)state;
	struct strbuf_like {
		char *p;
		size_t n;
	} b = { malloc(400000), 0 };
	assert_non_null(b.p);
	b.p[b.n++] = '[';
	for (int i = 0; i < 20000; i++)
		b.n += (size_t)sprintf(b.p + b.n, "%s{\"i\":%d}", i ? "," : "", i);
	b.p[b.n++] = ']';
	struct json_doc doc;
	char err[128];
	assert_true(json_parse(&doc, b.p, b.n, err, sizeof err));
	assert_int_equal(doc.root->len, 20000);
	double d;
	assert_true(json_num(json_get(json_at(doc.root, 19999), "i"), &d));
	assert_double(d, 19999);
	json_free(&doc);
	free(b.p);
}

static void depth_limit(void **state)
{
	(void)state;
	char text[2 * JSON_MAX_DEPTH + 8];
	size_t n = 0;
	for (int i = 0; i < JSON_MAX_DEPTH; i++)
		text[n++] = '[';
	for (int i = 0; i < JSON_MAX_DEPTH; i++)
		text[n++] = ']';
	struct json_doc doc;
	char err[128];
	assert_true(json_parse(&doc, text, n, err, sizeof err));
	json_free(&doc);
	/* one level more is refused (no stack to exhaust) */
	n = 0;
	for (int i = 0; i <= JSON_MAX_DEPTH; i++)
		text[n++] = '[';
	for (int i = 0; i <= JSON_MAX_DEPTH; i++)
		text[n++] = ']';
	expect_error(text, n, "nested over");
	char deep[100000];
	memset(deep, '[', sizeof deep);
	expect_error(deep, sizeof deep, "nested over");
}

/* ---- errors ---- */

static void malformed(void **state)
{
	(void)state;
	BAD("", "unexpected end");
	BAD("   ", "unexpected end");
	BAD("tru", "unexpected end");
	BAD("trUe", "unexpected character 'U'");
	BAD("nul", "unexpected end");
	BAD("nulL", "unexpected character 'L'");
	BAD("True", "unexpected character 'T'");
	BAD("NaN", "unexpected character 'N'");
	BAD("Infinity", "unexpected character 'I'");
	BAD("'a'", "unexpected character");
	BAD("\x01", "unexpected byte 0x01");
	BAD("[1,]", "unexpected character ']'");
	BAD("[1 2]", "',' or ']' expected");
	BAD("[1", "unexpected end");
	BAD("[", "unexpected end");
	BAD("[1]]", "more after the value");
	BAD("1 2", "more after the value");
	BAD("{\"a\":1}x", "more after the value");
	BAD("{\"a\" 1}", "':' expected");
	BAD("{a:1}", "a member name (a string) expected");
	BAD("{\"a\":1,}", "a member name (a string) expected");
	BAD("{\"a\":1 \"b\":2}", "',' or '}' expected");
	BAD("{\"a\":}", "unexpected character '}'");
	BAD("{\"a\"", "':' expected");
	BAD("{", "unexpected end");
	BAD("{\"a\":1", "unexpected end");
	BAD("[}", "unexpected character '}'");
	BAD("{]", "a member name");
}

static void malformed_numbers(void **state)
{
	(void)state;
	BAD("01", "leading zero");
	BAD("-01", "leading zero");
	BAD("00", "leading zero");
	BAD("1.", "after the decimal point");
	BAD("1.e5", "after the decimal point");
	BAD(".5", "unexpected character '.'");
	BAD("-", "a number needs digits");
	BAD("-a", "a number needs digits");
	BAD("+1", "unexpected character '+'");
	BAD("1e", "in the exponent");
	BAD("1e+", "in the exponent");
	BAD("0x10", "more after the value");
	BAD("1e999", "out of range");
	BAD("-1e999", "out of range");
	char many[700];
	memset(many, '1', sizeof many - 1);
	many[sizeof many - 1] = '\0';
	BAD(many, "number of over");
}

static void malformed_strings(void **state)
{
	(void)state;
	BAD("\"abc", "unterminated string");
	BAD("\"abc\\", "unterminated string");
	BAD("\"a\nb\"", "control character in a string");
	BAD("\"a\tb\"", "control character in a string");
	BAD("\"\\x41\"", "unknown escape \\x");
	BAD("\"\\U0041\"", "unknown escape \\U");
	BAD("\"\\'\"", "unknown escape");
	BAD("\"\\u12\"", "four hex digits");
	BAD("\"\\u12G4\"", "four hex digits");
	BAD("\"\\u\"", "four hex digits");
	/* the offset points at the problem */
	struct json_doc doc;
	char err[128];
	assert_false(json_parse(&doc, "[1, 2, x]", 9, err, sizeof err));
	assert_string_equal(err, "offset 7: unexpected character 'x'");
	assert_false(json_parse(&doc, "{\"a\":\"b\nc\"}", 11, err, sizeof err));
	assert_string_equal(err, "offset 7: control character in a string");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(literals),
		cmocka_unit_test(numbers),
		cmocka_unit_test(strings_plain_and_escaped),
		cmocka_unit_test(surrogates),
		cmocka_unit_test(nul_inside_a_string),
		cmocka_unit_test(empty_containers),
		cmocka_unit_test(arrays),
		cmocka_unit_test(objects),
		cmocka_unit_test(accessors_take_null),
		cmocka_unit_test(health_answer),
		cmocka_unit_test(reads_only_len_bytes),
		cmocka_unit_test(large_document),
		cmocka_unit_test(depth_limit),
		cmocka_unit_test(malformed),
		cmocka_unit_test(malformed_numbers),
		cmocka_unit_test(malformed_strings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
