/*
 * test-config.c — guichet.conf's syntax: words, quotes, escapes, comments, the
 * last "set" winning, typed getters, errors that name file:line, unknown
 * commands and settings refused, and the system and user files layered.
 */
#include "unit.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static struct config *
parse(const char *text)
{
	struct config *cfg;
	char *cause = NULL;

	cfg = config_parse_string(text, "test.conf", &cause);
	if (cfg == NULL)
		fail_msg("unexpected error: %s", cause);
	return cfg;
}

/* Parsing must fail with exactly this message. */
static void
parse_error(const char *text, const char *expected)
{
	struct config *cfg;
	char *cause = NULL;

	cfg = config_parse_string(text, "test.conf", &cause);
	assert_null(cfg);
	assert_take_string(cause, expected);
}

static void
words_and_comments(void **state)
{
	struct config *cfg;

	cfg = parse("# a comment\n\n   \t\nset database service=guichet   # trailing\n"
		    "bind index j next\n");
	assert_int_equal(cfg->nlines, 2);
	assert_int_equal(cfg->lines[0].argc, 3);
	assert_string_equal(cfg->lines[0].argv[0], "set");
	assert_string_equal(cfg->lines[0].argv[1], "database");
	assert_string_equal(cfg->lines[0].argv[2], "service=guichet");
	assert_null(cfg->lines[0].argv[3]);
	assert_int_equal(cfg->lines[0].lineno, 4);
	assert_string_equal(cfg->lines[0].file, "test.conf");
	assert_int_equal(cfg->lines[1].argc, 4);
	assert_string_equal(cfg->lines[1].argv[3], "next");
	assert_int_equal(cfg->lines[1].lineno, 5);
	config_free(cfg);
}

static void
double_quotes_and_escapes(void **state)
{
	struct config *cfg;

	cfg = parse("set mail.tag_prefix \"[Guichet #\"\n"
		    "set x \"a \\\"quoted\\\" \\\\ word\\tend\\n\"\n"
		    "set empty \"\"\n");
	assert_string_equal(config_get(cfg, "mail.tag_prefix"), "[Guichet #");
	assert_string_equal(config_get(cfg, "x"), "a \"quoted\" \\ word\tend\n");
	assert_string_equal(config_get(cfg, "empty"), "");
	config_free(cfg);
}

static void
single_quotes_are_verbatim(void **state)
{
	struct config *cfg;

	cfg = parse("set re '^\\[Guichet #([0-9]+)\\]'\nset q 'say \"hi\"'\n");
	assert_string_equal(config_get(cfg, "re"), "^\\[Guichet #([0-9]+)\\]");
	assert_string_equal(config_get(cfg, "q"), "say \"hi\"");
	config_free(cfg);
}

static void
quoted_parts_join_into_one_word(void **state)
{
	struct config *cfg;

	cfg = parse("route To a\"b c\"'d e'f queue=voirie\n");
	assert_int_equal(cfg->lines[0].argc, 4);
	assert_string_equal(cfg->lines[0].argv[2], "ab cd ef");
	assert_string_equal(cfg->lines[0].argv[3], "queue=voirie");
	config_free(cfg);
}

static void
hash_inside_a_word_or_quotes_is_not_a_comment(void **state)
{
	struct config *cfg;

	cfg = parse("color index red#1 \"#000\"\n");
	assert_int_equal(cfg->lines[0].argc, 4);
	assert_string_equal(cfg->lines[0].argv[2], "red#1");
	assert_string_equal(cfg->lines[0].argv[3], "#000");
	config_free(cfg);
}

static void
crlf_and_byte_order_mark(void **state)
{
	struct config *cfg;

	cfg = parse("\xef\xbb\xbfset a 1\r\nset b 2\r\n");
	assert_string_equal(config_get(cfg, "a"), "1");
	assert_string_equal(config_get(cfg, "b"), "2");
	config_free(cfg);
}

static void
last_set_wins_and_defaults_apply(void **state)
{
	struct config *cfg;

	cfg = parse("set page 10\nset other x\nset page 20\n");
	assert_string_equal(config_get(cfg, "page"), "20");
	assert_null(config_get(cfg, "missing"));
	assert_string_equal(config_get_default(cfg, "missing", "dflt"), "dflt");
	assert_string_equal(config_get_default(cfg, "other", "dflt"), "x");
	assert_null(config_get(NULL, "page"));
	config_free(cfg);
}

static void
integers_are_checked(void **state)
{
	struct config *cfg;
	long long v = 0;
	char *cause = NULL;

	cfg = parse("set page 50\nset bad 5x\nset big 1000\n");
	assert_int_equal(config_get_int(cfg, "page", 1, 100, 7, &v, &cause), 0);
	assert_int_equal(v, 50);
	assert_int_equal(config_get_int(cfg, "unset", 1, 100, 7, &v, &cause), 0);
	assert_int_equal(v, 7);
	assert_int_equal(config_get_int(cfg, "bad", 1, 100, 7, &v, &cause), -1);
	assert_take_string(
	    cause, "test.conf:2: bad must be a whole number from 1 to 100, not \"5x\"");
	assert_int_equal(config_get_int(cfg, "big", 1, 100, 7, &v, &cause), -1);
	assert_take_string(
	    cause, "test.conf:3: big must be a whole number from 1 to 100, not \"1000\"");
	config_free(cfg);
}

static void
booleans_are_checked(void **state)
{
	struct config *cfg;
	bool b = false;
	char *cause = NULL;

	cfg = parse("set a yes\nset b Off\nset c maybe\n");
	assert_int_equal(config_get_bool(cfg, "a", false, &b, &cause), 0);
	assert_true(b);
	assert_int_equal(config_get_bool(cfg, "b", true, &b, &cause), 0);
	assert_false(b);
	assert_int_equal(config_get_bool(cfg, "unset", true, &b, &cause), 0);
	assert_true(b);
	assert_int_equal(config_get_bool(cfg, "c", false, &b, &cause), -1);
	assert_take_string(cause, "test.conf:3: c must be yes or no, not \"maybe\"");
	config_free(cfg);
}

static void
errors_name_file_and_line(void **state)
{
	parse_error("set a 1\nset b \"open\n", "test.conf:2: missing closing quote \"");
	parse_error("\n\nset b 'open\n", "test.conf:3: missing closing quote '");
	parse_error(
	    "set a \"bad \\q\"\n", "test.conf:1: unknown escape \\q (use \\\\ for a backslash)");
	parse_error("set a \"end\\", "test.conf:1: backslash at the end of the line");
	parse_error("set a\n", "test.conf:1: usage: set NAME VALUE (quote a value with spaces)");
	parse_error(
	    "set a b c\n", "test.conf:1: usage: set NAME VALUE (quote a value with spaces)");
	parse_error("set Bad!name x\n", "test.conf:1: bad setting name \"Bad!name\"");
	parse_error("set a \xff\n", "test.conf:1: not valid UTF-8");
}

static void
load_names_the_file(void **state)
{
	char dir[] = "/tmp/guichet-unit-XXXXXX", *path, *cause = NULL;
	struct config *cfg;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	xasprintf(&path, "%s/guichet.conf", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("set database dbname=guichet\nset broken \"x\n", f);
	fclose(f);
	cfg = config_load(path, &cause);
	assert_null(cfg);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "guichet.conf:2: missing closing quote"));
	free(cause);

	f = fopen(path, "w");
	fputs("set database dbname=guichet\n", f);
	fclose(f);
	cfg = config_load(path, &cause);
	assert_non_null(cfg);
	assert_string_equal(cfg->path, path);
	assert_string_equal(cfg->lines[0].file, path);
	assert_string_equal(config_get(cfg, "database"), "dbname=guichet");
	config_free(cfg);
	unlink(path);

	/* A file given with -F must exist. */
	cfg = config_load(path, &cause);
	assert_null(cfg);
	assert_non_null(strstr(cause, "No such file"));
	free(cause);
	free(path);
	rmdir(dir);
}

static void
load_finds_the_xdg_file_or_nothing(void **state)
{
	char dir[] = "/tmp/guichet-unit-XXXXXX", *path, *sub, *cause = NULL;
	struct config *cfg;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	setenv("XDG_CONFIG_HOME", dir, 1);
	xasprintf(&sub, "%s/guichet", dir);
	xasprintf(&path, "%s/guichet.conf", sub);
	assert_int_equal(mkdir(sub, 0700), 0);
	f = fopen(path, "w");
	fputs("set report.format xdg\n", f);
	fclose(f);
	cfg = config_load(NULL, &cause);
	assert_non_null(cfg);
	assert_string_equal(config_get(cfg, "report.format"), "xdg");
	assert_string_equal(cfg->path, path);
	config_free(cfg);
	unlink(path);
	rmdir(sub);
	rmdir(dir);
	free(path);
	free(sub);
	unsetenv("XDG_CONFIG_HOME");
}

/* A file in dir holding text; returns its path (to free). */
static char *
write_file(const char *dir, const char *name, const char *text)
{
	char *path;
	FILE *f;

	xasprintf(&path, "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

/* Loading this file must fail with exactly this message (after "dir/"). */
static void
load_error(const char *dir, const char *text, const char *expected)
{
	char *path, *cause = NULL, *want;

	path = write_file(dir, "guichet.conf", text);
	assert_null(config_load(path, &cause));
	xasprintf(&want, "%s%s", path, expected);
	assert_take_string(cause, want);
	free(want);
	unlink(path);
	free(path);
}

static void
unknown_commands_and_settings_name_file_and_line(void **state)
{
	char dir[] = "/tmp/guichet-unit-XXXXXX";

	assert_non_null(mkdtemp(dir));
	load_error(dir, "set database dbname=a\nset databse service=guichet\n",
	    ":2: unknown setting \"databse\" (see guichet.conf(5))");
	load_error(dir, "# keys\nbnid index x claim\n",
	    ":2: unknown command \"bnid\" (set, bind, color or route)");
	load_error(dir, "set console.page_size 10\nset mail.tagprefix X\n",
	    ":2: unknown setting \"mail.tagprefix\" (see guichet.conf(5))");
	/* A conninfo libpq cannot parse is found before connecting. */
	load_error(dir, "\nset database \"host=/tmp dbname\"\n",
	    ":2: database: missing \"=\" after \"dbname\" in connection info string");
	load_error(dir, "set database \"postgresql://h/db?sslmod=require\"\n",
	    ":1: database: invalid URI query parameter: \"sslmod\"");
	rmdir(dir);
}

static void
known_settings_and_plain_database_names_load(void **state)
{
	char dir[] = "/tmp/guichet-unit-XXXXXX", *path, *cause = NULL;
	struct config *cfg;

	assert_non_null(mkdtemp(dir));
	path = write_file(dir, "guichet.conf",
	    "set database guichet\nset console.sort oldest\nset mail.workers 2\n"
	    "set report.width 100\nbind index x claim\ncolor note yellow default\n"
	    "route Subject x queue=voirie\n");
	cfg = config_load(path, &cause);
	if (cfg == NULL)
		fail_msg("unexpected error: %s", cause);
	assert_string_equal(config_get(cfg, "database"), "guichet");
	assert_int_equal(cfg->nlines, 7);
	config_free(cfg);
	unlink(path);
	free(path);
	rmdir(dir);
	/* Strings (the console's ":bind", its default bindings) are not files. */
	config_free(parse("set anything 1\n"));
}

static void
user_file_overrides_the_system_file(void **state)
{
	char dir[] = "/tmp/guichet-unit-XXXXXX", *system, *user, *cause = NULL;
	struct config *cfg;

	assert_non_null(mkdtemp(dir));
	system = write_file(dir, "system.conf",
	    "set database service=guichet\nset console.sort oldest\nbind index x claim\n");
	user = write_file(dir, "user.conf", "set console.sort priority\nbind index y claim\n");
	cfg = config_load_layers(system, user, false, &cause);
	assert_non_null(cfg);
	/* The user's key bindings do not hide the system's database. */
	assert_string_equal(config_get(cfg, "database"), "service=guichet");
	assert_string_equal(config_get(cfg, "console.sort"), "priority");
	assert_int_equal(cfg->nlines, 5);
	/* Every line names the file it came from; path is the last file read. */
	assert_string_equal(cfg->lines[0].file, system);
	assert_int_equal(cfg->lines[2].lineno, 3);
	assert_string_equal(cfg->lines[3].file, user);
	assert_int_equal(cfg->lines[3].lineno, 1);
	assert_string_equal(cfg->path, user);
	config_free(cfg);

	/* Either file may be missing, unless the user's was named with -F. */
	unlink(user);
	cfg = config_load_layers(system, user, false, &cause);
	assert_non_null(cfg);
	assert_string_equal(config_get(cfg, "console.sort"), "oldest");
	assert_string_equal(cfg->path, system);
	config_free(cfg);
	assert_null(config_load_layers(system, user, true, &cause));
	assert_non_null(strstr(cause, "No such file"));
	free(cause);
	unlink(system);
	cfg = config_load_layers(system, user, false, &cause);
	assert_non_null(cfg);
	assert_int_equal(cfg->nlines, 0);
	assert_null(cfg->path);
	config_free(cfg);

	/* An error in the system file names it. */
	free(system);
	system = write_file(dir, "system.conf", "set console.sortt oldest\n");
	assert_null(config_load_layers(system, NULL, false, &cause));
	assert_non_null(strstr(cause, "system.conf:1: unknown setting"));
	free(cause);
	unlink(system);
	free(system);
	free(user);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(words_and_comments),
		cmocka_unit_test(double_quotes_and_escapes),
		cmocka_unit_test(single_quotes_are_verbatim),
		cmocka_unit_test(quoted_parts_join_into_one_word),
		cmocka_unit_test(hash_inside_a_word_or_quotes_is_not_a_comment),
		cmocka_unit_test(crlf_and_byte_order_mark),
		cmocka_unit_test(last_set_wins_and_defaults_apply),
		cmocka_unit_test(integers_are_checked),
		cmocka_unit_test(booleans_are_checked),
		cmocka_unit_test(errors_name_file_and_line),
		cmocka_unit_test(load_names_the_file),
		cmocka_unit_test(load_finds_the_xdg_file_or_nothing),
		cmocka_unit_test(unknown_commands_and_settings_name_file_and_line),
		cmocka_unit_test(known_settings_and_plain_database_names_load),
		cmocka_unit_test(user_file_overrides_the_system_file),
	};

	log_open("test-config", 0, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
