/*
 * test-misc.c — strict integer parsing, XDG paths, mkdir -p, the program
 * name used by the log, what the log lets through to a terminal, and the JSON
 * string escaper.
 */
#include "unit.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static void
parse_int_accepts_whole_numbers_in_range(void **state)
{
	long long v = 0;

	assert_int_equal(parse_int("42", 0, 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(parse_int("-5", -10, 10, &v), 0);
	assert_int_equal(v, -5);
	assert_int_equal(parse_int("9223372036854775807", 0, LLONG_MAX, &v), 0);
	assert_true(v == LLONG_MAX);
}

static void
parse_int_rejects_junk_and_overflow(void **state)
{
	long long v = 7;

	assert_int_equal(parse_int("", 0, 100, &v), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(parse_int("12a", 0, 100, &v), -1);
	assert_int_equal(parse_int(" 12", 0, 100, &v), -1);
	assert_int_equal(parse_int("12 ", 0, 100, &v), -1);
	assert_int_equal(parse_int("0x10", 0, 100, &v), -1);
	assert_int_equal(parse_int(NULL, 0, 100, &v), -1);
	assert_int_equal(parse_int("101", 0, 100, &v), -1);
	assert_int_equal(errno, ERANGE);
	assert_int_equal(parse_int("-1", 0, 100, &v), -1);
	assert_int_equal(parse_int("99999999999999999999", 0, LLONG_MAX, &v), -1);
	assert_int_equal(errno, ERANGE);
	/* Nothing is written on error. */
	assert_int_equal(v, 7);
}

static void
xdg_path_uses_the_environment(void **state)
{
	setenv("XDG_STATE_HOME", "/x/state", 1);
	setenv("XDG_CONFIG_HOME", "/x/config", 1);
	setenv("XDG_DATA_HOME", "/x/data", 1);
	assert_take_string(xdg_path("state", "drafts"), "/x/state/guichet/drafts");
	assert_take_string(xdg_path("config", "guichet.conf"), "/x/config/guichet/guichet.conf");
	assert_take_string(xdg_path("data", NULL), "/x/data/guichet");
	/* The "guichet/" part may be given by the caller. */
	assert_take_string(xdg_path("state", "guichet/drafts"), "/x/state/guichet/drafts");
	assert_take_string(xdg_path("state", "guichet"), "/x/state/guichet");
	assert_take_string(xdg_path("state", "guichetx"), "/x/state/guichet/guichetx");
}

static void
xdg_path_falls_back_to_home(void **state)
{
	setenv("HOME", "/home/agent", 1);
	unsetenv("XDG_STATE_HOME");
	/* A relative value is invalid and ignored, as the specification says. */
	setenv("XDG_CONFIG_HOME", "relative/dir", 1);
	unsetenv("XDG_DATA_HOME");
	assert_take_string(xdg_path("state", "drafts"), "/home/agent/.local/state/guichet/drafts");
	assert_take_string(
	    xdg_path("config", "guichet.conf"), "/home/agent/.config/guichet/guichet.conf");
	assert_take_string(xdg_path("data", "x"), "/home/agent/.local/share/guichet/x");
	unsetenv("XDG_CONFIG_HOME");
}

static void
mkdir_p_creates_parents_and_accepts_existing(void **state)
{
	char dir[] = "/tmp/guichet-unit-XXXXXX", *deep, *file;
	struct stat st;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	xasprintf(&deep, "%s/a/b//c/", dir);
	assert_int_equal(mkdir_p(deep, 0700), 0);
	assert_int_equal(stat(deep, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	/* Again: it exists, which is fine. */
	assert_int_equal(mkdir_p(deep, 0700), 0);

	/* A file in the way is an error. */
	xasprintf(&file, "%s/file", dir);
	f = fopen(file, "w");
	fclose(f);
	assert_int_equal(mkdir_p(file, 0700), -1);
	assert_int_equal(errno, ENOTDIR);
	free(deep);
	xasprintf(&deep, "%s/file/sub", dir);
	assert_int_equal(mkdir_p(deep, 0700), -1);
	assert_int_equal(errno, ENOTDIR);

	unlink(file);
	free(file);
	free(deep);
	xasprintf(&deep, "%s/a/b/c", dir);
	rmdir(deep);
	free(deep);
	xasprintf(&deep, "%s/a/b", dir);
	rmdir(deep);
	free(deep);
	xasprintf(&deep, "%s/a", dir);
	rmdir(deep);
	free(deep);
	rmdir(dir);
	assert_int_equal(mkdir_p("", 0700), -1);
}

static void
log_progname_is_the_basename(void **state)
{
	log_open("/usr/local/bin/guichet-mail", 0, 0);
	assert_string_equal(log_progname(), "guichet-mail");
	log_open("guichet", 0, 0);
	assert_string_equal(log_progname(), "guichet");
}

/* What log_warnx writes on stderr for this message, without the "prog: ". */
static char *
log_capture(const char *msg)
{
	char path[] = "/tmp/test-misc.XXXXXX", buf[512];
	int fd, saved;
	ssize_t n;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	fflush(stderr);
	saved = dup(2);
	dup2(fd, 2);
	log_warnx("%s", msg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = pread(fd, buf, sizeof buf - 1, 0);
	close(fd);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_non_null(strstr(buf, ": "));
	return xstrdup(strstr(buf, ": ") + 2);
}

/* clang-format off */
static void
log_lines_neutralise_controls_and_bidi(void **state)
{
	assert_take_string(log_capture("plain é 漢"), "plain é 漢\n");
	assert_take_string(log_capture("a\x1b[2Jb\x7f" "c"), "a?[2Jb?c\n");
	assert_take_string(log_capture("a\nb\rc"), "a?b?c\n");
	/* C1 controls, a raw 8-bit CSI and an overlong ESC. */
	assert_take_string(log_capture("a\xc2\x9b" "2J\x9b" "b\xc0\x9b" "c"), "a?2J?b??c\n");
	/* Bidi overrides and isolates: "file\u202Etxt.exe" must not read "exe.txt". */
	assert_take_string(log_capture("file\xe2\x80\xae" "txt.exe"), "file?txt.exe\n");
	assert_take_string(log_capture("\xe2\x81\xa6" "x\xe2\x81\xa9\xd8\x9c\xe2\x80\x8f"), "?x???\n");
	/* Zero-width and other format characters, a tag, a variation selector. */
	assert_take_string(log_capture("a\xe2\x80\x8b\xc2\xad\xf3\xa0\x80\x81\xef\xb8\x8f" "b"), "a????b\n");
	/* A real U+FFFD is kept; a broken sequence becomes one '?'. */
	assert_take_string(log_capture("\xef\xbf\xbd\xe2\x82" "x"), "\xef\xbf\xbd?x\n");
}
/* clang-format on */

/* What json_string appends for s. */
static char *
json_of(const char *s)
{
	struct strbuf sb;

	strbuf_init(&sb);
	json_string(&sb, s);
	return strbuf_detach(&sb);
}

/* clang-format off */
static void
json_string_escapes_what_a_terminal_would_act_on(void **state)
{
	assert_take_string(json_of(NULL), "null");
	assert_take_string(json_of("Dépôt 漢 😀"), "\"Dépôt 漢 😀\"");
	assert_take_string(json_of("a\"b\\c/"), "\"a\\\"b\\\\c/\"");
	assert_take_string(json_of("\n\r\t\x01\x1b[2J\x7f"), "\"\\n\\r\\t\\u0001\\u001b[2J\\u007f\"");
	/* C1, bidi, zero-width, the JavaScript line separators. */
	assert_take_string(json_of("\xc2\x9b\xe2\x80\xae\xe2\x80\x8b\xe2\x80\xa8"), "\"\\u009b\\u202e\\u200b\\u2028\"");
	/* A tag character outside the BMP: a surrogate pair. */
	assert_take_string(json_of("\xf3\xa0\x80\x81"), "\"\\udb40\\udc01\"");
	/* Invalid UTF-8 never reaches the document. */
	assert_take_string(json_of("a\xff" "b"), "\"a\xef\xbf\xbd" "b\"");
}
/* clang-format on */

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_int_accepts_whole_numbers_in_range),
		cmocka_unit_test(parse_int_rejects_junk_and_overflow),
		cmocka_unit_test(xdg_path_uses_the_environment),
		cmocka_unit_test(xdg_path_falls_back_to_home),
		cmocka_unit_test(mkdir_p_creates_parents_and_accepts_existing),
		cmocka_unit_test(log_progname_is_the_basename),
		cmocka_unit_test(log_lines_neutralise_controls_and_bidi),
		cmocka_unit_test(json_string_escapes_what_a_terminal_would_act_on),
	};

	log_open("test-misc", 0, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
